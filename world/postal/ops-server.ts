/**
 * The world's stand-in for `ssh <host> docker compose -p postal ps --format json`: `GET /compose/ps`
 * answers the array that command prints (one object per container), with states that follow the
 * stand-in's processes (a stopped worker shows as `exited`). The official compose template defines no
 * healthchecks, so real containers carry `Health: ""`; the stand-in reports `healthy` from its health
 * servers, which is what the infrastructure controls want to read.
 */
import { createServer, type Server } from 'node:http';
import { lifecycleOf } from './server-lifecycle.ts';

export interface ServiceState {
  service: 'web' | 'smtp' | 'worker' | 'database';
  running: boolean;
  healthy: boolean;
  /** when the "container" was last started */
  startedAt: number;
  ports: Array<{ port: number; address: string }>;
}

export interface ComposePsEntry {
  Command: string;
  CreatedAt: string;
  ExitCode: number;
  Health: string;
  ID: string;
  Image: string;
  Labels: string;
  LocalVolumes: string;
  Mounts: string;
  Name: string;
  Names: string;
  Networks: string;
  Ports: string;
  Project: string;
  Publishers: Array<{ URL: string; TargetPort: number; PublishedPort: number; Protocol: string }>;
  RunningFor: string;
  Service: string;
  Size: string;
  State: string;
  Status: string;
}

const COMMANDS: Record<ServiceState['service'], string> = {
  web: '"/docker-entrypoint.sh postal web-server"',
  smtp: '"/docker-entrypoint.sh postal smtp-server"',
  worker: '"/docker-entrypoint.sh postal worker"',
  database: '"docker-entrypoint.sh mariadbd"',
};

export function composePs(services: ServiceState[], image: string, createdAt: number, now = Date.now()): ComposePsEntry[] {
  return services.map((s, i) => {
    const name = `postal-${s.service}-1`;
    const up = humanDuration(now - s.startedAt);
    const health = s.running ? (s.healthy ? 'healthy' : 'unhealthy') : '';
    const status = s.running ? `Up ${up}${health ? ` (${health})` : ''}` : `Exited (1) ${up} ago`;
    return {
      Command: COMMANDS[s.service],
      CreatedAt: new Date(createdAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'),
      ExitCode: s.running ? 0 : 1,
      Health: health,
      ID: (0x5057a1000000 + i).toString(16).padEnd(12, '0'),
      Image: s.service === 'database' ? 'mariadb:10.6' : image,
      Labels: `com.docker.compose.project=postal,com.docker.compose.service=${s.service}`,
      LocalVolumes: '0',
      Mounts: s.service === 'database' ? '/var/lib/mysql' : '/opt/postal/config',
      Name: name,
      Names: name,
      Networks: 'host',
      Ports: '',
      Project: 'postal',
      // network_mode: host publishes nothing; the listening sockets are listed for the reader's benefit
      Publishers: s.ports.map((p) => ({ URL: p.address, TargetPort: p.port, PublishedPort: p.port, Protocol: 'tcp' })),
      RunningFor: `${up} ago`,
      Service: s.service,
      Size: '0B',
      State: s.running ? 'running' : 'exited',
      Status: status,
    };
  });
}

function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return seconds <= 1 ? 'Less than a second' : `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes === 1 ? 'About a minute' : `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  return hours === 1 ? 'About an hour' : `${hours} hours`;
}

export interface OpsServer {
  listen(address: string, port: number): Promise<void>;
  close(): Promise<void>;
}

export function createOpsServer(list: () => ComposePsEntry[]): OpsServer {
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://ops').pathname;
    if (req.method === 'GET' && path === '/compose/ps') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list()));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
  });
  return lifecycleOf(server);
}
