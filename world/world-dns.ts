/**
 * The world's DNS data: the deployment's own zone file (as provisioned, or as a user edited it),
 * moved onto loopback, plus the zones of the simulated Internet around it.
 *
 * Moving onto loopback means replacing the deployment's public server IP by the world's postal
 * address wherever it appears: A records, `ip4:` tokens of SPF records, and the owner of the
 * reverse-zone PTR (3.35.98.91.in-addr.arpa → 10.0.0.127.in-addr.arpa). Everything else is served
 * as written — so a mistake in the records (a wrong DKIM key, a missing PTR, two SPF records)
 * stays a mistake in the world.
 *
 * World zones: the deployment's domain, the reverse zone of the world's net, gmail.test,
 * outlook.test, sender.test and world.test (name servers, inbox receivers). Each gets an SOA and
 * NS records naming ns1/ns2.world.test (the primary and secondary world DNS servers); SOA or NS
 * records the zone file had at a served zone's apex are replaced by the world's.
 */
import { BLOCKLISTS, blocklistQuery, TEST_POINTS, type Blocklist } from '../core/dnsbl/blocklists.ts';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import { isInZone, normalizeName, parseZoneFile, reverseName, reverseZone24, type DnsRecord } from '../core/artifacts/zone-file.ts';
import { worldAddresses, type WorldAddresses } from './addresses.ts';

export const WORLD_TTL = 300;
export const WORLD_NS = ['ns1.world.test', 'ns2.world.test'] as const;
export const PROVIDER_ZONES = ['gmail.test', 'outlook.test', 'sender.test', 'mail-tester.test'] as const;

export interface BuildWorldRecordsOptions {
  deployment: Deployment;
  /** the zone file text: the provisioned postal-dns-records.txt or a user's own */
  zoneText: string;
  /** the world's net (first three octets); default 127.0.0 */
  net?: string;
  /** SOA serial of every zone; default 1 (a stale copy can be given a lower one than the fresh) */
  serial?: number;
  /** Where the deployment's server is in the world: the stand-in's address by default, or a Postal the world does not run. */
  postalAddress?: string;
}

export function buildWorldRecords(options: BuildWorldRecordsOptions): DnsRecord[] {
  const { deployment } = options;
  const addresses = worldAddresses(options.net);
  const domain = normalizeName(deployment.domain);
  const parsed = parseZoneFile(options.zoneText, { origin: domain, defaultTtl: deployment.dns.ttl });
  const postalAddress = options.postalAddress ?? addresses.postal;
  const mapped = parsed.map((r) => mapToWorld(r, deployment.server.ip, postalAddress));

  const own = [...providerRecords(addresses), ...blocklistTestPoints()];
  const zones = new Set<string>([domain, reverseZone24(postalAddress), ...PROVIDER_ZONES, 'world.test', ...BLOCKLISTS.map((b) => b.zone)]);
  // Serve whatever else the zone file holds (e.g. an SPF include host in another domain).
  for (const record of mapped) {
    if (![...zones].some((z) => isInZone(record.name, z))) zones.add(guessZone(record.name));
  }

  const apexOwned = (r: DnsRecord): boolean => (r.type === 'SOA' || r.type === 'NS') && zones.has(r.name);
  const records = [...mapped.filter((r) => !apexOwned(r)), ...own];
  const serial = options.serial ?? 1;
  const apex: DnsRecord[] = [];
  for (const zone of zones) {
    apex.push({ name: zone, type: 'SOA', ttl: WORLD_TTL, data: `${WORLD_NS[0]} hostmaster.world.test ${serial} 3600 600 86400 60` });
    for (const ns of WORLD_NS) apex.push({ name: zone, type: 'NS', ttl: WORLD_TTL, data: ns });
  }
  return dedupe([...apex, ...records]);
}

/** Replaces the deployment's public IP by the world's postal address in one record. */
export function mapToWorld(record: DnsRecord, serverIp: string, postalAddress: string): DnsRecord {
  if (record.type === 'A' && record.data === serverIp) return { ...record, data: postalAddress };
  if (record.type === 'TXT' && /^v=spf1(\s|$)/i.test(record.data)) {
    const escaped = serverIp.replace(/\./g, '\\.');
    const data = record.data.replace(new RegExp(`(^|\\s)([+~?-]?ip4:)${escaped}(?=/|\\s|$)`, 'gi'), `$1$2${postalAddress}`);
    return { ...record, data };
  }
  if (record.type === 'PTR' && record.name === reverseName(serverIp)) return { ...record, name: reverseName(postalAddress) };
  return record;
}

/** The simulated Internet: mailbox providers, the outside sender, name servers, inbox receivers. */
function providerRecords(a: WorldAddresses): DnsRecord[] {
  const r = (name: string, type: DnsRecord['type'], data: string): DnsRecord => ({ name, type, ttl: WORLD_TTL, data });
  const hosts: Array<[string, string]> = [
    ['mx.gmail.test', a.gmail],
    ['mx.outlook.test', a.outlook],
    ['mx.sender.test', a.sender],
    ['mx.mail-tester.test', a.mailTester],
    ['inboxes.world.test', a.inboxes],
    ['agents.world.test', a.agentHost],
    [WORLD_NS[0], a.dns],
    [WORLD_NS[1], a.dnsSecondary],
  ];
  return [
    ...PROVIDER_ZONES.map((zone) => r(zone, 'MX', `10 mx.${zone}`)),
    ...hosts.map(([host, address]) => r(host, 'A', address)),
    ...hosts.map(([host, address]) => r(reverseName(address), 'PTR', host)),
    // The providers' IMAP names (on their certificates): what a mail client, and the live settings, connect to.
    r('imap.gmail.test', 'A', a.gmail),
    r('imap.outlook.test', 'A', a.outlook),
    // mail-tester's report pages (the stand-in's web host, on the same address as its MX).
    r('www.mail-tester.test', 'A', a.mailTester),
    r('sender.test', 'TXT', `v=spf1 ip4:${a.sender} -all`),
    r('_dmarc.sender.test', 'TXT', 'v=DMARC1; p=reject'),
  ];
}

/** Every blocklist zone with its RFC 5782 test point listed, so a client can tell "not listed" from "not asked". */
function blocklistTestPoints(): DnsRecord[] {
  return BLOCKLISTS.flatMap((list) => blocklistListing(list, TEST_POINTS[list.lists].listed, 'RFC 5782 test point'));
}

/** The records that list `subject` (an IP or a domain) on one blocklist, the way the real lists answer. */
export function blocklistListing(list: Blocklist, subject: string, why: string): DnsRecord[] {
  const name = blocklistQuery(list, subject);
  return [
    { name, type: 'A', ttl: WORLD_TTL, data: '127.0.0.2' },
    { name, type: 'TXT', ttl: WORLD_TTL, data: `Listed by the world's ${list.name} stand-in: ${why}` },
  ];
}

function guessZone(name: string): string {
  if (name.endsWith('.in-addr.arpa')) {
    const octets = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (octets.length === 4) return octets.slice(1).join('.') + '.in-addr.arpa';
  }
  const labels = name.split('.');
  return labels.length > 2 ? labels.slice(-2).join('.') : name;
}

function dedupe(records: DnsRecord[]): DnsRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.name}\u0000${r.type}\u0000${r.data}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
