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

export type { FaultContext, WorldFault } from './world-fault.ts';

const lower = (s: string) => s.toLowerCase();
const apex = (ctx: FaultContext) => lower(ctx.deployment.domain);
const isSpf = (r: DnsRecord) => r.type === 'TXT' && /^v=spf1(\s|$)/i.test(r.data);
const dkimName = (ctx: FaultContext) => `${lower(ctx.deployment.dns.dkim.selector)}._domainkey.${apex(ctx)}`;
const replaceData = (records: DnsRecord[], match: (r: DnsRecord) => boolean, data: string) => records.map((r) => (match(r) ? { ...r, data } : r));
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
    description: "the SPF include host no longer lists the server's IP",
    zone: (records, ctx) => replaceData(records, (r) => isSpf(r) && r.name === lower(ctx.deployment.dns.spf.include), `v=spf1 ${ctx.deployment.dns.spf.all}`),
  },
  {
    name: 'spf-too-many-lookups',
    description: 'the apex SPF record needs 11 DNS lookups (RFC 7208 allows 10)',
    zone: (records, ctx) =>
      replaceData(records, (r) => isSpf(r) && r.name === apex(ctx), `v=spf1 include:${lower(ctx.deployment.dns.spf.include)} a mx ${Array.from({ length: 8 }, (_, i) => `a:host${i + 1}.${apex(ctx)}`).join(' ')} ~all`),
  },
  {
    name: 'two-spf-records',
    description: 'a second v=spf1 record at the apex (permerror for mail sent as the apex; Postal\'s bounces use the return-path host and still pass)',
    zone: (records, ctx) => [...records, { name: apex(ctx), type: 'TXT', ttl: ctx.deployment.dns.ttl, data: 'v=spf1 mx ~all' }],
  },
  {
    name: 'dkim-missing',
    description: "the domain's DKIM record is not published",
    zone: (records, ctx) => without(records, (r) => r.type === 'TXT' && r.name === dkimName(ctx)),
  },
  {
    name: 'dkim-old-key',
    description: 'the DKIM record holds an old key; the server signs with a new one',
    zone: (records, ctx) => replaceData(records, (r) => r.type === 'TXT' && r.name === dkimName(ctx), `v=DKIM1; t=s; h=sha256; p=${unrelatedPublicKey()}`),
  },
  {
    name: 'dkim-fallback-signing',
    description: "Postal signs with its install key as d=<return-path domain> of another organisation (DKIM passes, alignment fails)",
    zone: (records, ctx) => foreignReturnPath(without(records, (r) => r.type === 'TXT' && r.name === dkimName(ctx)), ctx),
    manifest: (m) => ({ ...m, domain: { ...m.domain, returnPathDomain: FOREIGN_RETURN_PATH } }),
  },
  {
    name: 'domain-never-dns-checked',
    description: "the domain was created by a script that never ran Postal's DNS check: Postal signs with its install key forever (d=<return-path domain>, s=postal)",
    manifest: (m) => ({ ...m, domain: { ...m.domain, dnsChecked: false } }),
  },
  {
    name: 'dkim-record-k-rsa',
    description: "the DKIM record carries k=rsa, as generic guides suggest: Postal's exact-string check calls it Invalid and signs with its fallback key",
    zone: (records, ctx) => replaceData(records, (r) => r.type === 'TXT' && r.name === dkimName(ctx), (records.find((r) => r.type === 'TXT' && r.name === dkimName(ctx))?.data ?? '').replace('v=DKIM1; ', 'v=DKIM1; k=rsa; ')),
  },
  {
    name: 'dkim-selector-without-prefix',
    description: 'the DKIM record is published at the bare selector (qpMdyI) instead of Postal\'s postal-qpMdyI: nobody looks there',
    zone: (records, ctx) =>
      records.map((r) => (r.type === 'TXT' && r.name === dkimName(ctx) ? { ...r, name: r.name.replace(`${lower(ctx.deployment.postal.dkimIdentifier)}-`, '') } : r)),
  },
  {
    name: 'database-down',
    description: 'the postal-mariadb container stopped: every API call fails and the queue is stuck',
    afterStart: (world) => world.handles.postal!.stopDatabase(),
  },
  {
    name: 'dmarc-missing',
    description: 'no DMARC record',
    zone: (records, ctx) => without(records, (r) => r.type === 'TXT' && r.name === `_dmarc.${apex(ctx)}`),
  },
  {
    name: 'dmarc-malformed',
    description: 'the DMARC record does not start with v=DMARC1 (receivers ignore it)',
    zone: (records, ctx) => replaceData(records, (r) => r.type === 'TXT' && r.name === `_dmarc.${apex(ctx)}`, `p=none; v=DMARC1; rua=${ctx.deployment.dns.dmarc.rua}`),
  },
  {
    name: 'dmarc-reject-misaligned',
    description: 'DMARC p=reject while neither SPF nor DKIM aligns (old DKIM key, no return-path CNAME, foreign return path): providers refuse',
    zone: (records, ctx) =>
      foreignReturnPath(
        without(
          replaceData(
            replaceData(records, (r) => r.type === 'TXT' && r.name === `_dmarc.${apex(ctx)}`, `v=DMARC1; p=reject; rua=${ctx.deployment.dns.dmarc.rua}`),
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
    description: 'the hosting provider never set the PTR',
    zone: (records, ctx) => without(records, (r) => r.type === 'PTR' && r.name === reverseName(ctx.deployment.server.ip)),
  },
  {
    name: 'ptr-mismatch',
    description: 'the PTR names another host (the provider default)',
    zone: (records, ctx) => replaceData(records, (r) => r.type === 'PTR' && r.name === reverseName(ctx.deployment.server.ip), `static.3.35.98.91.clients.your-server.de`),
  },
  {
    name: 'mx-elsewhere',
    description: 'the MX points at a host that is not this server',
    // Postal delivers to its own domain through the MX like anyone else, so internal mail breaks too.
    zone: (records, ctx) => replaceData(records, (r) => r.type === 'MX' && r.name === apex(ctx), `10 mx.old-provider.example`),
  },
  {
    name: 'stale-resolver',
    description: 'one resolver still serves the old zone (SPF without the server IP)',
    staleZone: (records, ctx) => replaceData(records, (r) => isSpf(r) && r.name === lower(ctx.deployment.dns.spf.include), `v=spf1 ip4:203.0.113.7 ${ctx.deployment.dns.spf.all}`),
  },
  {
    name: 'worker-down',
    description: 'the worker container stopped: the queue is stuck',
    afterStart: (world) => world.handles.postal!.stopWorker(),
  },
  {
    name: 'smtp-health-down',
    description: "the smtp process's health endpoint reports unhealthy",
    afterStart: (world) => world.handles.postal!.setSmtpHealthy(false),
  },
  {
    name: 'web-down',
    description: 'the web container is down: no UI, no API on 443',
    afterStart: (world) => world.handles.postal!.stopWeb(),
  },
  {
    name: 'smtp-down',
    description: 'the smtp container is down: nothing listens on 25',
    afterStart: (world) => world.handles.postal!.stopSmtp(),
  },
  {
    name: 'route-missing',
    description: "one agent's route (dev2) was never created: its mail falls to the catch-all",
    manifest: (m) => ({ ...m, routes: m.routes.filter((r) => r.agentId !== 'dev2' || r.name === '*') }),
  },
  {
    name: 'api-key-revoked',
    description: "one agent's API key (growth) was revoked in Postal",
    manifest: (m) => ({ ...m, credentials: m.credentials.map((c) => (c.agentId === 'growth' && c.type === 'API' ? { ...c, key: 'Revoked0000000000000000x' } : c)) }),
  },
  {
    name: 'catch-all-missing',
    description: 'the catch-all route * → team is missing: unknown addresses are refused',
    manifest: (m) => ({ ...m, routes: m.routes.filter((r) => r.name !== '*') }),
  },
  {
    name: 'open-relay',
    description: 'the SMTP server relays for anyone',
    postal: { openRelay: true },
  },
  {
    name: 'starttls-off',
    description: 'TLS is disabled in postal.yml: no STARTTLS on 25',
    postal: { starttls: false },
  },
  {
    name: 'spammy-signature',
    description: 'a promotional signature added to every message sent through the API pushes the spam score under 8 (and changes what the agents wrote)',
    postal: { outgoingFooter: SPAMMY_FOOTER() },
  },
  {
    name: 'outbound-25-blocked',
    description: 'the hosting provider blocks outgoing port 25 (the plan\'s first risk)',
    postal: { outboundBlocked: true },
  },
  {
    name: 'ip-blocklisted',
    description: "the server's IP is on a blocklist the providers consult",
    afterStart: (world) => {
      // Listed where receivers look it up (Spamhaus ZEN and SpamCop over DNS), and refused by the providers that consult them.
      const listing = BLOCKLISTS.filter((b) => b.zone === 'zen.spamhaus.org' || b.zone === 'bl.spamcop.net').flatMap((b) => blocklistListing(b, world.addresses.postal, 'the ip-blocklisted fault'));
      for (const dns of [world.handles.primaryDns, world.handles.secondaryDns]) dns.setRecords([...dns.getRecords(), ...listing]);
      world.handles.providers.forEach((p) => p.setBlocklist([world.addresses.postal]));
    },
  },
  {
    name: 'inbox-5xx',
    description: "the qa agent's inbox receiver answers 503: Postal retries, then gives up",
    afterStart: (world) => world.handles.inboxes!.setFailing('qa', 503),
  },
  {
    name: 'dmarc-report-malformed',
    description: "outlook.test also mails the rua address a report whose gzip holds the word `unused` instead of XML (Yahoo's reporter sent such reports in May 2023)",
    source: 'https://github.com/domainaware/parsedmarc/issues/409',
    afterStart: (world, ctx) =>
      reporterOf(world, 'outlook.test').addExtra(({ org, begin, end }) => Promise.resolve({ policyDomain: apex(ctx), fileName: reportFileName(org, apex(ctx), begin, end, 'xml.gz'), contentType: 'application/gzip', bytes: gzipSync('unused') })),
  },
  {
    name: 'dmarc-report-foreign-domain',
    description: 'gmail.test also mails the rua address a report about example.org, a domain that names that address as its own rua',
    source: 'https://dmarc.org/2015/08/receiving-dmarc-reports-outside-your-domain/ (RFC 7489 §7.1; checkdmarc checks the authorisation record)',
    afterStart: (world) =>
      reporterOf(world, 'gmail.test').addExtra(async ({ org, begin, end }) => {
        const policy = { domain: 'example.org', adkim: 'r' as const, aspf: 'r' as const, p: 'none', sp: 'none', pct: 100 };
        const message = { sourceIp: '192.0.2.25', headerFrom: 'example.org', envelopeFrom: 'example.org', envelopeTo: org, disposition: 'none' as const, dkimAligned: true, spfAligned: true, dkim: [{ domain: 'example.org', selector: 's1', result: 'pass' }], spf: { domain: 'example.org', scope: 'mfrom' as const, result: 'pass' } };
        const xml = reportXml({ org, email: `noreply-dmarc-support@${org}`, reportId: `${Date.now()}9`, begin, end, policy, messages: [message] });
        return { policyDomain: 'example.org', fileName: reportFileName(org, 'example.org', begin, end, 'zip'), contentType: 'application/zip', bytes: await zipped(reportFileName(org, 'example.org', begin, end, 'xml'), xml) };
      }),
  },
  {
    name: 'dmarc-unknown-source',
    description: 'a host outside the deployment (mx.sender.test) mails the seeds as ceo@<domain>; with p=none the providers deliver it, and their reports show the source',
    source: 'https://github.com/mail-in-a-box/mailinabox/issues/1755',
    afterStart: async (world, ctx) => {
      const to = world.handles.providers.map((p) => p.seeds[0]!.address);
      await world.handles.sender!.spoof({ from: `ceo@${apex(ctx)}`, to, subject: 'Invoice 4471 overdue', text: 'Please pay the attached invoice today.' });
    },
  },
  {
    name: 'slow-delivery',
    description: 'every delivery waits 6 s in the queue (over the latency target)',
    postal: { deliveryDelayMs: 6_000 },
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
export function applyZoneFaults(zoneText: string, faults: WorldFault[], ctx: FaultContext, which: 'zone' | 'staleZone'): string | undefined {
  const mutations = faults.map((f) => f[which]).filter((m): m is NonNullable<typeof m> => Boolean(m));
  if (mutations.length === 0) return undefined;
  let records = parseZoneFile(zoneText, { origin: apex(ctx), defaultTtl: ctx.deployment.dns.ttl });
  for (const mutate of mutations) records = mutate(records, ctx);
  return renderZoneFile(records, ctx.deployment);
}
