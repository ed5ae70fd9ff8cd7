/**
 * The health server each Postal process runs (worker :9090, smtp :9091): `GET /health` → 200 `OK`,
 * `GET /metrics` → Prometheus text. 503 while the process it reports on is stopped or unhealthy.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { MetricsRegistry } from './metrics.ts';

export interface HealthServer {
  listen(address: string, port: number): Promise<void>;
  close(): Promise<void>;
}

export function createHealthServer(metrics: MetricsRegistry, healthy: () => boolean): HealthServer {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://health').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('Method Not Allowed');
      return;
    }
    if (path === '/health') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'OK' : 'Service Unavailable');
      return;
    }
    if (path === '/metrics') {
      if (!healthy()) {
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.render());
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    listen: (address, port) => listenOn(server, address, port),
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export function listenOn(server: Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new Error(`${address}:${port} is already in use (another world running?)`, { cause: error }) : error);
    };
    server.once('error', onError);
    server.listen(port, address, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}
