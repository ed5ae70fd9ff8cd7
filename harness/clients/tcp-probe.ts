import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { PortProbe } from '../checks/port-reachability-check.ts';
import type { LookupFunction } from '../../core/dns/host-lookup.ts';

/** The observation INF-01's check reads. */
export type TcpProbe = PortProbe;

/**
 * How a port proves a service is behind it, beyond accepting TCP (which a black hole also does):
 * an SMTP server speaks first; a TLS server answers a ClientHello.
 */
export type FirstWords = 'server-speaks-first' | 'tls-handshake';

/**
 * One TCP connection, then one exchange in the port's own protocol: the plainest evidence that a port
 * is reachable and that something serves it. Closed after, whatever happened.
 */
export function probeTcp(
  host: string,
  port: number,
  lookup: LookupFunction,
  timeoutMs: number,
  firstWords?: FirstWords,
  servername?: string,
): Promise<TcpProbe> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port, lookup });
    let tls: Socket | undefined;
    let address: string | undefined;
    let settled = false;
    const done = (result: Omit<TcpProbe, 'host' | 'port' | 'elapsedMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tls?.destroy();
      socket.destroy();
      resolve({ host, port, ...result, elapsedMs: Date.now() - started });
    };
    let timer = setTimeout(() => done({ reachable: false, error: `no connection within ${timeoutMs} ms` }), timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => done({ reachable: false, error: error.code ?? error.message }));
    socket.once('connect', () => {
      address = socket.remoteAddress;
      const connectMs = Date.now() - started;
      if (!firstWords) return done({ reachable: true, address });
      clearTimeout(timer);
      const silent = firstWords === 'server-speaks-first' ? 'no greeting' : 'no answer to a TLS ClientHello';
      timer = setTimeout(
        () => done({ reachable: true, address, answered: false, connectMs, error: `${silent} within ${timeoutMs} ms` }),
        timeoutMs,
      );
      if (firstWords === 'server-speaks-first') {
        socket.once('data', () => done({ reachable: true, address, answered: true, connectMs }));
        return;
      }
      // Any answer counts, a certificate nobody trusts included: INF-04 judges the certificate.
      const name = servername ?? host;
      tls = tlsConnect({ socket, ...(isIP(name) ? {} : { servername: name }), rejectUnauthorized: false });
      tls.once('secureConnect', () => done({ reachable: true, address, answered: true, connectMs }));
      tls.once('error', (error: Error) => done({ reachable: true, address, answered: true, connectMs, error: `TLS: ${error.message}` }));
    });
  });
}
