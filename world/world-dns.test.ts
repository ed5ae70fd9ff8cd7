import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { promises as dns } from 'node:dns';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentSchema, type Deployment } from '../core/deployment/deployment-schema.ts';
import { generateDnsRecords, renderZoneFile } from '../provisioning/dns/generate-zone.ts';
import { worldAddresses } from './addresses.ts';
import { buildWorldRecords, mapToWorld } from './world-dns.ts';
import { startWorld, type World } from './world.ts';

// An uncommon net, so the test never clashes with a running world (127.0.0.x) or dns-server.test.ts (127.0.98.x).
const NET = '127.0.99';
const deployment: Deployment = deploymentSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/deployment.json', import.meta.url), 'utf8')),
);
const keyOf = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const publicKey = keyOf();
const zoneText = renderZoneFile(generateDnsRecords(deployment, publicKey), deployment);
const DKIM = `v=DKIM1; t=s; h=sha256; p=${publicKey};`;

describe('worldAddresses', () => {
  it('gives every simulated host its own loopback address', () => {
    expect(worldAddresses()).toEqual({
      net: '127.0.0',
      dns: '127.0.0.53',
      dnsSecondary: '127.0.0.54',
      postal: '127.0.0.10',
      gmail: '127.0.0.20',
      outlook: '127.0.0.21',
      sender: '127.0.0.30',
      inboxes: '127.0.0.40',
      agentHost: '127.0.0.41',
      spamd: '127.0.0.60',
      rspamd: '127.0.0.61',
      mailTester: '127.0.0.70',
    });
    expect(worldAddresses(NET).postal).toBe('127.0.99.10');
    expect(() => worldAddresses('10.0.0')).toThrow(/127\.0\.0\.0\/8/);
  });
});

describe('buildWorldRecords', () => {
  const records = buildWorldRecords({ deployment, zoneText, net: NET });
  const get = (name: string, type: string): string[] => records.filter((r) => r.name === name && r.type === type).map((r) => r.data);

  it('moves the server IP onto the world postal address', () => {
    expect(get('mail.mailgoat.ai', 'A')).toEqual(['127.0.99.10']);
    expect(get('postal.mailgoat.ai', 'A')).toEqual(['127.0.99.10']);
    expect(get('spf.mailgoat.ai', 'TXT')).toEqual(['v=spf1 ip4:127.0.99.10 ~all']);
    expect(get('10.99.0.127.in-addr.arpa', 'PTR')).toEqual(['mail.mailgoat.ai']);
    expect(get('3.35.98.91.in-addr.arpa', 'PTR')).toEqual([]);
    expect(records.some((r) => r.data.includes('91.98.35.3'))).toBe(false);
  });

  it('keeps everything else as written', () => {
    expect(get('mailgoat.ai', 'MX')).toEqual(['10 mail.mailgoat.ai']);
    expect(get('mailgoat.ai', 'TXT')).toEqual(['v=spf1 include:spf.mailgoat.ai ~all']);
    expect(get('postal-qpmdyi._domainkey.mailgoat.ai', 'TXT')).toEqual([DKIM]);
    expect(get('_dmarc.mailgoat.ai', 'TXT')).toEqual(['v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai']);
    expect(get('psrp.mailgoat.ai', 'CNAME')).toEqual(['rp.mail.mailgoat.ai']);
  });

  it("adds the world's own zones, each with SOA and NS", () => {
    expect(get('gmail.test', 'MX')).toEqual(['10 mx.gmail.test']);
    expect(get('mx.outlook.test', 'A')).toEqual(['127.0.99.21']);
    expect(get('sender.test', 'TXT')).toEqual(['v=spf1 ip4:127.0.99.30 -all']);
    expect(get('_dmarc.sender.test', 'TXT')).toEqual(['v=DMARC1; p=reject']);
    expect(get('20.99.0.127.in-addr.arpa', 'PTR')).toEqual(['mx.gmail.test']);
    for (const zone of ['mailgoat.ai', '99.0.127.in-addr.arpa', 'gmail.test', 'outlook.test', 'sender.test', 'world.test']) {
      expect(get(zone, 'SOA'), zone).toHaveLength(1);
      expect(get(zone, 'NS'), zone).toEqual(['ns1.world.test', 'ns2.world.test']);
    }
  });

  it('maps only the server IP in SPF tokens, keeping qualifiers and prefixes', () => {
    const spf = (data: string): string => mapToWorld({ name: 'x', type: 'TXT', ttl: 1, data }, '91.98.35.3', '127.0.0.10').data;
    expect(spf('v=spf1 ip4:91.98.35.3/32 +ip4:91.98.35.3 ip4:91.98.35.30 a mx -all')).toBe(
      'v=spf1 ip4:127.0.0.10/32 +ip4:127.0.0.10 ip4:91.98.35.30 a mx -all',
    );
    expect(mapToWorld({ name: 'x', type: 'TXT', ttl: 1, data: 'note 91.98.35.3' }, '91.98.35.3', '127.0.0.10').data).toBe(
      'note 91.98.35.3',
    );
    expect(mapToWorld({ name: 'x', type: 'A', ttl: 1, data: '192.0.2.1' }, '91.98.35.3', '127.0.0.10').data).toBe('192.0.2.1');
  });

  it("serves a user's edited zone (replacing its apex SOA/NS, serving names outside the domain)", () => {
    const edited = [
      '$ORIGIN mailgoat.ai.',
      '$TTL 300',
      '@ IN SOA hydrogen.ns.hetzner.com. dns.hetzner.com. 1 86400 10800 3600000 3600',
      '@ IN NS hydrogen.ns.hetzner.com.',
      '@ IN MX 10 mail',
      'mail IN A 91.98.35.3',
      '@ IN TXT "v=spf1 include:_spf.example.net ~all"',
      '_spf.example.net. IN TXT "v=spf1 ip4:91.98.35.3 -all"',
    ].join('\n');
    const recs = buildWorldRecords({ deployment, zoneText: edited, net: NET });
    const g = (name: string, type: string): string[] => recs.filter((r) => r.name === name && r.type === type).map((r) => r.data);
    expect(g('mailgoat.ai', 'NS')).toEqual(['ns1.world.test', 'ns2.world.test']);
    expect(g('mailgoat.ai', 'SOA')[0]).toMatch(/^ns1\.world\.test /);
    expect(g('_spf.example.net', 'TXT')).toEqual(['v=spf1 ip4:127.0.99.10 -all']);
    expect(g('example.net', 'SOA')).toHaveLength(1);
    expect(g('10.99.0.127.in-addr.arpa', 'PTR')).toEqual([]); // no PTR in the edited zone: none in the world
  });
});

describe('the world DNS', () => {
  const a = worldAddresses(NET);
  const primary = new dns.Resolver({ timeout: 2000, tries: 2 });
  const secondary = new dns.Resolver({ timeout: 2000, tries: 2 });
  primary.setServers([a.dns]);
  secondary.setServers([a.dnsSecondary]);
  const staleKey = keyOf();
  const staleZone = renderZoneFile(
    generateDnsRecords({ ...deployment, dns: { ...deployment.dns, dmarc: { ...deployment.dns.dmarc, policy: 'reject' } } }, staleKey),
    deployment,
  );
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ deployment, zoneText, staleZoneText: staleZone, net: NET });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('reports its endpoints', () => {
    expect(world.addresses).toEqual(a);
    expect(world.endpoints).toEqual({
      dns: { address: '127.0.99.53', port: 53 },
      dnsSecondary: { address: '127.0.99.54', port: 53 },
      dnsProviderApi: 'http://127.0.99.53:8053',
    });
  });

  it('answers MX and A mapped to the world address', async () => {
    expect(await primary.resolveMx('mailgoat.ai')).toMatchObject([{ exchange: 'mail.mailgoat.ai', priority: 10 }]);
    expect(await primary.resolve4('mail.mailgoat.ai')).toEqual(['127.0.99.10']);
    expect(await primary.resolve4('postal.mailgoat.ai')).toEqual(['127.0.99.10']);
    expect(await primary.resolve4('rp.mail.mailgoat.ai')).toEqual(['127.0.99.10']);
    expect(await primary.resolveCname('track.mailgoat.ai')).toEqual(['mail.mailgoat.ai']);
  });

  it('answers SPF, with the include host authorising the world postal address', async () => {
    expect(await primary.resolveTxt('mailgoat.ai')).toEqual([['v=spf1 include:spf.mailgoat.ai ~all']]);
    const [include] = await primary.resolveTxt('spf.mailgoat.ai');
    expect(include!.join('')).toContain('ip4:127.0.99.10');
  });

  it('answers the DKIM key (over 255 bytes) and DMARC', async () => {
    const [dkim] = await primary.resolveTxt('postal-qpMdyI._domainkey.mailgoat.ai');
    expect(dkim!.length).toBeGreaterThan(1);
    expect(dkim!.join('')).toBe(DKIM);
    expect(DKIM.length).toBeGreaterThan(255);
    expect(await primary.resolveTxt('_dmarc.mailgoat.ai')).toEqual([['v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai']]);
  });

  it('answers the PTR of the postal address with the mail host, and the providers', async () => {
    expect(await primary.reverse('127.0.99.10')).toEqual(['mail.mailgoat.ai']);
    expect(await primary.reverse('127.0.99.20')).toEqual(['mx.gmail.test']);
    expect(await primary.resolveMx('outlook.test')).toMatchObject([{ exchange: 'mx.outlook.test', priority: 10 }]);
    expect(await primary.resolve4('mx.sender.test')).toEqual(['127.0.99.30']);
    expect(await primary.resolveTxt('_dmarc.sender.test')).toEqual([['v=DMARC1; p=reject']]);
    expect(await primary.resolveNs('mailgoat.ai')).toEqual(['ns1.world.test', 'ns2.world.test']);
    expect(await primary.resolve4('ns2.world.test')).toEqual(['127.0.99.54']);
  });

  it('answers NXDOMAIN inside a zone and REFUSED outside every zone', async () => {
    const err = (p: Promise<unknown>): Promise<string | undefined> =>
      p.then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e.code,
      );
    expect(await err(primary.resolve4('nope.mailgoat.ai'))).toBe('ENOTFOUND');
    expect(await err(primary.reverse('127.0.99.99'))).toBe('ENOTFOUND');
    expect(await err(primary.resolve4('google.com'))).toBe('EREFUSED');
  });

  it('answers over TCP', async () => {
    const tcp = dns2.TCPClient({ dns: a.dns, port: 53 });
    const packet = await tcp('postal-qpmdyi._domainkey.mailgoat.ai', 'TXT');
    expect((packet.answers[0]!.data as string[]).join('')).toBe(DKIM);
    let hasDig = true;
    try {
      execFileSync('which', ['dig'], { stdio: 'ignore' });
    } catch {
      hasDig = false;
    }
    if (hasDig) {
      const { stdout } = await promisify(execFile)('dig', ['+tcp', '+short', '+time=2', '+tries=1', `@${a.dns}`, 'mailgoat.ai', 'MX']);
      expect(stdout.trim()).toBe('10 mail.mailgoat.ai.');
    }
  });

  it('has a stale secondary that answers differently', async () => {
    expect(await secondary.resolveTxt('_dmarc.mailgoat.ai')).toEqual([['v=DMARC1; p=reject; rua=mailto:dmarc@mailgoat.ai']]);
    const [dkim] = await secondary.resolveTxt('postal-qpmdyi._domainkey.mailgoat.ai');
    expect(dkim!.join('')).toBe(`v=DKIM1; t=s; h=sha256; p=${staleKey};`);
    expect((await secondary.resolveSoa('mailgoat.ai')).serial).toBeLessThan((await primary.resolveSoa('mailgoat.ai')).serial);
    // the rest is the same
    expect(await secondary.resolve4('mail.mailgoat.ai')).toEqual(['127.0.99.10']);
  });

  it("publishes records posted to the DNS provider's API on both servers, replacing that name and type, the deployment's IP moved onto the world", async () => {
    const zone = `$ORIGIN mailgoat.ai.\npostal-YsUd4X._domainkey IN TXT "v=DKIM1; t=s; h=sha256; p=AAAA;"\n_dmarc IN TXT "v=DMARC1; p=quarantine"\nnew IN A ${deployment.server.ip}\n`;
    const answer = await fetch(`${world.endpoints.dnsProviderApi}/records`, { method: 'POST', body: zone });
    expect([answer.status, await answer.text()]).toEqual([200, 'published 3 records\n']);
    for (const resolver of [primary, secondary]) {
      expect((await resolver.resolveTxt('postal-ysud4x._domainkey.mailgoat.ai')).map((t) => t.join(''))).toEqual([
        'v=DKIM1; t=s; h=sha256; p=AAAA;',
      ]);
      expect((await resolver.resolveTxt('_dmarc.mailgoat.ai')).map((t) => t.join(''))).toEqual(['v=DMARC1; p=quarantine']);
      expect(await resolver.resolve4('new.mailgoat.ai')).toEqual(['127.0.99.10']);
    }
    const bad = await fetch(`${world.endpoints.dnsProviderApi}/records`, { method: 'POST', body: 'this is not a zone file' });
    expect(bad.status).toBe(400);
  });

  it('stops idempotently, closing every socket', async () => {
    const w = await startWorld({ deployment, zoneText, net: '127.0.97' });
    const res = new dns.Resolver({ timeout: 500, tries: 1 });
    res.setServers(['127.0.97.54']);
    expect(await res.resolveMx('mailgoat.ai')).toMatchObject([{ exchange: 'mail.mailgoat.ai', priority: 10 }]);
    await Promise.all([w.stop(), w.stop()]);
    await w.stop();
    // both addresses can be bound again
    const again = await startWorld({ deployment, zoneText, net: '127.0.97' });
    await again.stop();
  });
});
