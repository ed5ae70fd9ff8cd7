import { connect } from 'node:net';
import type { PortProbe } from '../checks/port-reachability-check.ts';
import type { LookupFunction } from '../../core/dns/host-lookup.ts';

/** The observation INF-01's check reads. */
export type TcpProbe = PortProbe;

/** Opens and closes one TCP connection: the plainest evidence that a port is reachable. */
export function probeTcp(host: string, port: number, lookup: LookupFunction, timeoutMs: number): Promise<TcpProbe> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port, lookup });
    const done = (result: Omit<TcpProbe, 'host' | 'port' | 'elapsedMs'>) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ host, port, ...result, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => done({ reachable: false, error: `no connection within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => done({ reachable: true, address: socket.remoteAddress }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ reachable: false, error: error.code ?? error.message }));
  });
}
