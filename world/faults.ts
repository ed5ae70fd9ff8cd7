/**
 * Named faults: real mistakes made when deploying a mail server, each injected into a fresh world.
 * A fault changes what the domain publishes (zone), what a second resolver serves (stale zone), what
 * Postal holds (manifest), how the Postal stand-in behaves, or the world after it started — never the
 * harness. Which controls each fault must turn red is the fault matrix's knowledge (scripts/fault-oracle.ts), not the world's.
 */
import { BLOCKLISTS } from '../core/dnsbl/blocklists.ts';
import { blocklistListing } from './world-dns.ts';
import { generateKeyPairSync } from 'node:crypto';
import { renderZoneFile } from '../provisioning/dns/generate-zone.ts';
import { parseZoneFile, reverseName, type DnsRecord } from '../core/artifacts/zone-file.ts';
import { gzipSync } from 'node:zlib';
import { reportFileName, reportXml, zipped } from './providers/dmarc-report-xml.ts';
import { SECURITY_FAULTS } from './security-faults.ts';
import type { World } from './world.ts';
import type { FaultContext, WorldFault } from './world-fault.ts';
import type { AccountsManifest } from '../core/artifacts/accounts-manifest.ts';

export type { FaultContext, WorldFault } from './world-fault.ts';

const lower = (s: string) => s.toLowerCase();
const apex = (ctx: FaultContext) => lower(ctx.deployment.domain);
const isSpf = (r: DnsRecord) => r.type === 'TXT' && /^v=spf1(\s|$)/i.test(r.data);
const dkimName = (ctx: FaultContext) => `${lower(ctx.deployment.dns.dkim.selector)}._domainkey.${apex(ctx)}`;
const replaceData = (records: DnsRecord[], match: (r: DnsRecord) => boolean, data: string) =>
  records.map((r) => (match(r) ? { ...r, data } : r));
const without = (records: DnsRecord[], match: (r: DnsRecord) => boolean) => records.filter((r) => !match(r));

function unrelatedPublicKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** A Postal installed under another organisation's domain: its fallback DKIM d= cannot align with the agents' domain. */
const FOREIGN_RETURN_PATH = 'rp.postal-host.example';

function foreignReturnPath(records: DnsRecord[], ctx: FaultContext): DnsRecord[] {
  const installKey = records.find((r) => r.type === 'TXT' && r.name.startsWith('postal._domainkey.'));
  const ttl = ctx.deployment.dns.ttl;
  return [
    ...records,
    { name: FOREIGN_RETURN_PATH, type: 'A', ttl, data: ctx.deployment.server.ip },
    { name: FOREIGN_RETURN_PATH, type: 'TXT', ttl, data: `v=spf1 ip4:${ctx.deployment.server.ip} ~all` },
    ...(installKey ? [{ ...installKey, name: `postal._domainkey.${FOREIGN_RETURN_PATH}` }] : []),
  ];
}

export const FAULTS: WorldFault[] = [
  {
    name: 'spf-without-ip',
    source:
      'checkdmarc / MXToolbox SPF test: the SPF record does not authorise the sending IP (https://mxtoolbox.com/spf.aspx, RFC 7208 §2.6)',
    description: "the SPF include host no longer lists the server's IP",
    zone: (records, ctx) =>
      replaceData(records, (r) => isSpf(r) && r.name === lower(ctx.deployment.dns.spf.include), `v=spf1 ${ctx.deployment.dns.spf.all}`),
  },
  {
    name: 'spf-too-many-lookups',
    source: 'checkdmarc: SPF record exceeds the 10 DNS-lookup limit (https://domainaware.github.io/checkdmarc/, RFC 7208 §4.6.4)',
    description: 'the apex SPF record needs 11 DNS lookups (RFC 7208 allows 10)',
    zone: (records, ctx) =>
      replaceData(
        records,
        (r) => isSpf(r) && r.name === apex(ctx),
        `v=spf1 include:${lower(ctx.deployment.dns.spf.include)} a mx ${Array.from({ length: 8 }, (_, i) => `a:host${i + 1}.${apex(ctx)}`).join(' ')} ~all`,
      ),
  },
  {
    name: 'two-spf-records',
    source: 'internet.nl mail test, SPF: multiple SPF records (https://internet.nl/test-mail/); checkdmarc MultipleSPFRTXTRecords',
    description:
      "a second v=spf1 record at the apex (permerror for mail sent as the apex; Postal's bounces use the return-path host and still pass)",
    zone: (records, ctx) => [...records, { name: apex(ctx), type: 'TXT', ttl: ctx.deployment.dns.ttl, data: 'v=spf1 mx ~all' }],
  },
  {
    name: 'dkim-missing',
    source: 'postalserver/postal@3.3.2:app/models/concerns/has_dns_checks.rb (check_dkim_record: Missing)',
    description: "the domain's DKIM record is not published",
    zone: (records, ctx) => without(records, (r) => r.type === 'TXT' && r.name === dkimName(ctx)),
  },
  {
    name: 'dkim-old-key',
    source:
      'https://github.com/postalserver/postal/issues/2591 (Postal made a new DKIM key; the published record no longer matches the key it signs with)',
    description: 'the DKIM record holds an old key; the server signs with a new one',
    zone: (records, ctx) =>
      replaceData(records, (r) => r.type === 'TXT' && r.name === dkimName(ctx), `v=DKIM1; t=s; h=sha256; p=${unrelatedPublicKey()}`),
  },
  {
    name: 'dkim-fallback-signing',
    source:
      "postalserver/postal@3.3.2:app/lib/dkim_header.rb (signs d=<return_path_domain> with signing.key when the domain's DKIM is not OK)",
    description: 'Postal signs with its install key as d=<return-path domain> of another organisation (DKIM passes, alignment fails)',
    zone: (records, ctx) =>
      foreignReturnPath(
        without(records, (r) => r.type === 'TXT' && r.name === dkimName(ctx)),
        ctx,
      ),
    manifest: (m) => ({ ...m, domain: { ...m.domain, returnPathDomain: FOREIGN_RETURN_PATH } }),
  },
  {
    name: 'domain-never-dns-checked',
    source:
      'postalserver/postal@3.3.2:app/scheduled_tasks/check_all_dns_scheduled_task.rb (only domains with dns_checked_at are re-checked)',
    description:
      "the domain was created by a script that never ran Postal's DNS check: Postal signs with its install key forever (d=<return-path domain>, s=postal)",
    manifest: (m) => ({ ...m, domain: { ...m.domain, dnsChecked: false } }),
  },
  {
    name: 'dkim-record-k-rsa',
    source:
      'postalserver/postal@3.3.2:app/models/concerns/has_dns_checks.rb (check_dkim_record compares the TXT string exactly: k=rsa makes it Invalid)',
    description:
      "the DKIM record carries k=rsa, as generic guides suggest: Postal's exact-string check calls it Invalid and signs with its fallback key",
    zone: (records, ctx) =>
      replaceData(
        records,
        (r) => r.type === 'TXT' && r.name === dkimName(ctx),
        (records.find((r) => r.type === 'TXT' && r.name === dkimName(ctx))?.data ?? '').replace('v=DKIM1; ', 'v=DKIM1; k=rsa; '),
      ),
  },
  {
    name: 'dkim-selector-without-prefix',
    source: 'postalserver/postal@3.3.2:app/models/domain.rb (dkim_record_name is <dkim_identifier>-<6 chars>._domainkey)',
    description: "the DKIM record is published at the bare selector (qpMdyI) instead of Postal's postal-qpMdyI: nobody looks there",
    zone: (records, ctx) =>
      records.map((r) =>
        r.type === 'TXT' && r.name === dkimName(ctx)
          ? { ...r, name: r.name.replace(`${lower(ctx.deployment.postal.dkimIdentifier)}-`, '') }
          : r,
      ),
  },
  {
    name: 'database-down',
    source: "https://github.com/postalserver/postal/issues/551 (Mysql2::Error: Can't connect to MySQL server — every request answers 500)",
    description: 'the postal-mariadb container stopped: every API call fails and the queue is stuck',
    afterStart: (world) => world.handles.postal!.stopDatabase(),
  },
  {
    name: 'dmarc-missing',
    source: 'internet.nl mail test, DMARC existence (https://internet.nl/test-mail/); checkdmarc DMARCRecordNotFound',
    description: 'no DMARC record',
    zone: (records, ctx) => without(records, (r) => r.type === 'TXT' && r.name === `_dmarc.${apex(ctx)}`),
  },
  {
    name: 'dmarc-malformed',
    source: 'checkdmarc: DMARC record must start with v=DMARC1 (RFC 7489 §6.4, https://domainaware.github.io/checkdmarc/)',
    description: 'the DMARC record does not start with v=DMARC1 (receivers ignore it)',
    zone: (records, ctx) =>
      replaceData(
        records,
        (r) => r.type === 'TXT' && r.name === `_dmarc.${apex(ctx)}`,
        `p=none; v=DMARC1; rua=${ctx.deployment.dns.dmarc.rua}`,
      ),
  },
  {
    name: 'dmarc-reject-misaligned',
    source:
      'mail-tester / Gmail bulk-sender rules: DMARC p=reject without aligned SPF or DKIM is refused with 550 5.7.26 (https://support.google.com/a/answer/81126)',
    description:
      'DMARC p=reject while neither SPF nor DKIM aligns (old DKIM key, no return-path CNAME, foreign return path): providers refuse',
    zone: (records, ctx) =>
      foreignReturnPath(
        without(
          replaceData(
            replaceData(
              records,
              (r) => r.type === 'TXT' && r.name === `_dmarc.${apex(ctx)}`,
              `v=DMARC1; p=reject; rua=${ctx.deployment.dns.dmarc.rua}`,
            ),
            (r) => r.type === 'TXT' && r.name === dkimName(ctx),
            `v=DKIM1; t=s; h=sha256; p=${unrelatedPublicKey()}`,
          ),
          (r) => r.type === 'CNAME' && r.name === `${lower(ctx.deployment.dns.returnPath.name)}.${apex(ctx)}`,
        ),
        ctx,
      ),
    manifest: (m) => ({ ...m, domain: { ...m.domain, returnPathDomain: FOREIGN_RETURN_PATH } }),
  },
  {
    name: 'ptr-missing',
    source:
      "MXToolbox SMTP diagnostic 'Reverse DNS is not a valid Hostname' (https://mxtoolbox.com/diagnostic.aspx); mail-tester's reverse-DNS check",
    description: 'the hosting provider never set the PTR',
    zone: (records, ctx) => without(records, (r) => r.type === 'PTR' && r.name === reverseName(ctx.deployment.server.ip)),
  },
  {
    name: 'ptr-mismatch',
    source: "MXToolbox SMTP diagnostic 'Reverse DNS does not match SMTP Banner' (https://mxtoolbox.com/diagnostic.aspx)",
    description: 'the PTR names another host (the provider default)',
    zone: (records, ctx) =>
      replaceData(
        records,
        (r) => r.type === 'PTR' && r.name === reverseName(ctx.deployment.server.ip),
        `static.3.35.98.91.clients.your-server.de`,
      ),
  },
  {
    name: 'mx-elsewhere',
    source: 'internet.nl mail test, MX record points at the mail server (https://internet.nl/test-mail/)',
    description: 'the MX points at a host that is not this server',
    // Postal delivers to its own domain through the MX like anyone else, so internal mail breaks too.
    zone: (records, ctx) => replaceData(records, (r) => r.type === 'MX' && r.name === apex(ctx), `10 mx.old-provider.example`),
  },
  {
    name: 'stale-resolver',
    source: 'checkdmarc / MXToolbox DNS propagation check: resolvers answer differently after a record change',
    description: 'one resolver still serves the old zone (SPF without the server IP)',
    staleZone: (records, ctx) =>
      replaceData(
        records,
        (r) => isSpf(r) && r.name === lower(ctx.deployment.dns.spf.include),
        `v=spf1 ip4:203.0.113.7 ${ctx.deployment.dns.spf.all}`,
      ),
  },
  {
    name: 'worker-down',
    source: 'https://github.com/postalserver/postal/issues/214 (messages stay Pending: no worker picks them up)',
    description: 'the worker container stopped: the queue is stuck',
    afterStart: (world) => world.handles.postal!.stopWorker(),
  },
  {
    name: 'smtp-health-down',
    source: "postalserver/postal@3.3.2:app/util/health_server.rb (the smtp process's /health endpoint)",
    description: "the smtp process's health endpoint reports unhealthy",
    afterStart: (world) => world.handles.postal!.setSmtpHealthy(false),
  },
  {
    name: 'web-down',
    source: 'postalserver/postal@3.3.2:Procfile.dev (the web process serves the UI and the HTTP API behind the proxy)',
    description: 'the web container is down: no UI, no API on 443',
    afterStart: (world) => world.handles.postal!.stopWeb(),
  },
  {
    name: 'smtp-down',
    source: 'nmap smtp-commands / MXToolbox SMTP test: nothing answers on port 25 (https://nmap.org/nsedoc/scripts/smtp-commands.html)',
    description: 'the smtp container is down: nothing listens on 25',
    afterStart: (world) => world.handles.postal!.stopSmtp(),
  },
  {
    name: 'route-missing',
    source: "postalserver/postal@3.3.2:app/lib/smtp_server/client.rb (rcpt_to: Route.find_by_name_and_domain, else the catch-all '*')",
    description: "one agent's route (dev2) was never created: its mail falls to the catch-all",
    manifest: (m) => ({ ...m, routes: m.routes.filter((r) => r.agentId !== 'dev2' || r.name === '*') }),
  },
  {
    name: 'api-key-revoked',
    source: 'postalserver/postal@3.3.2:app/controllers/legacy_api/base_controller.rb (InvalidServerAPIKey)',
    description: "one agent's API key (growth) was revoked in Postal",
    manifest: (m) => ({
      ...m,
      credentials: m.credentials.map((c) => (c.agentId === 'growth' && c.type === 'API' ? { ...c, key: 'Revoked0000000000000000x' } : c)),
    }),
  },
  {
    name: 'catch-all-missing',
    source: "postalserver/postal@3.3.2:app/lib/smtp_server/client.rb (rcpt_to: no route → '530 Authentication required')",
    description: 'the catch-all route * → team is missing: unknown addresses are refused',
    manifest: (m) => ({ ...m, routes: m.routes.filter((r) => r.name !== '*') }),
  },
  {
    name: 'open-relay',
    source: 'nmap smtp-open-relay (https://nmap.org/nsedoc/scripts/smtp-open-relay.html); mail-tester blacklisting',
    description: 'the SMTP server relays for anyone',
    postal: { openRelay: true },
  },
  {
    name: 'smtp-tls-version-old',
    source:
      'postalserver/postal@3.3.2:lib/postal/config_schema.rb (smtp_server.ssl_version, default "SSLv23") and app/lib/smtp_server/server.rb; testssl.sh protocol checks (TLS 1.0 offered, TLS 1.2/1.3 not)',
    description: 'smtp_server.ssl_version is "TLSv1" in postal.yml: STARTTLS speaks only TLS 1.0, which modern clients refuse',
    postal: { smtpSslVersion: 'TLSv1' },
  },
  {
    name: 'starttls-off',
    source: 'https://github.com/postalserver/postal/issues/745 (502 TLS not available: smtp_server.tls_enabled is false by default)',
    description: 'TLS is disabled in postal.yml: no STARTTLS on 25',
    postal: { starttls: false },
  },
  {
    name: 'spammy-signature',
    source: 'mail-tester: SpamAssassin content rules cost points (https://www.mail-tester.com/)',
    description:
      'a promotional signature added to every message sent through the API pushes the spam score under 8 (and changes what the agents wrote)',
    postal: { outgoingFooter: SPAMMY_FOOTER() },
  },
  {
    name: 'outbound-25-blocked',
    source: 'https://github.com/postalserver/postal/issues/1041 (the provider blocks port 25: No SMTP servers were available)',
    description: "the hosting provider blocks outgoing port 25 (the plan's first risk)",
    postal: { outboundBlocked: true },
  },
  {
    name: 'ip-blocklisted',
    source: "MXToolbox blacklist check / mail-tester 'listed in blocklists' (https://mxtoolbox.com/blacklists.aspx)",
    description: "the server's IP is on a blocklist the providers consult",
    afterStart: (world) => {
      // Listed where receivers look it up (Spamhaus ZEN and SpamCop over DNS), and refused by the providers that consult them.
      const listing = BLOCKLISTS.filter((b) => b.zone === 'zen.spamhaus.org' || b.zone === 'bl.spamcop.net').flatMap((b) =>
        blocklistListing(b, world.addresses.postal, 'the ip-blocklisted fault'),
      );
      for (const dns of [world.handles.primaryDns, world.handles.secondaryDns]) dns.setRecords([...dns.getRecords(), ...listing]);
      world.handles.providers.forEach((p) => p.setBlocklist([world.addresses.postal]));
    },
  },
  {
    name: 'inbox-5xx',
    source: 'https://github.com/postalserver/postal/issues/2717 (the HTTP endpoint fails: Postal soft-fails and retries)',
    description: "the qa agent's inbox receiver answers 503: Postal retries, then gives up",
    afterStart: (world) => world.handles.inboxes!.setFailing('qa', 503),
  },
  {
    name: 'dmarc-report-malformed',
    description:
      "outlook.test also mails the rua address a report whose gzip holds the word `unused` instead of XML (Yahoo's reporter sent such reports in May 2023)",
    source: 'https://github.com/domainaware/parsedmarc/issues/409',
    afterStart: (world, ctx) =>
      reporterOf(world, 'outlook.test').addExtra(({ org, begin, end }) =>
        Promise.resolve({
          policyDomain: apex(ctx),
          fileName: reportFileName(org, apex(ctx), begin, end, 'xml.gz'),
          contentType: 'application/gzip',
          bytes: gzipSync('unused'),
        }),
      ),
  },
  {
    name: 'dmarc-report-foreign-domain',
    description: 'gmail.test also mails the rua address a report about example.org, a domain that names that address as its own rua',
    source:
      'https://dmarc.org/2015/08/receiving-dmarc-reports-outside-your-domain/ (RFC 7489 §7.1; checkdmarc checks the authorisation record)',
    afterStart: (world) =>
      reporterOf(world, 'gmail.test').addExtra(async ({ org, begin, end }) => {
        const policy = { domain: 'example.org', adkim: 'r' as const, aspf: 'r' as const, p: 'none', sp: 'none', pct: 100 };
        const message = {
          sourceIp: '192.0.2.25',
          headerFrom: 'example.org',
          envelopeFrom: 'example.org',
          envelopeTo: org,
          disposition: 'none' as const,
          dkimAligned: true,
          spfAligned: true,
          dkim: [{ domain: 'example.org', selector: 's1', result: 'pass' }],
          spf: { domain: 'example.org', scope: 'mfrom' as const, result: 'pass' },
        };
        const xml = reportXml({
          org,
          email: `noreply-dmarc-support@${org}`,
          reportId: `${Date.now()}9`,
          begin,
          end,
          policy,
          messages: [message],
        });
        return {
          policyDomain: 'example.org',
          fileName: reportFileName(org, 'example.org', begin, end, 'zip'),
          contentType: 'application/zip',
          bytes: await zipped(reportFileName(org, 'example.org', begin, end, 'xml'), xml),
        };
      }),
  },
  {
    name: 'dmarc-unknown-source',
    description:
      'a host outside the deployment (mx.sender.test) mails the seeds as ceo@<domain>; with p=none the providers deliver it, and their reports show the source',
    source: 'https://github.com/mail-in-a-box/mailinabox/issues/1755',
    afterStart: async (world, ctx) => {
      const to = world.handles.providers.map((p) => p.seeds[0]!.address);
      await world.handles.sender!.spoof({
        from: `ceo@${apex(ctx)}`,
        to,
        subject: 'Invoice 4471 overdue',
        text: 'Please pay the attached invoice today.',
      });
    },
  },
  {
    name: 'slow-delivery',
    source:
      'https://github.com/postalserver/postal/issues/624 (slow email delivery: messages wait minutes in Pending before they are processed)',
    description: 'every delivery waits 6 s in the queue (over the latency target)',
    postal: { deliveryDelayMs: 6_000 },
  },
  // --- Issue 21: misconfigurations operators report, each caught by its own control for its real cause ---
  {
    name: 'webhook-utf8-mangled',
    description: 'a Postal version whose HTTP endpoint payload decodes UTF-8 as Latin-1: agents read mojibake',
    source: 'https://github.com/postalserver/postal/issues/2462 (the webhooks break the encoding of incoming mail)',
    postal: { webhookMojibake: true },
  },
  {
    name: 'outgoing-non-ascii-stripped',
    description: 'a Postal version that strips the characters it cannot encode from outgoing mail (accents, Cyrillic, CJK vanish)',
    source: 'https://github.com/postalserver/postal/issues/2816 (characters stripped from emails since an upgrade)',
    postal: { stripNonAsciiOutgoing: true },
  },
  {
    name: 'endpoint-strip-replies',
    description: 'the agents\' HTTP endpoints have "Strip replies" on: the quoted thread is cut from every message they receive',
    source:
      'postalserver/postal@3.3.2:app/senders/http_sender.rb (ReplySeparator when strip_replies); https://github.com/postalserver/postal/issues/824',
    manifest: (m) => ({ ...m, endpoints: m.endpoints.map((e) => ({ ...e, stripReplies: true })) }),
  },
  {
    name: 'endpoint-without-attachments',
    description: 'the agents\' HTTP endpoints have "Include attachments" off: attachments never reach the agents',
    source:
      'postalserver/postal@3.3.2:app/senders/http_sender.rb (attachments only when include_attachments); https://github.com/postalserver/postal/issues/2727',
    manifest: (m) => ({ ...m, endpoints: m.endpoints.map((e) => ({ ...e, includeAttachments: false })) }),
  },
  {
    name: 'click-tracking-on',
    description: "click and open tracking enabled for the domain: every link in the agents' HTML mail is rewritten to the tracking host",
    source:
      'https://github.com/postalserver/postal/issues/720 (links rewritten to the click domain); postalserver/postal@3.3.2:lib/postal/message_parser.rb',
    postal: { clickTracking: 'track.mailgoat.ai' },
  },
  {
    name: 'duplicate-endpoint',
    description: "dev1's route has an additional endpoint that is dev1's own inbox again: every message reaches dev1 twice",
    source: 'postalserver/postal@3.3.2:app/models/route.rb (create_messages: one message per additional route endpoint)',
    postal: { additionalEndpoints: { dev1: ['dev1'] } },
  },
  {
    name: 'additional-endpoint-leak',
    description: "dev2's route has the catch-all team's inbox as an additional endpoint: team reads dev2's mail",
    source: 'postalserver/postal@3.3.2:app/models/route.rb (additional_route_endpoints)',
    postal: { additionalEndpoints: { dev2: ['team'] } },
  },
  {
    name: 'message-size-limit-low',
    description:
      'smtp_server.max_message_size is 5 MB: Postal refuses the large messages agents send (also between agents, through its own MX)',
    source:
      'https://github.com/postalserver/postal/issues/1328 (552 Message too large (maximum size 14MB)); postalserver/postal@3.3.2:lib/postal/config_schema.rb',
    postal: { maxMessageSizeMb: 5 },
  },
  {
    name: 'route-wrong-endpoint',
    description: "dev2's route points at the catch-all team's endpoint (a copy-paste in the route form)",
    source: 'postalserver/postal@3.3.2:app/models/route.rb (_endpoint: any HTTPEndpoint of the server)',
    manifest: (m) => {
      const team = m.endpoints.find((e) => e.agentId === 'team');
      return team ? { ...m, routes: m.routes.map((r) => (r.name === 'dev2' ? { ...r, endpoint: `HTTPEndpoint#${team.uuid}` } : r)) } : m;
    },
  },
  {
    name: 'route-mode-hold',
    description: "qa's route is set to Hold instead of its endpoint: its mail is Held in Postal",
    source: 'postalserver/postal@3.3.2:app/lib/message_dequeuer/incoming_message_processor.rb (hold_messages)',
    postal: { routeModes: { qa: 'Hold' } },
  },
  {
    name: 'route-mode-accept',
    description: "devrel's route is set to Accept: Postal accepts its mail and drops it (Processed, no endpoint)",
    source: 'postalserver/postal@3.3.2:app/lib/message_dequeuer/incoming_message_processor.rb (accept_mail_without_endpoints)',
    postal: { routeModes: { devrel: 'Accept' } },
  },
  {
    name: 'route-mode-reject',
    description: "bizops's route is set to Reject: Postal's MX refuses its mail with 550",
    source: 'postalserver/postal@3.3.2:app/lib/smtp_server/client.rb (rcpt_to: "550 Route does not accept incoming messages")',
    postal: { routeModes: { bizops: 'Reject' } },
  },
  {
    name: 'endpoint-wrong-port',
    description: "dev3's HTTP endpoint names a port nothing listens on: Postal cannot connect and gives up",
    source: "https://github.com/postalserver/postal/issues/885 (the route's webhook is never hit: Postal records -1)",
    // What Postal holds changes, not where dev3's inbox listens.
    postal: { endpointSettings: { dev3: { port: 1 } } },
  },
  {
    name: 'endpoint-raw-format',
    description: "growth's HTTP endpoint delivers the raw message instead of a hash: its inbox refuses Postal's payload",
    source:
      'https://github.com/postalserver/postal/issues/2717 (an endpoint "Delivered as the raw message"); postalserver/postal@3.3.2:app/senders/http_sender.rb',
    postal: { endpointSettings: { growth: { format: 'RawMessage' } } },
  },
  {
    name: 'endpoint-formdata-encoding',
    description: "marketing's HTTP endpoint sends form data instead of JSON: its inbox refuses Postal's payload",
    source: 'postalserver/postal@3.3.2:app/senders/http_sender.rb (encoding FormData: parameters(message, flat: true))',
    postal: { endpointSettings: { marketing: { encoding: 'FormData' } } },
  },
  {
    name: 'slow-webhook',
    description:
      "qa's inbox handler works 20 s on each message before it stores it (the endpoint timeout raised to 30 s to let it): qa's mail is late, not lost",
    source: 'https://github.com/postalserver/postal/issues/2717 (a slow HTTP endpoint: "Timed out after 5s")',
    manifest: (m) => ({ ...m, endpoints: m.endpoints.map((e) => (e.agentId === 'qa' ? { ...e, timeout: 30 } : e)) }),
    afterStart: (world) => world.handles.inboxes!.setDelay('qa', 20_000),
  },
  {
    name: 'spam-threshold-quarantine',
    description:
      'the mail server\'s spam threshold is -5 (meant as "off") with routes set to Quarantine: every incoming message is quarantined',
    source:
      'postalserver/postal@3.3.2:app/lib/message_dequeuer/incoming_message_processor.rb (spam_score > spam_threshold; hold_or_reject_spam)',
    manifest: (m) => ({ ...m, routes: m.routes.map((r) => ({ ...r, spamMode: 'Quarantine' as const })) }),
    postal: { spamThreshold: -5 },
  },
  {
    name: 'send-limit-reached',
    description: "the mail server's send limit is 100 messages an hour: a burst past it is Held, though the API accepted it",
    source:
      'https://github.com/postalserver/postal/issues/437 (Message held because send limit has been reached); https://github.com/postalserver/postal/issues/872',
    postal: { sendLimitPerHour: 100 },
  },
  {
    name: 'recipient-suppressed',
    description: "the Gmail seed is on the mail server's suppression list (after an earlier bounce): mail to it is Held",
    source: 'https://github.com/postalserver/postal/issues/879 (mail held: the address is on the suppression list)',
    postal: { suppressedRecipients: ['seed@gmail.test'] },
  },
  {
    name: 'outbound-spam-threshold-low',
    description: "the mail server's outbound spam threshold is -5: Postal fails every outgoing message as spam",
    source:
      'postalserver/postal@3.3.2:app/lib/message_dequeuer/outgoing_message_processor.rb (inspect_message, fail_if_spam: "Message is likely spam")',
    postal: { outboundSpamThreshold: -5 },
  },
  {
    name: 'api-credential-hold',
    description: "qa's API credential is set to Hold: everything qa sends is Held",
    source:
      'postalserver/postal@3.3.2:app/lib/message_dequeuer/outgoing_message_processor.rb (hold_if_credential_is_set_to_hold); https://github.com/postalserver/postal/issues/437',
    postal: { holdCredentialsOf: ['qa'] },
  },
  {
    name: 'server-development-mode',
    description: 'the mail server is in Development mode: Postal holds every message, in and out',
    source: 'postalserver/postal@3.3.2:app/lib/message_dequeuer/outgoing_message_processor.rb (hold_if_server_development_mode)',
    manifest: (m) => ({ ...m, server: { ...m.server, mode: 'Development' as const } }),
  },
  {
    name: 'server-suspended',
    description: 'the mail server is suspended: the API answers ServerSuspended to every key',
    source: 'postalserver/postal@3.3.2:app/controllers/legacy_api/base_controller.rb (render_error "ServerSuspended")',
    postal: { serverSuspended: true },
  },
  {
    name: 'smtp-credential-revoked',
    description: "the SMTP credential the agents' SMTP clients use was deleted in Postal: SMTP submission is refused with 535",
    source: 'postalserver/postal@3.3.2:app/lib/smtp_server/client.rb (authenticate: "535 Invalid credential")',
    manifest: (m) => ({ ...m, credentials: m.credentials.filter((c) => c.type !== 'SMTP') }),
  },
  {
    name: 'smtp-credential-unchecked-server',
    description:
      'the SMTP credential belongs to a second mail server whose copy of the domain never passed the DNS check: mail submitted over SMTP is signed with the fallback key',
    source:
      "postalserver/postal@3.3.2:app/lib/dkim_header.rb (fallback key unless the domain's dkim_status is OK); postalserver/postal@3.3.2:app/lib/smtp_server/client.rb (the credential's server finds the authenticated domain)",
    postal: { smtpCredentialOnUncheckedServer: true },
  },
  {
    name: 'helo-localhost',
    description: 'dns.helo_hostname is "localhost": Postal greets every receiving MX as localhost',
    source:
      'https://github.com/postalserver/postal/issues/19 (504 5.5.2 <localhost>: Helo command rejected); postalserver/postal@3.3.2:app/lib/smtp_client/endpoint.rb',
    postal: { heloHostname: 'localhost' },
  },
  {
    name: 'smtp-hostname-default',
    description: 'postal.smtp_hostname left at postal.example.com: banner, HELO answer and outbound HELO name another host',
    source:
      'postalserver/postal@3.3.2:lib/postal/config_schema.rb (smtp_hostname default "postal.example.com"); MXToolbox SMTP banner check',
    postal: { smtpHostname: 'postal.example.com' },
  },
  {
    name: 'outbound-plaintext',
    description: "Postal's STARTTLS to the providers fails and it delivers in plain text, though they offer TLS",
    source:
      'https://github.com/postalserver/postal/issues/1336 (outgoing mail not sent over a secure connection); postalserver/postal@3.3.2:app/lib/smtp_client/endpoint.rb',
    postal: { outboundTls: false },
  },
  {
    name: 'clock-skew',
    description: "the Postal host's clock runs an hour ahead (no NTP): its DKIM t= and Date lie in the receivers' future",
    source: 'dkimpy / mail-tester: a DKIM signature whose t= is in the future (RFC 6376 §3.5 t=, https://www.mail-tester.com/)',
    postal: { clockSkewMs: 3_600_000 },
  },
  {
    name: 'dkim-body-length',
    description: 'outgoing DKIM signatures carry l= (a body length), as a re-signing relay adds: text appended later still verifies',
    source:
      'mail-tester / dkimpy flag the l= tag (RFC 6376 §8.2 "Misuse of Body Length Limits", https://datatracker.ietf.org/doc/html/rfc6376#section-8.2)',
    postal: { dkimBodyLength: true },
  },
  {
    name: 'postal-resolver-down',
    description: "the resolver in Postal's dns.resolv_conf_path does not answer: the worker cannot look up any MX",
    source:
      'https://github.com/postalserver/postal/issues/564 (No SMTP servers were available); postalserver/postal@3.3.2:lib/postal/config_schema.rb (dns.resolv_conf_path)',
    postal: { resolverDown: true },
  },
  {
    name: 'web-certificate-expired',
    description: "the web host's certificate expired (the proxy's renewal failed): every API client refuses the connection",
    source:
      'testssl.sh certificate validity check / internet.nl (https://github.com/testssl/testssl.sh); https://github.com/postalserver/postal/issues/98 (certificates Caddy keeps)',
    postal: { webCertificateExpired: true },
  },
  {
    name: 'spf-include-typo',
    description: 'the apex SPF record includes a misspelt host that does not exist (permerror)',
    source: 'checkdmarc: SPF include/redirect target not found (https://domainaware.github.io/checkdmarc/, RFC 7208 §5.2)',
    zone: (records, ctx) =>
      replaceData(records, (r) => isSpf(r) && r.name === apex(ctx), `v=spf1 include:sfp.${apex(ctx)} ${ctx.deployment.dns.spf.all}`),
  },
  {
    name: 'dmarc-two-records',
    description: 'a second DMARC record at _dmarc (RFC 7489: receivers then apply none)',
    source: 'checkdmarc: MultipleDMARCRecords (https://domainaware.github.io/checkdmarc/, RFC 7489 §6.6.3)',
    zone: (records, ctx) => [
      ...records,
      {
        name: `_dmarc.${apex(ctx)}`,
        type: 'TXT',
        ttl: ctx.deployment.dns.ttl,
        data: `v=DMARC1; p=quarantine; rua=${ctx.deployment.dns.dmarc.rua}`,
      },
    ],
  },
  {
    name: 'dkim-record-truncated',
    description: 'the DNS host cut the 2048-bit DKIM record at 255 characters: the key does not parse',
    source:
      'https://github.com/docker-mailserver/docker-mailserver/issues/1035 (the DNS provider silently truncated the 2048-bit DKIM TXT record)',
    zone: (records, ctx) =>
      replaceData(
        records,
        (r) => r.type === 'TXT' && r.name === dkimName(ctx),
        (records.find((r) => r.type === 'TXT' && r.name === dkimName(ctx))?.data ?? '').slice(0, 255),
      ),
  },
  {
    name: 'dkim-testing-flag',
    description:
      "the DKIM record was published with t=y (testing) instead of Postal's t=s: Postal's exact check calls it Invalid and signs with its fallback key",
    source:
      'checkdmarc / RFC 6376 §3.6.1 t=y (testing mode); postalserver/postal@3.3.2:app/models/concerns/has_dns_checks.rb (exact comparison)',
    zone: (records, ctx) =>
      replaceData(
        records,
        (r) => r.type === 'TXT' && r.name === dkimName(ctx),
        (records.find((r) => r.type === 'TXT' && r.name === dkimName(ctx))?.data ?? '').replace('t=s;', 't=y;'),
      ),
  },
  {
    name: 'mx-missing',
    description: 'the MX record was deleted: nobody (Postal included) finds the mail host for the domain',
    source: 'internet.nl mail test: no MX (https://internet.nl/test-mail/); MXToolbox MX lookup',
    zone: (records, ctx) => without(records, (r) => r.type === 'MX' && r.name === apex(ctx)),
  },
  {
    name: 'domain-on-dbl',
    description: 'the domain is listed on the Spamhaus DBL (a domain blocklist receivers consult)',
    source: 'Spamhaus DBL (https://www.spamhaus.org/blocklists/domain-blocklist/); MXToolbox domain blacklist check',
    afterStart: (world, ctx) => {
      const dbl = BLOCKLISTS.filter((b) => b.zone === 'dbl.spamhaus.org').flatMap((b) =>
        blocklistListing(b, apex(ctx), 'the domain-on-dbl fault'),
      );
      for (const dns of [world.handles.primaryDns, world.handles.secondaryDns]) dns.setRecords([...dns.getRecords(), ...dbl]);
    },
  },
  ...SECURITY_FAULTS,
];

/** Enough SpamAssassin points (about 2.6) to lose the mail-tester 8/10, too few (under 5) to land in Junk. */
function SPAMMY_FOOTER(): string {
  return ['', '--', 'Partner offer: lose weight fast with our cheap meds, no prescription needed.'].join('\n');
}

function reporterOf(world: World, domain: string) {
  const reporter = world.handles.providers.find((p) => p.domain === domain)?.dmarc;
  if (!reporter) throw new Error(`the world has no DMARC reporter at ${domain}`);
  return reporter;
}

export function findFault(name: string): WorldFault | undefined {
  return FAULTS.find((f) => f.name === name);
}

/** Applies the zone faults to a zone file's text, rendering the result as a zone file again. */
export function applyZoneFaults(
  zoneText: string,
  faults: WorldFault[],
  ctx: FaultContext,
  which: 'zone' | 'staleZone',
): string | undefined {
  const mutations = faults.map((f) => f[which]).filter((m): m is NonNullable<typeof m> => Boolean(m));
  if (mutations.length === 0) return undefined;
  let records = parseZoneFile(zoneText, { origin: apex(ctx), defaultTtl: ctx.deployment.dns.ttl });
  for (const mutate of mutations) records = mutate(records, ctx);
  return renderZoneFile(records, ctx.deployment);
}

/**
 * The parts of the world a fault changes, so the fault matrix can tell which faults may share a world:
 * the zone records it adds, removes or alters (by name), what Postal holds (the manifest's parts), the
 * Postal settings it sets, and its after-start hook (one surface per fault: what it touches is its own).
 */
export function faultSurfaces(fault: WorldFault, ctx: FaultContext, zoneText: string, manifest: AccountsManifest): string[] {
  const surfaces: string[] = [];
  const records = parseZoneFile(zoneText, { origin: apex(ctx), defaultTtl: ctx.deployment.dns.ttl });
  const key = (r: DnsRecord) => `${r.name.toLowerCase()} ${r.type} ${r.data}`;
  for (const which of ['zone', 'staleZone'] as const) {
    const mutate = fault[which];
    if (!mutate) continue;
    const before = new Set(records.map(key));
    const after = mutate(records, ctx);
    const afterKeys = new Set(after.map(key));
    const changed = [...records.filter((r) => !afterKeys.has(key(r))), ...after.filter((r) => !before.has(key(r)))].map((r) =>
      r.name.toLowerCase(),
    );
    surfaces.push(...new Set(changed.map((name) => `${which}:${name}`)));
  }
  if (fault.manifest) {
    const after = fault.manifest(manifest, ctx) as unknown as Record<string, unknown>;
    const before = manifest as unknown as Record<string, unknown>;
    for (const part of Object.keys(after))
      if (JSON.stringify(after[part]) !== JSON.stringify(before[part])) surfaces.push(`manifest:${part}`);
  }
  for (const option of Object.keys(fault.postal ?? {})) surfaces.push(`postal:${option}`);
  if (fault.afterStart) surfaces.push(`afterStart:${fault.name}`);
  return surfaces;
}
