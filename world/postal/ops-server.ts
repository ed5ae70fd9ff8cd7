/**
 * The world's stand-in for what an operator reads over SSH: `GET /compose/ps` answers what
 * `docker compose -p postal ps --format json` prints (web, smtp, worker: postalserver/install's
 * templates/docker-compose.v3.yml; the `runner` under profile `tools` only runs for one-off commands),
 * and `GET /containers/ps` what `docker ps -a --format json` prints — the compose containers and the
 * install's separate `postal-mariadb` (prerequisites/install-ubuntu.v3.sh). States follow the stand-in
 * (a stopped worker shows as `exited`). The official template defines no healthchecks: `Health` is "".
 */
import { isIP } from 'node:net';
import { createServer, type Server } from 'node:http';
import { lifecycleOf } from './server-lifecycle.ts';

export interface ServiceState {
  service: 'web' | 'smtp' | 'worker';
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
};

/** A container outside the compose project (the install's MariaDB). */
export interface ContainerState {
  name: string;
  image: string;
  command: string;
  running: boolean;
  startedAt: number;
}

/** One row of `docker ps -a --format json`. */
export interface DockerPsEntry {
  Command: string;
  CreatedAt: string;
  ID: string;
  Image: string;
  Labels: string;
  Names: string;
  State: string;
  Status: string;
}

/** `docker ps -a --format json`: the compose project's containers and the containers apart from it. */
export function dockerPs(
  services: ServiceState[],
  containers: ContainerState[],
  image: string,
  createdAt: number,
  now = Date.now(),
): DockerPsEntry[] {
  const compose = composePs(services, image, createdAt, now).map((e) => ({
    Command: e.Command,
    CreatedAt: e.CreatedAt,
    ID: e.ID,
    Image: e.Image,
    Labels: e.Labels,
    Names: e.Names,
    State: e.State,
    Status: e.Status,
  }));
  const apart = containers.map((c, i) => {
    const up = humanDuration(now - c.startedAt);
    return {
      Command: c.command,
      CreatedAt: new Date(createdAt)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' +0000 UTC'),
      ID: (0x6d61726961 + i).toString(16).padEnd(12, '0'),
      Image: c.image,
      Labels: '',
      Names: c.name,
      State: c.running ? 'running' : 'exited',
      Status: c.running ? `Up ${up}` : `Exited (137) ${up} ago`,
    };
  });
  return [...compose, ...apart];
}

export function composePs(services: ServiceState[], image: string, createdAt: number, now = Date.now()): ComposePsEntry[] {
  return services.map((s, i) => {
    const name = `postal-${s.service}-1`;
    const up = humanDuration(now - s.startedAt);
    // The official compose template defines no healthchecks, so Docker reports none.
    const health = '';
    const status = s.running ? `Up ${up}` : `Exited (1) ${up} ago`;
    return {
      Command: COMMANDS[s.service],
      CreatedAt: new Date(createdAt)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' +0000 UTC'),
      ExitCode: s.running ? 0 : 1,
      Health: health,
      ID: (0x5057a1000000 + i).toString(16).padEnd(12, '0'),
      Image: image,
      Labels: `com.docker.compose.project=postal,com.docker.compose.service=${s.service}`,
      LocalVolumes: '0',
      Mounts: '/opt/postal/config',
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

/**
 * What the server's own outbound connection to a mail host hears first: the operator's
 * `ssh root@server 'exec 3<>/dev/tcp/<ip>/25; head -1 <&3'`, answered from the server's address.
 */
export type OutboundProbe = (ip: string, port: number) => Promise<{ ok: true; line: string } | { ok: false; error: string }>;

/**
 * What the world's server host asks of Postal when provisioning runs a command in Postal's runner
 * container (world/server-host/server-tools.mjs): `postal initialize`, `postal default-dkim-record`,
 * and the accounts script (postal-accounts.ts).
 */
export interface RunnerOps {
  initialize(): void;
  defaultDkimRecord(): string;
  accounts(plan: unknown, dryRun: boolean, options?: { checkDns?: boolean }): Promise<unknown>;
  /**
   * The services (re)started on the server host (`docker compose up` / `restart`): they read postal.yml and
   * the files it names, as Postal's processes read /config at boot. Answers what the smtp process does with TLS.
   */
  services?(config: { postalYml: string; files: Record<string, string | null>; restart: string[] }): Promise<string>;
  /** The server host's Caddy obtaining certificates for its sites (ACME, played by the world CA). */
  certificate?(names: string[]): Promise<{ certificatePem: string; privateKeyPem: string }>;
}

const MAX_RUNNER_BODY = 1 << 20;

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_RUNNER_BODY) reject(new Error('request body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

async function answerRunner(
  runner: RunnerOps,
  method: string,
  path: string,
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
): Promise<void> {
  try {
    if (method === 'POST' && path === '/runner/initialize') {
      req.resume();
      runner.initialize();
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Database schema loaded\n');
      return;
    }
    if (method === 'GET' && path === '/runner/default-dkim-record') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${runner.defaultDkimRecord()}\n`);
      return;
    }
    if (method === 'POST' && path === '/runner/services' && runner.services) {
      const body = JSON.parse(await readBody(req)) as { postalYml: string; files?: Record<string, string | null>; restart?: string[] };
      res
        .writeHead(200, { 'Content-Type': 'text/plain' })
        .end(`${await runner.services({ postalYml: body.postalYml, files: body.files ?? {}, restart: body.restart ?? [] })}\n`);
      return;
    }
    if (method === 'POST' && path === '/caddy/certificate' && runner.certificate) {
      const body = JSON.parse(await readBody(req)) as { names?: unknown };
      const names = Array.isArray(body.names)
        ? body.names.filter((n): n is string => typeof n === 'string' && /^[a-z0-9.-]+$/i.test(n))
        : [];
      if (names.length === 0) throw new Error('expected {"names": ["<host name>", …]}');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await runner.certificate(names)));
      return;
    }
    const body = JSON.parse(await readBody(req)) as { plan: unknown; dryRun: boolean; checkDns?: boolean };
    const result = await runner.accounts(body.plan, body.dryRun === true, { checkDns: body.checkDns === true });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
  } catch (error) {
    // what the runner would print before exiting non-zero
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${(error as Error).message}\n`);
  }
}

export function createOpsServer(
  list: () => ComposePsEntry[],
  containers: () => DockerPsEntry[],
  extras: { outbound?: OutboundProbe; runner?: RunnerOps } = {},
): OpsServer {
  const { outbound, runner } = extras;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://ops');
    const path = url.pathname;
    if (
      runner &&
      (path === '/runner/initialize' ||
        path === '/runner/default-dkim-record' ||
        (req.method === 'POST' && ['/runner/accounts', '/runner/services', '/caddy/certificate'].includes(path)))
    ) {
      void answerRunner(runner, req.method ?? 'GET', path, req, res);
      return;
    }
    req.resume();
    if (req.method === 'GET' && path === '/outbound' && outbound) {
      const ip = url.searchParams.get('ip') ?? '';
      const port = Number(url.searchParams.get('port') ?? '25');
      if (!isIP(ip) || !Number.isInteger(port) || port < 1 || port > 65535) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('expected ?ip=<address>&port=<port>\n');
        return;
      }
      void outbound(ip, port).then((result) =>
        result.ok
          ? res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${result.line}\n`)
          : res.writeHead(504, { 'Content-Type': 'text/plain' }).end(`${result.error}\n`),
      );
      return;
    }
    if (req.method === 'GET' && path === '/compose/ps') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list()));
      return;
    }
    if (req.method === 'GET' && path === '/containers/ps') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(containers()));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
  });
  return lifecycleOf(server);
}
