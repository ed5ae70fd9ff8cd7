import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSpf } from '../checks/spf-check.ts';
import { createDnsClient } from './dns-client.ts';
import { gatherSpf } from './spf-gatherer.ts';
import { startZoneServer, type ZoneServer } from './testing/zone-dns-server.ts';

let zone: ZoneServer;

beforeAll(async () => {
  zone = await startZoneServer({
    'mailgoat.test': [
      { type: 'TXT', data: ['v=spf1 ip4:127.0.0.10 a mx include:spf.mailgoat.test include:big.example.test ~all'] },
      { type: 'MX', exchange: 'mail.mailgoat.test', priority: 10 },
      { type: 'A', address: '127.0.0.11' },
    ],
    'mail.mailgoat.test': [{ type: 'A', address: '127.0.0.10' }],
    'spf.mailgoat.test': [{ type: 'TXT', data: ['v=spf1 ip4:127.0.0.10 ~all'] }],
    'big.example.test': [{ type: 'TXT', data: ['v=spf1 a:h1.example.test a:h2.example.test include:deep.example.test ~all'] }],
    'deep.example.test': [{ type: 'TXT', data: ['v=spf1 a:h3.example.test a:h4.example.test a:h5.example.test a:h6.example.test ~all'] }],
  });
});

afterAll(async () => {
  await zone?.close();
});

describe('gatherSpf', () => {
  it('records the apex, what mailauth asked, and the whole include tree', async () => {
    const client = createDnsClient({ server: zone.server, timeoutMs: 2000 });
    const snapshot = await gatherSpf({ domain: 'mailgoat.test', ip: '127.0.0.50', client });
    const asked = snapshot.map((o) => `${o.type} ${o.name}`);
    expect(asked).toEqual(
      expect.arrayContaining([
        'TXT mailgoat.test',
        'A mailgoat.test',
        'MX mailgoat.test',
        'A mail.mailgoat.test',
        'TXT spf.mailgoat.test',
        'TXT big.example.test',
        'TXT deep.example.test',
      ]),
    );
    expect(snapshot.every((o) => o.resolver === zone.server)).toBe(true);
  });

  it('gathers the branches mailauth skips when the IP matches first, so the lookup count is complete', async () => {
    const client = createDnsClient({ server: zone.server, timeoutMs: 2000 });
    const snapshot = await gatherSpf({ domain: 'mailgoat.test', ip: '127.0.0.10', client });
    expect(snapshot.map((o) => `${o.type} ${o.name}`)).toContain('TXT deep.example.test');
    const verdict = await checkSpf({ domain: 'mailgoat.test', ip: '127.0.0.10', expectedInclude: 'spf.mailgoat.test', snapshot });
    // 4 at the apex + 3 in big + 4 in deep = 11
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/11 DNS-querying terms/);
  });
});
