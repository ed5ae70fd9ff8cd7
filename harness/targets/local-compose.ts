/**
 * The compose CLI on a local run's project (Debian's docker-compose, which speaks to Docker and to
 * Podman's API alike), each call with a deadline. Shared by the local target and its reaper.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ContainerEngine } from './local-engine.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const STAND_IN_COMPOSE_FILE = 'docker-compose.stand-in.yml';
const DOWN_TIMEOUT_S = 15;

/** The compose CLI on our project, with a deadline. */
export function composeCli(engine: ContainerEngine, project: string, env: Record<string, string>, args: string[], timeoutS: number) {
  return spawnSync('docker-compose', ['-f', STAND_IN_COMPOSE_FILE, '-p', project, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...engine.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutS * 1000,
  });
}

/** `docker compose down -v`: containers, the project's network and its volumes. */
export function composeDown(engine: ContainerEngine, project: string, env: Record<string, string>): string | undefined {
  const result = composeCli(engine, project, env, ['down', '--volumes', '--timeout', String(DOWN_TIMEOUT_S)], DOWN_TIMEOUT_S + 60);
  return result.status === 0
    ? undefined
    : `compose down of ${project} failed: ${(result.stderr || result.error?.message || '').trim().split('\n').pop()}`;
}
