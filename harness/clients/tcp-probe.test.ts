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
  server = createServer((socket) => socket.on('error', () => undefined).resume());
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

  it('tells a silent accept (a black hole) from a server that greets, and a TLS server from a silent one', async () => {
    const greeter = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.resume(); // read, so the client's hang-up is seen and close() can finish
      socket.write('220 mail.mailgoat.ai ESMTP\r\n');
    });
    await new Promise<void>((resolve) => greeter.listen(0, HOST, resolve));
    try {
      const greeted = await probeTcp(HOST, (greeter.address() as { port: number }).port, lookup, 2_000, 'server-speaks-first');
      expect(greeted).toMatchObject({ reachable: true, answered: true });
      const silent = await probeTcp(HOST, port, lookup, 300, 'server-speaks-first');
      expect(silent).toMatchObject({ reachable: true, answered: false, error: 'no greeting within 300 ms' });
      const silentTls = await probeTcp(HOST, port, lookup, 300, 'tls-handshake');
      expect(silentTls).toMatchObject({ reachable: true, answered: false, error: 'no answer to a TLS ClientHello within 300 ms' });
      // A server that answers a ClientHello with anything (here a plain-text line, so the TLS layer errs) did answer.
      const notTls = await probeTcp(HOST, (greeter.address() as { port: number }).port, lookup, 2_000, 'tls-handshake');
      expect(notTls).toMatchObject({ reachable: true, answered: true });
    } finally {
      await new Promise<void>((resolve) => greeter.close(() => resolve()));
    }
  });
});
