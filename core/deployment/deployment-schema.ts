import { z } from 'zod';
import { controlCharacterColumn, isHostOrAddress } from '../host-name.ts';

/** Text that ends up in a report heading or a table: one line, no control characters (a newline would forge a heading). */
const text = z
  .string()
  .min(1)
  .refine((v) => controlCharacterColumn(v) === undefined, 'must be one line of text without control characters (a line break, a tab)');

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a fully qualified host name, e.g. mail.example.com')
  .describe('a host name');

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address, e.g. 91.98.35.3')
  .describe('an IPv4 address');

const email = z
  .string()
  .regex(/^[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]{2,63}$/i, 'must be an email address, e.g. ceo@mailgoat.ai')
  .describe('an email address');

export const agentSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    name: text,
    role: text,
    address: email,
  })
  .strict();

export const deploymentSchema = z
  .object({
    name: text,
    domain: hostname,
    server: z
      .object({
        ip: ipv4,
        mailHost: hostname,
        webHost: hostname,
        provider: text.optional(),
      })
      .strict(),
    postal: z
      .object({
        version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version like 3.3.2'),
        image: text,
        /**
         * The services of Postal's compose project (postalserver/install templates/docker-compose.v3.yml:
         * web, smtp, worker; `runner` is a one-off under profile `tools`). MariaDB is not one of them.
         */
        services: z.array(z.enum(['web', 'smtp', 'worker', 'database', 'proxy', 'spamd'])).min(1),
        /** Containers outside the compose project that Postal needs: the install's `postal-mariadb` (prerequisites/install-ubuntu.v3.sh). */
        containers: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be a container name')).default(['postal-mariadb']),
        /** postal.yml `dns.dkim_identifier` (default "postal"): every selector Postal signs with starts with it. */
        dkimIdentifier: z
          .string()
          .regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes')
          .default('postal'),
      })
      .strict(),
    /** The one agent that receives mail for unknown addresses: exactly one agent id, never a list. */
    catchAll: z.string().min(1).describe('one agent id (the single catch-all)'),
    agents: z.array(agentSchema).min(1).describe('a list of agents'),
    /**
     * How many agents the plan has (13 for MailGoat). A deployment file that lists fewer or more is a
     * mistake in the file, not a smaller plan: change this number when the plan changes.
     */
    expectedAgentCount: z.number().int().min(1).max(1000).describe('a whole number of agents').default(13),
    /** Where each agent's inbox receiver (MailGoat's `inbox serve`) listens: agent i at basePort + i. */
    inboxEndpoint: z
      .object({
        host: z
          .string()
          .refine(isHostOrAddress, 'must be a host name (RFC 1123: letters, digits, hyphens) or an IP address, e.g. 127.0.0.1'),
        basePort: z.number().int().min(1).max(65000),
        path: z
          .string()
          .regex(
            /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/,
            "must be a URL path starting with / (letters, digits and -._~!$&'()*+,;=:@%/), e.g. /webhooks/postal",
          ),
      })
      .strict(),
    dns: z
      .object({
        mx: z.array(z.object({ priority: z.number().int().min(0).max(65535), host: hostname }).strict()).min(1),
        spf: z.object({ include: hostname, all: z.enum(['-all', '~all', '?all']) }).strict(),
        dkim: z
          .object({
            /**
             * The selector Postal made for the domain (app/models/domain.rb: `<dkim_identifier>-` and six
             * letters and digits, e.g. postal-qpMdyI), as known when this file was written. Postal makes it at
             * random when the domain is created: the suite expects the one provisioning read back from Postal
             * (postal-state.json) whenever there is one, and this only when there is none.
             */
            selector: z
              .string()
              .regex(
                /^[a-z0-9-]+-[A-Za-z][A-Za-z0-9]{4}[A-Za-z]$/,
                'must be the selector Postal shows for the domain: "<dkim_identifier>-" and six letters and digits, e.g. postal-qpMdyI',
              ),
            keyBits: z.union([z.literal(1024), z.literal(2048), z.literal(3072), z.literal(4096)]),
          })
          .strict(),
        dmarc: z
          .object({
            policy: z.enum(['none', 'quarantine', 'reject']),
            rua: z.string().regex(/^mailto:[^@\s]+@[^@\s]+$/, 'must be mailto:<address>'),
          })
          .strict(),
        /**
         * Postal's return path (has_dns_checks.rb): the CNAME `<name>.<domain>` (postal.yml
         * `dns.custom_return_path_prefix`, default "psrp") must point exactly at `target`, postal.yml's
         * `dns.return_path_domain`; only then is MAIL FROM `<token>@<name>.<domain>`.
         */
        returnPath: z
          .object({ name: z.string().regex(/^[a-z0-9-]+$/, 'must be a single DNS label, e.g. psrp'), target: hostname })
          .strict(),
        track: z
          .object({
            name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'must be a single DNS label, e.g. track'),
            target: hostname,
          })
          .strict(),
        ptr: hostname,
        ttl: z.number().int().min(60).max(86400),
      })
      .strict(),
    thresholds: z
      .object({
        spamScoreMin: z.number().min(0).max(10).describe('a score from 0 to 10'),
        throughput: z.object({ messagesPerSecond: z.number().positive(), durationSeconds: z.number().positive() }).strict(),
        latency: z.object({ p95Ms: z.number().positive() }).strict(),
        /**
         * The largest message the agents send, in MB: FN-01 sends one near it. Postal's SMTP server refuses
         * more than smtp_server.max_message_size (default 14 MB) — also for mail between the agents, which
         * passes Postal's own MX.
         */
        messageSizeMb: z.number().positive().max(100).describe('a size in MB').default(14),
      })
      .strict(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.agents.length !== d.expectedAgentCount) {
      ctx.addIssue({
        code: 'custom',
        path: ['agents'],
        message: `expected ${d.expectedAgentCount} agents (expectedAgentCount, the plan's number), found ${d.agents.length}; add the missing agents or change expectedAgentCount with the plan`,
      });
    }
    const ids = new Map<string, number>();
    const addresses = new Map<string, number>();
    d.agents.forEach((agent, i) => {
      const sameId = ids.get(agent.id);
      if (sameId !== undefined)
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent id "${agent.id}" (also agents[${sameId}])` });
      else ids.set(agent.id, i);
      // Addresses are compared case-insensitively: mail to Ceo@ and ceo@ reaches the same mailbox.
      const address = agent.address.toLowerCase();
      const sameAddress = addresses.get(address);
      if (sameAddress !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', i, 'address'],
          message: `expected a unique address, found "${agent.address}" again (also agents[${sameAddress}]); each agent needs its own mailbox`,
        });
      } else addresses.set(address, i);
      if (!address.endsWith(`@${d.domain.toLowerCase()}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', i, 'address'],
          message: `expected an address at ${d.domain}, found "${agent.address}"`,
        });
      }
      // Each agent's mail reaches it through a Postal route named by the local part, and route names must match
      // \A[a-z0-9\-.]*\z (app/models/route.rb:38): Route.create! raises on "_" or "+" (a "+tag" is stripped when routing).
      const local = address.slice(0, address.lastIndexOf('@'));
      if (!/^[a-z0-9.-]+$/.test(local)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', i, 'address'],
          message: `expected a local part Postal can name a route after (letters, digits, "-" and "." only), found "${agent.address}"; Postal's route names cannot hold "_" or "+"`,
        });
      }
    });
    if (!d.dns.dkim.selector.startsWith(`${d.postal.dkimIdentifier}-`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['dns', 'dkim', 'selector'],
        message: `must start with postal.dkimIdentifier "${d.postal.dkimIdentifier}-": Postal signs only with <dkim_identifier>-<six characters>`,
      });
    }
    if (d.postal.services.includes('database')) {
      ctx.addIssue({
        code: 'custom',
        path: ['postal', 'services'],
        message:
          'Postal\'s compose project has no "database" service: MariaDB runs as its own container (list it in postal.containers, e.g. "postal-mariadb")',
      });
    }
    // Exactly one catch-all, and it is one of the agents (its inbox is where unknown addresses land).
    if (!ids.has(d.catchAll)) {
      ctx.addIssue({
        code: 'custom',
        path: ['catchAll'],
        message: `expected one of the agent ids (e.g. "team"), found "${d.catchAll}", which names no agent`,
      });
    }
  });

export type Deployment = z.infer<typeof deploymentSchema>;
export type Agent = z.infer<typeof agentSchema>;
