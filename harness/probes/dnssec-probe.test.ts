/**
 * DNS-13's probe and check against the world's real DNS server on loopback, signed with real keys:
 * a sound zone passes, each way operators break DNSSEC fails for its own cause, unsigned warns.
 * (The address is on 127.0.149, the DNSSEC engineer's net: run under flock /tmp/postal-qa-fixed-nets.lock.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../core/artifacts/zone-file.ts';
import { DnsServer, WorldDnssec } from '../targets/embedded-test-servers.ts';
import { checkDnssec } from '../checks/dnssec-check.ts';
import { dnssecProbe, parseTrustAnchor } from './dnssec-probe.ts';
import type { ProbeContext } from './probe-context.ts';

const ADDRESS = '127.0.149.53';
const r = (name: string, type: DnsRecord['type'], data: string): DnsRecord => ({ name, type, ttl: 300, data });
const RECORDS: DnsRecord[] = [
  r('mailgoat.ai', 'SOA', 'ns1.world.test hostmaster.world.test 1 3600 600 86400 60'),
  r('mailgoat.ai', 'MX', '10 mail.mailgoat.ai'),
  r('mailgoat.ai', 'TXT', 'v=spf1 ip4:127.0.149.10 ~all'),
  r('_dmarc.mailgoat.ai', 'TXT', 'v=DMARC1; p=none'),
  r('mail.mailgoat.ai', 'A', '127.0.149.10'),
  r('postal-qpMdyI._domainkey.mailgoat.ai', 'TXT', `v=DKIM1; k=rsa; p=${'B'.repeat(392)}`),
];
const QUESTIONS = [
  { name: 'mailgoat.ai', type: 'MX', purpose: 'MX' },
  { name: 'mailgoat.ai', type: 'TXT', purpose: 'SPF' },
  { name: '_dmarc.mailgoat.ai', type: 'TXT', purpose: 'DMARC' },
  { name: 'mail.mailgoat.ai', type: 'A', purpose: 'mail host A' },
  { name: 'postal-qpMdyI._domainkey.mailgoat.ai', type: 'TXT', purpose: 'DKIM' },
];

const dnssec = new WorldDnssec({ zones: ['mailgoat.ai'] });
const server = new DnsServer({ address: ADDRESS, records: RECORDS, dnssec });
const anchor = dnssec.trustAnchor();
const anchorText = `. DS ${anchor.keyTag} ${anchor.algorithm} ${anchor.digestType} ${anchor.digest}`;
const context = {
  target: {
    domain: 'mailgoat.ai',
    dns: { reverse: { label: 'resolver', server: ADDRESS } },
    timeouts: { dnsMs: 3_000 },
    dnssecTrustAnchor: anchorText,
  },
} as unknown as ProbeContext;

async function verdict() {
  return checkDnssec(await dnssecProbe(context).observe(QUESTIONS));
}

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.stop();
});

describe('DNS-13 against a signed world over UDP', () => {
  it('passes a signed zone whose chain validates from the configured root anchor', async () => {
    dnssec.setFault('mailgoat.ai', undefined);
    const observation = await dnssecProbe(context).observe(QUESTIONS);
    expect(observation.lookups.map((l) => l.status)).toEqual(['secure', 'secure', 'secure', 'secure', 'secure']);
    expect(observation.ds.keyTags).toEqual(observation.dnskey.keyTags);
    expect(observation.lookups[0]!.rrsigExpirations[0]).toBeGreaterThan(observation.now);
    const result = checkDnssec(observation);
    expect(result.outcome).toBe('pass');
    expect(result.summary).toBe('mailgoat.ai is signed and validates from DNSSEC_TRUST_ANCHOR: MX, SPF, DMARC, mail host A, DKIM secure');
  });

  it('fails expired signatures, naming them and the date', async () => {
    dnssec.setFault('mailgoat.ai', 'expired-signatures');
    const result = await verdict();
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/^the RRSIG signatures over MX \(MX mailgoat\.ai\), SPF .* expired on \d{4}-/);
    expect(result.remediation).toMatch(/Re-sign mailgoat\.ai's zone/);
  });

  it('fails a DS that names another key', async () => {
    dnssec.setFault('mailgoat.ai', 'ds-mismatch');
    const result = await verdict();
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(
      /^the DS at the parent of mailgoat\.ai names key tag \d+, but the zone's DNSKEYs are key tag \d+ \(a DS mismatch\)/,
    );
  });

  it('warns when the zone is unsigned, naming what internet.nl says', async () => {
    dnssec.setFault('mailgoat.ai', 'unsigned');
    const observation = await dnssecProbe(context).observe(QUESTIONS);
    expect(observation.lookups).toEqual([]);
    const result = checkDnssec(observation);
    expect(result.outcome).toBe('warn');
    expect(result.summary).toMatch(/not signed with DNSSEC .*internet\.nl reports "DNSSEC existence: failed"/);
  });

  it('reads the trust anchor setting and refuses anything else', () => {
    expect(parseTrustAnchor('. IN DS 20326 8 2 E06D44B8')).toEqual({
      keyTag: 20326,
      algorithm: 8,
      digestType: 2,
      digest: Buffer.from('E06D44B8', 'hex'),
    });
    expect(() => parseTrustAnchor('20326 8 2')).toThrow(/DNSSEC_TRUST_ANCHOR "20326 8 2" is not/);
  });
});
