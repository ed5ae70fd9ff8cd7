import { hostname } from 'node:os';
/**
 * The health server each Postal process runs (worker :9090, smtp :9091): `GET /health` → 200 `OK`,
 * `GET /metrics` → Prometheus text. 503 while the process it reports on is stopped or unhealthy.
 */
import { createServer, type Server } from 'node:http';
import { lifecycleOf } from './server-lifecycle.ts';
import type { MetricsRegistry } from './metrics.ts';

export interface HealthServer {
  listen(address: string, port: number): Promise<void>;
  close(): Promise<void>;
}

/** `name` is the process's ("worker", "smtp-server"): `GET /` answers it with the pid and host, as app/util/health_server.rb. */
export function createHealthServer(metrics: MetricsRegistry, healthy: () => boolean, name = 'worker'): HealthServer {
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
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${name} (pid: ${process.pid}, host: ${hostname()})`);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
  });
  return lifecycleOf(server);
}
