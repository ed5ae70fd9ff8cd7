/**
 * The container engine `--env=local` drives through Testcontainers: a Docker-API socket that answers
 * `/_ping`, and a compose CLI. DOCKER_HOST wins; then Docker's socket; then, where Podman is installed,
 * a Podman API service of our own on a private socket (rootful Podman here needs runc and lowered
 * ulimits, world/images/podman-containers.conf), stopped when the run ends. Nothing answers → one line
 * naming what to install, within seconds.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/config-error.ts';
import { pollUntil } from '../../core/poll.ts';

const PING_TIMEOUT_MS = 2_000;
const PODMAN_START_TIMEOUT_MS = 20_000;
/** Our Podman service ends after this many idle seconds; a killed harness thus leaves none running. */
const PODMAN_IDLE_S = 30;
const PODMAN_CONF = fileURLToPath(new URL('../../world/images/podman-containers.conf', import.meta.url));

export interface ContainerEngine {
  /** unix socket of the Docker-compatible API */
  socketPath: string;
  /** what answers there, for the report */
  label: string;
  /** the compose CLI (standalone docker-compose) */
  compose: { standalone: true; executablePath: string };
  /**
   * The engine's own CLI for `exec -i <container> …`, when there is one: Podman 4.3's Docker-compatible API
   * leaves a conmon process behind for every exec made through it (docker-compose exec), even after the
   * container is removed; `podman exec` does not.
   */
  execCli?: string[];
  /** Environment the engine's clients need (DOCKER_HOST, …). */
  env: Record<string, string>;
  /** Makes sure the engine answers again (our own Podman service ends when idle). */
  revive(): Promise<void>;
  stop(): Promise<void>;
}

/** Asks a Docker-API socket for `/_ping`; resolves true only when an engine answers. */
export function ping(socketPath: string, timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

const onPath = (program: string): boolean => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' }).status === 0;

/**
 * The compose CLI: Debian's `docker-compose` (1.29), which speaks to Docker Engine and to Podman's
 * Docker-compatible API alike, so one CLI serves both engines.
 */
export function findComposeCli(has: (program: string) => boolean = onPath): ContainerEngine['compose'] | undefined {
  return has('docker-compose') ? { standalone: true, executablePath: 'docker-compose' } : undefined;
}

export const NO_ENGINE_ADVICE =
  'install Podman and docker-compose (apt-get install podman runc docker-compose; the run starts `podman system service` itself) or Docker Engine and docker-compose, or use --env=embedded';

export interface FindEngineOptions {
  env?: NodeJS.ProcessEnv;
  /** Private folder for our own Podman socket. */
  runDir: string;
  has?: (program: string) => boolean;
}

export async function findContainerEngine(options: FindEngineOptions): Promise<ContainerEngine> {
  const env = options.env ?? process.env;
  const has = options.has ?? onPath;
  const compose = findComposeCli(has);
  const fromEnv = env.DOCKER_HOST?.startsWith('unix://') ? env.DOCKER_HOST.slice('unix://'.length) : undefined;
  const candidates = fromEnv ? [fromEnv] : ['/var/run/docker.sock'];
  for (const socketPath of candidates) {
    if (existsSync(socketPath) && (await ping(socketPath))) {
      if (!compose)
        throw new ConfigError(
          `--env=local: a container engine answers at ${socketPath}, but there is no compose CLI; apt-get install docker-compose`,
        );
      return {
        socketPath,
        label: `engine at ${socketPath}`,
        compose,
        ...(has('docker') ? { execCli: ['docker', 'exec', '-i'] } : {}),
        env: { DOCKER_HOST: `unix://${socketPath}` },
        revive: async () => {},
        stop: async () => {},
      };
    }
  }
  if (!fromEnv && has('podman')) {
    if (!compose) throw new ConfigError('--env=local: Podman is installed but there is no compose CLI; apt-get install docker-compose');
    return startPodmanService(options.runDir, compose);
  }
  const checked = candidates.join(', ');
  throw new ConfigError(
    `--env=local needs a container engine and none answers (checked ${checked}${fromEnv ? ' from DOCKER_HOST' : ', no podman on PATH'}); ${NO_ENGINE_ADVICE}`,
  );
}

/**
 * `podman system service` on a socket of our own, with the project's containers.conf. It exits by itself
 * after IDLE_S seconds without a request, so a harness killed outright (SIGKILL: no close()) leaves no
 * service behind; `revive()` starts it again for the teardown after the specs' quiet minutes.
 */
async function startPodmanService(runDir: string, compose: ContainerEngine['compose']): Promise<ContainerEngine> {
  const socketPath = join(runDir, 'podman.sock');
  const env = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF || PODMAN_CONF };
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill('SIGTERM');
    const ended = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref()),
    ]);
    if (!ended) current.kill('SIGKILL');
  };
  const start = async () => {
    if (running() && (await ping(socketPath))) return;
    await stop();
    let stderr = '';
    // Its own process group: the job's Ctrl-C must not take the engine away before the teardown.
    const started = spawn('podman', ['system', 'service', `--time=${PODMAN_IDLE_S}`, `unix://${socketPath}`], {
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = started;
    started.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2_000)));
    const answered = await pollUntil(
      async () => running() && existsSync(socketPath) && (await ping(socketPath)),
      (ok) => ok,
      { timeoutMs: PODMAN_START_TIMEOUT_MS, intervalMs: 100, maxIntervalMs: 500 },
    );
    if (!answered.value) {
      await stop();
      throw new ConfigError(
        `--env=local: podman system service did not answer on ${socketPath} within ${PODMAN_START_TIMEOUT_MS / 1000} s (${stderr.trim().split('\n').pop() || 'no output'}); check \`podman info\``,
      );
    }
  };
  await start();
  return {
    socketPath,
    label: `rootful Podman (podman system service, ${socketPath})`,
    compose,
    execCli: ['podman', 'exec', '-i'],
    env: { DOCKER_HOST: `unix://${socketPath}`, CONTAINERS_CONF: env.CONTAINERS_CONF },
    revive: start,
    stop,
  };
}
