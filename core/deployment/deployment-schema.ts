import { z } from 'zod';

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a fully qualified host name, e.g. mail.example.com');

const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address, e.g. 91.98.35.3');

const email = z.string().regex(/^[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]{2,63}$/i, 'must be an email address, e.g. ceo@mailgoat.ai');

export const agentSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    name: z.string().min(1),
    role: z.string().min(1),
    address: email,
  })
  .strict();

export const deploymentSchema = z
  .object({
    name: z.string().min(1),
    domain: hostname,
    server: z
      .object({
        ip: ipv4,
        mailHost: hostname,
        webHost: hostname,
        provider: z.string().optional(),
      })
      .strict(),
    postal: z
      .object({
        version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version like 3.3.2'),
        image: z.string().min(1),
        /**
         * The services of Postal's compose project (postalserver/install templates/docker-compose.v3.yml:
         * web, smtp, worker; `runner` is a one-off under profile `tools`). MariaDB is not one of them.
         */
        services: z.array(z.enum(['web', 'smtp', 'worker', 'database', 'proxy', 'spamd'])).min(1),
        /** Containers outside the compose project that Postal needs: the install's `postal-mariadb` (prerequisites/install-ubuntu.v3.sh). */
        containers: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be a container name')).default(['postal-mariadb']),
        /** postal.yml `dns.dkim_identifier` (default "postal"): every selector Postal signs with starts with it. */
        dkimIdentifier: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes').default('postal'),
      })
      .strict(),
    catchAll: z.string().min(1),
    agents: z.array(agentSchema).min(1),
    /** Where each agent's inbox receiver (MailGoat's `inbox serve`) listens: agent i at basePort + i. */
    inboxEndpoint: z
      .object({
        host: z.string().min(1),
        basePort: z.number().int().min(1).max(65000),
        path: z.string().regex(/^\//, 'must start with /'),
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
             * letters and digits, e.g. postal-qpMdyI). Postal never signs with any other selector.
             */
            selector: z.string().regex(/^[a-z0-9-]+-[A-Za-z][A-Za-z0-9]{4}[A-Za-z]$/, 'must be the selector Postal shows for the domain: "<dkim_identifier>-" and six letters and digits, e.g. postal-qpMdyI'),
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
        returnPath: z.object({ name: z.string().regex(/^[a-z0-9-]+$/, 'must be a single DNS label, e.g. psrp'), target: hostname }).strict(),
        track: z.object({ name: z.string().min(1), target: hostname }).strict(),
        ptr: hostname,
        ttl: z.number().int().min(60).max(86400),
      })
      .strict(),
    thresholds: z
      .object({
        spamScoreMin: z.number().min(0).max(10),
        throughput: z.object({ messagesPerSecond: z.number().positive(), durationSeconds: z.number().positive() }).strict(),
        latency: z.object({ p95Ms: z.number().positive() }).strict(),
      })
      .strict(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const ids = new Set<string>();
    d.agents.forEach((agent, i) => {
      if (ids.has(agent.id)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent id "${agent.id}"` });
      ids.add(agent.id);
      if (!agent.address.toLowerCase().endsWith(`@${d.domain.toLowerCase()}`)) {
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'address'], message: `must be an address at ${d.domain}` });
      }
    });
    if (!d.dns.dkim.selector.startsWith(`${d.postal.dkimIdentifier}-`)) {
      ctx.addIssue({ code: 'custom', path: ['dns', 'dkim', 'selector'], message: `must start with postal.dkimIdentifier "${d.postal.dkimIdentifier}-": Postal signs only with <dkim_identifier>-<six characters>` });
    }
    if (d.postal.services.includes('database')) {
      ctx.addIssue({ code: 'custom', path: ['postal', 'services'], message: 'Postal\'s compose project has no "database" service: MariaDB runs as its own container (list it in postal.containers, e.g. "postal-mariadb")' });
    }
    if (!ids.has(d.catchAll)) {
      ctx.addIssue({ code: 'custom', path: ['catchAll'], message: `names no agent; use one of the agent ids (e.g. "team")` });
    }
  });

export type Deployment = z.infer<typeof deploymentSchema>;
export type Agent = z.infer<typeof agentSchema>;
