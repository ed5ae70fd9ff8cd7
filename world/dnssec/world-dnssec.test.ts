/**
 * The world's signatures checked by an independent validator (@relaycorp/dnssec, its own canonical form
 * and crypto), through the DNS server's answers in wire form — no sockets, so no net is needed.
 */
import { dnssecLookUp, Question, SecurityStatus, type TrustAnchor } from '@relaycorp/dnssec';
import dns2 from 'dns2';
import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../core/artifacts/zone-file.ts';
import { DnsServer } from '../dns-server.ts';
import { keyTagOf, nameWire, WorldDnssec, zoneChain } from './world-dnssec.ts';

const { Packet } = dns2;
const r = (name: string, type: DnsRecord['type'], data: string): DnsRecord => ({ name, type, ttl: 300, data });
const SOA = 'ns1.world.test hostmaster.world.test 1 3600 600 86400 60';
const RECORDS: DnsRecord[] = [
  r('mailgoat.ai', 'SOA', SOA),
  r('mailgoat.ai', 'NS', 'ns1.world.test'),
  r('mailgoat.ai', 'MX', '10 mail.mailgoat.ai'),
  r('mailgoat.ai', 'TXT', `v=spf1 include:spf.mailgoat.ai ~all`),
  r('postal-abc._domainkey.mailgoat.ai', 'TXT', `v=DKIM1; t=s; h=sha256; p=${'A'.repeat(392)}`),
  r('mail.mailgoat.ai', 'A', '127.0.140.10'),
  r('_25._tcp.mail.mailgoat.ai', 'TLSA', `3 1 1 ${'ab'.repeat(32)}`),
  r('www.mailgoat.ai', 'CNAME', 'mail.mailgoat.ai'),
  r('gmail.test', 'SOA', SOA),
  r('gmail.test', 'MX', '10 mx.gmail.test'),
];

function world(zones = ['mailgoat.ai', 'gmail.test']) {
  const dnssec = new WorldDnssec({ zones });
  const server = new DnsServer({ address: '127.0.0.1', records: RECORDS, dnssec });
  const anchor = dnssec.trustAnchor();
  const trustAnchors: TrustAnchor[] = [
    { keyTag: anchor.keyTag, algorithm: anchor.algorithm, digestType: anchor.digestType, digest: Buffer.from(anchor.digest, 'hex') },
  ];
  const resolver = (question: Question): Promise<Buffer> => {
    const request = new Packet();
    request.header = new Packet.Header({ id: 1, qdcount: 1 });
    request.questions = [{ name: question.name.replace(/\.$/, ''), type: question.typeId, class: 1 } as never];
    return Promise.resolve(server.answer(request, { dnssecOk: true }).toBuffer());
  };
  const lookUp = (name: string, type: string) => dnssecLookUp(new Question(`${name}.`, type as never), resolver, { trustAnchors });
  return { dnssec, server, lookUp };
}

describe('the world signs its zones so an independent validator finds them secure', () => {
  it('MX, TXT (a long DKIM key in several strings), A through a CNAME and TLSA validate from the root anchor', async () => {
    const { lookUp } = world();
    for (const [name, type] of [
      ['mailgoat.ai', 'MX'],
      ['mailgoat.ai', 'TXT'],
      ['postal-abc._domainkey.mailgoat.ai', 'TXT'],
      ['mail.mailgoat.ai', 'A'],
      ['_25._tcp.mail.mailgoat.ai', 'TLSA'],
      ['gmail.test', 'MX'],
    ] as const) {
      const result = await lookUp(name, type);
      expect({ name, type, status: result.status, reasons: 'reasonChain' in result ? result.reasonChain : [] }).toEqual({
        name,
        type,
        status: SecurityStatus.SECURE,
        reasons: [],
      });
    }
  });

  it("is bogus once the zone's signatures expired, naming the answer's signature", async () => {
    const { dnssec, lookUp } = world();
    dnssec.setFault('mailgoat.ai', 'expired-signatures');
    const result = await lookUp('mailgoat.ai', 'MX');
    expect(result.status).toBe(SecurityStatus.BOGUS);
    expect((await lookUp('gmail.test', 'MX')).status).toBe(SecurityStatus.SECURE);
  });

  it('is bogus when the DS at the parent names another key', async () => {
    const { dnssec, lookUp } = world();
    dnssec.setFault('mailgoat.ai', 'ds-mismatch');
    const result = await lookUp('mailgoat.ai', 'MX');
    expect(result.status).toBe(SecurityStatus.BOGUS);
    expect('reasonChain' in result ? result.reasonChain.join(' ') : '').toMatch(/No DNSKEY matched specified DS/);
  });

  it('serves no DNSKEY, no DS and no RRSIG for an unsigned zone, and RRSIGs only when DO is set', () => {
    const { dnssec, server } = world();
    const ask = (name: string, type: number, dnssecOk: boolean) => {
      const request = new Packet();
      request.header = new Packet.Header({ id: 1, qdcount: 1 });
      request.questions = [{ name, type, class: 1 } as never];
      return server.answer(request, { dnssecOk });
    };
    expect(ask('mailgoat.ai', Packet.TYPE.MX, true).answers.map((a) => a.type)).toEqual([Packet.TYPE.MX, 46]);
    expect(ask('mailgoat.ai', Packet.TYPE.MX, false).answers.map((a) => a.type)).toEqual([Packet.TYPE.MX]);
    expect(ask('mailgoat.ai', 43, true).answers.map((a) => a.type)).toEqual([43, 46]);
    expect(ask('', 48, false).answers.map((a) => a.type)).toEqual([48]);
    dnssec.setFault('mailgoat.ai', 'unsigned');
    expect(ask('mailgoat.ai', Packet.TYPE.MX, true).answers.map((a) => a.type)).toEqual([Packet.TYPE.MX]);
    expect(ask('mailgoat.ai', 43, true).answers).toEqual([]);
    expect(ask('mailgoat.ai', 48, true).answers).toEqual([]);
    expect(ask('mailgoat.ai', 48, true).header.rcode).toBe(0);
  });
});

describe('the DNSSEC wire helpers', () => {
  it('chains zones from the root, writes names canonically and computes RFC 4034 key tags', () => {
    expect(zoneChain('mail.mailgoat.ai')).toEqual(['', 'ai', 'mailgoat.ai', 'mail.mailgoat.ai']);
    expect(zoneChain('')).toEqual(['']);
    expect(nameWire('Mail.AI.')).toEqual(Buffer.from([4, 0x6d, 0x61, 0x69, 0x6c, 2, 0x61, 0x69, 0]));
    expect(nameWire('')).toEqual(Buffer.from([0]));
    // RFC 4034 Appendix B over flags 257, protocol 3, algorithm 13 and a key of zeros: 0x0101 + 0x030d = 0x040e.
    expect(keyTagOf(Buffer.from([1, 1, 3, 13, 0, 0]))).toBe(0x040e);
  });
});
