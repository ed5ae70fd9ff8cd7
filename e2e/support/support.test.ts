import { createSocket } from 'node:dgram';
import { readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OPTIONAL_LIVE_SETTINGS } from '../../harness/config/live-settings.ts';
import { cleanEnv, SETTING_KEYS } from './clean-env.ts';
import { E2E_FILES, FIRST_NET, loopbackNet, loopbackNets, RANGE_SIZE } from './loopback-net.ts';
import { listenersOn, procNetAddress } from './nothing-left.ts';
import { notPassedBeyondAdvisories } from './advisory-warnings.ts';

describe('cleanEnv', () => {
  const parent = {
    PATH: '/usr/bin',
    HOME: '/home/user',
    POSTAL_API_URL: 'https://postal.example',
    SEED_GMAIL_PASSWORD: 'secret',
    DNS_RESOLVERS: '1.1.1.1',
    POSTAL_QA_WORLD_NET: '127.0.9',
    POSTAL_QA_DELIVERY_TIMEOUT_S: '5',
    POSTAL_QA_SKIP_SYSTEM_PACKAGES: '1',
    NODE_EXTRA_CA_CERTS: '/tmp/ca.pem',
    VITEST_WORKER_ID: '3',
    npm_config_prefix: '/x',
    NODE_ENV: 'test',
  };

  it('removes every setting of the catalog and what changes a run, keeps the rest', () => {
    expect(cleanEnv({}, parent)).toEqual({ PATH: '/usr/bin', HOME: '/home/user', POSTAL_QA_SKIP_SYSTEM_PACKAGES: '1' });
  });

  it('is built from the catalog: every setting key, the optional ones and the deadlines included, is removed', () => {
    expect(SETTING_KEYS).toEqual(expect.arrayContaining(OPTIONAL_LIVE_SETTINGS.map((s) => s.key)));
    const everySetting = Object.fromEntries(SETTING_KEYS.map((key) => [key, 'x']));
    expect(cleanEnv({}, { ...everySetting, PATH: '/usr/bin' })).toEqual({ PATH: '/usr/bin' });
  });

  it('puts what the test sets on top', () => {
    expect(cleanEnv({ POSTAL_QA_WORLD_NET: '127.0.170' }, parent).POSTAL_QA_WORLD_NET).toBe('127.0.170');
  });
});

describe('loopbackNets', () => {
  it('has nets for every e2e file, none shared', () => {
    const files = readdirSync(new URL('..', import.meta.url)).filter((name) => name.endsWith('.test.ts'));
    expect([...files.map((f) => f.replace(/\.test\.ts$/, ''))].sort()).toEqual([...E2E_FILES].sort());
    const all = files.flatMap((file) => loopbackNets(file, {}));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(RANGE_SIZE);
    expect(all.every((net) => Number(net.split('.')[2]) >= FIRST_NET)).toBe(true);
  });

  it('takes a test file URL and moves the range with POSTAL_QA_WORLD_NET', () => {
    const url = new URL('../bad-input.test.ts', import.meta.url).href;
    expect(loopbackNets(url, {})).toEqual([`127.0.${FIRST_NET}`, `127.0.${FIRST_NET + 1}`]);
    expect(loopbackNet(url, 1, { POSTAL_QA_WORLD_NET: '127.0.40' })).toBe('127.0.41');
    expect(loopbackNet('altered-body.test.ts', 0, { POSTAL_QA_WORLD_NET: '127.0.40' })).toBe(`127.0.${40 + RANGE_SIZE - 1}`);
  });

  it('refuses an unknown file, a net it does not have, and an override the range does not fit', () => {
    expect(() => loopbackNets('new-thing.test.ts', {})).toThrow('new-thing: no loopback nets for this e2e file');
    expect(() => loopbackNet('signals.test.ts', 1, {})).toThrow('has no net number 2');
    expect(() => loopbackNets('signals.test.ts', { POSTAL_QA_WORLD_NET: '127.0.250' })).toThrow('POSTAL_QA_WORLD_NET=127.0.250');
    expect(() => loopbackNets('signals.test.ts', { POSTAL_QA_WORLD_NET: '10.0.0' })).toThrow('POSTAL_QA_WORLD_NET=10.0.0');
  });
});

describe('listenersOn', () => {
  it('reads /proc/net addresses as the host stores them', () => {
    expect(procNetAddress('0A00007F:0019', 'LE')).toEqual(['127.0.0.10', 25]);
    expect(procNetAddress('7F00000A:0035', 'BE')).toEqual(['127.0.0.10', 53]);
  });

  it('sees a TCP listener and a UDP socket on the net while they are open, and not after', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tcp = `127.0.0.1:${(server.address() as AddressInfo).port}/tcp`;
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const udp = `127.0.0.1:${socket.address().port}/udp`;
    expect(listenersOn('127.0.0')).toEqual(expect.arrayContaining([tcp, udp]));
    expect(listenersOn('127.0.1')).not.toContain(tcp);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => socket.close(resolve));
    expect(listenersOn('127.0.0')).not.toEqual(expect.arrayContaining([tcp]));
    expect(listenersOn('127.0.0')).not.toEqual(expect.arrayContaining([udp]));
  });
});

describe('notPassedBeyondAdvisories', () => {
  it('lets only the advisory controls warn: a failed advisory, a warned non-advisory and a skip all stay', () => {
    const controls = [
      { id: 'DNS-01', outcome: 'pass' },
      { id: 'DNS-13', outcome: 'warn' },
      { id: 'SEC-05', outcome: 'warn' },
      { id: 'SEC-05b', outcome: 'warn' },
      { id: 'DNS-14', outcome: 'fail' },
      { id: 'FN-02', outcome: 'warn' },
      { id: 'FN-06', outcome: 'skipped' },
    ];
    expect(notPassedBeyondAdvisories(controls)).toEqual(['SEC-05b: warn', 'DNS-14: fail', 'FN-02: warn', 'FN-06: skipped']);
  });
});
