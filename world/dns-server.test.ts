import { execFile, execFileSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsRecord } from '../core/artifacts/zone-file.ts';
import { DnsServer, txtChunks } from './dns-server.ts';

// An uncommon net, so the test never clashes with a running world (127.0.0.x) or world-dns.test.ts (127.0.99.x).
const ADDRESS = '127.0.98.53';
const LONG = `v=DKIM1; p=${'A'.repeat(600)}`;
const r = (name: string, type: DnsRecord['type'], data: string, ttl = 300): DnsRecord => ({ name, type, ttl, data });
const RECORDS: DnsRecord[] = [
  r('example.test', 'SOA', 'ns1.example.test hostmaster.example.test 7 3600 600 86400 60'),
  r('example.test', 'NS', 'ns1.example.test'),
  r('ns1.example.test', 'A', ADDRESS),
  r('example.test', 'MX', '10 mail.example.test'),
  r('mail.example.test', 'A', '127.0.98.10'),
  r('mail.example.test', 'AAAA', '::1'),
  r('example.test', 'TXT', 'v=spf1 ip4:127.0.98.10 -all'),
  r('sel._domainkey.example.test', 'TXT', LONG),
  r('www.example.test', 'CNAME', 'mail.example.test'),
  r('alias.example.test', 'CNAME', 'www.example.test'),
  r('away.example.test', 'CNAME', 'somewhere.example.net'),
  r('dangling.example.test', 'CNAME', 'nothing.example.test'),
  r('98.0.127.in-addr.arpa', 'SOA', 'ns1.example.test hostmaster.example.test 7 3600 600 86400 60'),
  r('10.98.0.127.in-addr.arpa', 'PTR', 'mail.example.test'),
];

const server = new DnsServer({ address: ADDRESS, records: RECORDS });
const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
resolver.setServers([ADDRESS]);
const udp = dns2.UDPClient({ dns: ADDRESS, port: 53 });
const tcp = dns2.TCPClient({ dns: ADDRESS, port: 53 });
const hasDig = (() => {
  try {
    execFileSync('which', ['dig'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.stop();
});

const code = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: NodeJS.ErrnoException) => e.code,
  );

describe('DnsServer over UDP (node resolver)', () => {
  it('answers A, AAAA, MX, TXT, NS, SOA and PTR', async () => {
    expect(await resolver.resolve4('mail.example.test')).toEqual(['127.0.98.10']);
    expect(await resolver.resolve6('mail.example.test')).toEqual(['::1']);
    expect(await resolver.resolveMx('example.test')).toMatchObject([{ exchange: 'mail.example.test', priority: 10 }]);
    expect(await resolver.resolveTxt('example.test')).toEqual([['v=spf1 ip4:127.0.98.10 -all']]);
    expect(await resolver.resolveNs('example.test')).toEqual(['ns1.example.test']);
    expect(await resolver.resolveSoa('example.test')).toMatchObject({
      nsname: 'ns1.example.test',
      hostmaster: 'hostmaster.example.test',
      serial: 7,
    });
    expect(await resolver.reverse('127.0.98.10')).toEqual(['mail.example.test']);
  });

  it('splits TXT values over 255 bytes into chunks that reassemble', async () => {
    const [txt] = await resolver.resolveTxt('sel._domainkey.example.test');
    expect(txt!.length).toBe(3);
    for (const chunk of txt!) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(255);
    expect(txt!.join('')).toBe(LONG);
  });

  it('chases CNAMEs inside the served data', async () => {
    expect(await resolver.resolve4('alias.example.test')).toEqual(['127.0.98.10']);
    const packet = await udp('alias.example.test', 'A');
    expect(packet.answers.map((a) => [a.name, a.type, a.domain ?? a.address])).toEqual([
      ['alias.example.test', dns2.Packet.TYPE.CNAME, 'www.example.test'],
      ['www.example.test', dns2.Packet.TYPE.CNAME, 'mail.example.test'],
      ['mail.example.test', dns2.Packet.TYPE.A, '127.0.98.10'],
    ]);
    expect(await resolver.resolveCname('www.example.test')).toEqual(['mail.example.test']);
    const away = await udp('away.example.test', 'A');
    expect(away.header.rcode).toBe(0);
    expect(away.answers).toHaveLength(1);
    const dangling = await udp('dangling.example.test', 'A');
    expect(dangling.header.rcode).toBe(3);
    expect(dangling.answers).toHaveLength(1);
  });

  it('answers NXDOMAIN with aa and the SOA for a name in the zone without records', async () => {
    expect(await code(resolver.resolve4('nope.example.test'))).toBe('ENOTFOUND');
    const packet = await udp('nope.example.test', 'A');
    expect(packet.header.rcode).toBe(3);
    expect(packet.header.aa).toBe(1);
    expect(packet.authorities[0]).toMatchObject({ name: 'example.test', type: dns2.Packet.TYPE.SOA, ttl: 60 });
  });

  it('answers NOERROR without answers for a name that has other types, or names below it', async () => {
    expect(await code(resolver.resolveTxt('mail.example.test'))).toBe('ENODATA');
    const packet = await udp('_domainkey.example.test', 'TXT');
    expect(packet.header.rcode).toBe(0);
    expect(packet.header.aa).toBe(1);
    expect(packet.answers).toHaveLength(0);
  });

  it('refuses names outside every served zone', async () => {
    expect(await code(resolver.resolve4('example.com'))).toBe('EREFUSED');
    const packet = await udp('example.com', 'A');
    expect(packet.header.rcode).toBe(5);
    expect(packet.header.aa).toBe(0);
  });
});

describe('DnsServer over TCP', () => {
  it('answers over TCP (dns2 TCPClient)', async () => {
    const packet = await tcp('sel._domainkey.example.test', 'TXT');
    expect(packet.header.aa).toBe(1);
    expect((packet.answers[0]!.data as string[]).join('')).toBe(LONG);
    const mx = await tcp('example.test', 'MX');
    expect(mx.answers[0]).toMatchObject({ exchange: 'mail.example.test', priority: 10 });
  });

  it.skipIf(!hasDig)('answers dig +tcp', async () => {
    const { stdout } = await promisify(execFile)('dig', [
      '+tcp',
      '+short',
      '+time=2',
      '+tries=1',
      `@${ADDRESS}`,
      'sel._domainkey.example.test',
      'TXT',
    ]);
    expect(stdout.trim().replace(/" "/g, '').replace(/"/g, '')).toBe(LONG);
    const { stdout: status } = await promisify(execFile)('dig', ['+tcp', '+time=2', '+tries=1', `@${ADDRESS}`, 'example.com', 'A']);
    expect(status).toContain('status: REFUSED');
  });
});

describe('DnsServer lifecycle', () => {
  it('serves a replaced record set at once', async () => {
    const other = new DnsServer({ address: '127.0.98.54', records: RECORDS });
    await other.start();
    try {
      const res = new dns.Resolver({ timeout: 2000, tries: 1 });
      res.setServers(['127.0.98.54']);
      expect(await res.resolve4('mail.example.test')).toEqual(['127.0.98.10']);
      other.setRecords(
        RECORDS.map((rec) => (rec.name === 'mail.example.test' && rec.type === 'A' ? { ...rec, data: '127.0.98.11' } : rec)),
      );
      expect(await res.resolve4('mail.example.test')).toEqual(['127.0.98.11']);
    } finally {
      await other.stop();
    }
  });

  it('closes both sockets on stop (the port can be bound again; TCP is refused)', async () => {
    const address = '127.0.98.55';
    const first = new DnsServer({ address, records: RECORDS });
    await first.start();
    // an open idle TCP connection must not keep stop() waiting
    const socket = createConnection({ host: address, port: 53 });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    await first.stop();
    await first.stop(); // idempotent
    const refused = await new Promise<string | undefined>((resolve) => {
      const s = createConnection({ host: address, port: 53 });
      s.once('connect', () => {
        s.destroy();
        resolve(undefined);
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    expect(refused).toBe('ECONNREFUSED');
    const second = new DnsServer({ address, records: RECORDS });
    await second.start();
    await second.stop();
  });

  it('fails start with a clear message when the address is taken', async () => {
    const clash = new DnsServer({ address: ADDRESS, records: [] });
    await expect(clash.start()).rejects.toThrow(/address in use/);
    await clash.stop();
  });
});

describe('txtChunks', () => {
  it('splits by bytes', () => {
    expect(txtChunks('x'.repeat(511)).map((b) => b.length)).toEqual([255, 255, 1]);
    expect(txtChunks('').map((b) => b.length)).toEqual([0]);
  });
});
