import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostLookup } from '../../core/dns/host-lookup.ts';
import { probeTcp } from './tcp-probe.ts';

const HOST = '127.0.74.26';
let server: Server;
let port: number;
const lookup = createHostLookup('system', 1_000);

beforeAll(async () => {
  // The probe only connects and hangs up: the server side must expect the reset.
  server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('probeTcp', () => {
  it('tells a listening port from a closed one', async () => {
    expect((await probeTcp(HOST, port, lookup, 1_000)).reachable).toBe(true);
    const closed = await probeTcp(HOST, port === 65535 ? 1 : port + 1, lookup, 1_000);
    expect(closed).toMatchObject({ reachable: false, error: 'ECONNREFUSED' });
  });
});
