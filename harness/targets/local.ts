import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { ConfigError } from '../../core/config-error.ts';
import type { OpenTarget } from './target.ts';

const PROBE_TIMEOUT_MS = 2_000;

function socketCandidates(env: NodeJS.ProcessEnv): string[] {
  const fromEnv = env.DOCKER_HOST?.startsWith('unix://') ? [env.DOCKER_HOST.slice('unix://'.length)] : [];
  return [...fromEnv, '/var/run/docker.sock', '/run/podman/podman.sock', `/run/user/${process.getuid?.() ?? 0}/podman/podman.sock`];
}

/** Asks a Docker-API socket for `/_ping`; resolves true only when an engine answers. */
function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function findContainerRuntime(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const socket of socketCandidates(env)) {
    if (existsSync(socket) && (await ping(socket))) return socket;
  }
  return undefined;
}

/**
 * The local target runs the real Postal image under Testcontainers. Without a container engine it
 * cannot exist, so say so at once instead of letting a library fail deep inside a spec.
 */
export async function openLocalTarget(env: NodeJS.ProcessEnv = process.env): Promise<OpenTarget> {
  const runtime = await findContainerRuntime(env);
  if (!runtime) {
    throw new ConfigError(
      `--env=local needs a container engine and none answers (checked ${socketCandidates(env).join(', ')}); install Docker Engine, or Podman (apt-get install podman, then run \`podman system service -t 0 &\` and set DOCKER_HOST=unix:///run/podman/podman.sock), or use --env=embedded`,
    );
  }
  throw new ConfigError(
    `--env=local: a container engine answers at ${runtime}, but the Testcontainers replica (real Postal image + MariaDB) is not built yet in this version of postal-qa; use --env=embedded or --env=live`,
  );
}
