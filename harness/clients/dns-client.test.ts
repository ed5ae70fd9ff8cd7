import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsSnapshot } from '../checks/dns-observation.ts';
import { createDnsClient, parseServer, recordingResolver, reverseName } from './dns-client.ts';
import { freeUdpPort, startZoneServer, txtChunks, type Zone, type ZoneServer } from './testing/zone-dns-server.ts';

const LONG_TXT = `v=DKIM1; k=rsa; p=${'A'.repeat(580)}`;

const ZONE: Zone = {
  'mailgoat.test': [
    { type: 'TXT', data: ['v=spf1 a mx ', 'include:spf.mailgoat.test ~all'] },
    { type: 'TXT', data: ['google-site-verification=abc'] },
    { type: 'MX', exchange: 'Mail.MailGoat.test', priority: 10 },
    { type: 'MX', exchange: 'backup.mailgoat.test', priority: 20 },
  ],
  'mail.mailgoat.test': [{ type: 'A', address: '127.0.0.10' }],
  'long._domainkey.mailgoat.test': [{ type: 'TXT', data: txtChunks(LONG_TXT) }],
  '10.0.0.127.in-addr.arpa': [{ type: 'PTR', domain: 'mail.mailgoat.test' }],
};

let zoneServer: ZoneServer;
let port = 0;
/** A UDP socket that swallows every query: a server that never answers. */
let silent: dgram.Socket;
let silentPort = 0;

beforeAll(async () => {
  zoneServer = await startZoneServer(ZONE);
  port = zoneServer.port;

  silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
  silentPort = silent.address().port;
});

afterAll(async () => {
  await zoneServer?.close();
  await new Promise<void>((resolve) => silent?.close(() => resolve()));
});

describe('createDnsClient', () => {
  const client = () => createDnsClient({ server: `127.0.0.1:${port}`, timeoutMs: 2000 });

  it('labels the server as address:port', () => {
    expect(client().server).toBe(`127.0.0.1:${port}`);
    expect(parseServer('127.0.0.53').label).toBe('127.0.0.53:53');
    expect(parseServer('::1').label).toBe('[::1]:53');
    expect(() => parseServer('not a server')).toThrow(/not an address/);
  });

  it('joins the chunks of each TXT record into one string', async () => {
    const obs = await client().query('MailGoat.test.', 'TXT');
    expect(obs).toMatchObject({ name: 'mailgoat.test', type: 'TXT', resolver: `127.0.0.1:${port}`, status: 'ok' });
    expect(obs.answers.sort()).toEqual(['google-site-verification=abc', 'v=spf1 a mx include:spf.mailgoat.test ~all']);
  });

  it('joins a TXT longer than 255 bytes (split in chunks, answer above 512 bytes so over TCP)', async () => {
    expect(ZONE['long._domainkey.mailgoat.test']?.[0]).toMatchObject({ data: { length: 3 } });
    const obs = await client().query('long._domainkey.mailgoat.test', 'TXT');
    expect(obs.status).toBe('ok');
    expect(obs.answers).toEqual([LONG_TXT]);
    expect(LONG_TXT.length).toBeGreaterThan(512);
  });

  it('formats MX as "<priority> <exchange>" in lower case', async () => {
    const obs = await client().query('mailgoat.test', 'MX');
    expect(obs.answers.sort()).toEqual(['10 mail.mailgoat.test', '20 backup.mailgoat.test']);
  });

  it('maps NXDOMAIN to nxdomain and an empty answer to nodata', async () => {
    expect(await client().query('nope.mailgoat.test', 'A')).toMatchObject({ status: 'nxdomain', answers: [] });
    expect(await client().query('mail.mailgoat.test', 'TXT')).toMatchObject({ status: 'nodata', answers: [] });
  });

  it('maps SERVFAIL and REFUSED to error naming the server', async () => {
    const servfail = await client().query('servfail.mailgoat.test', 'A');
    expect(servfail.status).toBe('error');
    expect(servfail.error).toMatch(/ESERVFAIL/);
    expect(servfail.error).toContain(`127.0.0.1:${port}`);
    const refused = await client().query('refused.mailgoat.test', 'A');
    expect(refused.status).toBe('error');
    expect(refused.error).toMatch(/EREFUSED/);
  });

  it('reverse() asks PTR under in-addr.arpa', async () => {
    const obs = await client().reverse('127.0.0.10');
    expect(obs).toMatchObject({ name: '10.0.0.127.in-addr.arpa', type: 'PTR', status: 'ok', answers: ['mail.mailgoat.test'] });
    expect(reverseName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });

  it('times out against a server that never answers, saying after how long', async () => {
    const timeoutMs = 600;
    const quiet = createDnsClient({ server: `127.0.0.1:${silentPort}`, timeoutMs });
    const obs = await quiet.query('mailgoat.test', 'TXT');
    expect(obs.status).toBe('error');
    // How long it took is the client's guard timer's business; the evidence names the deadline it kept.
    expect(obs.error).toBe(`ETIMEOUT: no answer for TXT mailgoat.test from DNS server 127.0.0.1:${silentPort} within ${timeoutMs} ms`);
  });

  it('maps a closed port to error (connection refused), without hanging', async () => {
    const closedPort = await freeUdpPort();
    const obs = await createDnsClient({ server: `127.0.0.1:${closedPort}`, timeoutMs: 600 }).query('mailgoat.test', 'A');
    expect(obs.status).toBe('error');
    expect(obs.error).toContain(`127.0.0.1:${closedPort}`);
  });
});

describe('recordingResolver', () => {
  it('answers like dns.promises.resolve and records every observation', async () => {
    const snapshot: DnsSnapshot = [];
    const resolve = recordingResolver(createDnsClient({ server: `127.0.0.1:${port}`, timeoutMs: 2000 }), snapshot);
    expect(await resolve('mailgoat.test', 'TXT')).toContainEqual(['v=spf1 a mx include:spf.mailgoat.test ~all']);
    expect(await resolve('mailgoat.test', 'MX')).toContainEqual({ priority: 10, exchange: 'mail.mailgoat.test' });
    expect(await resolve('mail.mailgoat.test', 'A')).toEqual(['127.0.0.10']);
    await expect(resolve('nope.mailgoat.test', 'A')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolve('mail.mailgoat.test', 'TXT')).rejects.toMatchObject({ code: 'ENODATA' });
    await resolve('mail.mailgoat.test', 'A'); // asked twice, recorded once
    expect(snapshot.map((o) => `${o.type} ${o.name} ${o.status}`)).toEqual([
      'TXT mailgoat.test ok',
      'MX mailgoat.test ok',
      'A mail.mailgoat.test ok',
      'A nope.mailgoat.test nxdomain',
      'TXT mail.mailgoat.test nodata',
    ]);
  });
});
