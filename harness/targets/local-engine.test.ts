import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-error.ts';
import { findComposeCli, findContainerEngine, ping } from './local-engine.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-engine-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A Docker-API socket that answers /_ping with the given status. */
async function fakeEngine(status: number): Promise<string> {
  const socketPath = join(scratch(), 'engine.sock');
  const server: Server = createServer((req, res) => {
    res.statusCode = req.url === '/_ping' ? status : 404;
    res.end(status === 200 ? 'OK' : 'no');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return socketPath;
}

const only =
  (...programs: string[]) =>
  (program: string) =>
    programs.includes(program);

describe('ping', () => {
  it('is true only for an engine that answers 200', async () => {
    expect(await ping(await fakeEngine(200))).toBe(true);
    expect(await ping(await fakeEngine(500))).toBe(false);
    expect(await ping(join(scratch(), 'nothing.sock'))).toBe(false);
  });
});

describe('findComposeCli', () => {
  it('uses the standalone docker-compose, and nothing without it', () => {
    expect(findComposeCli(only('docker-compose'))).toEqual({ standalone: true, executablePath: 'docker-compose' });
    expect(findComposeCli(only('podman', 'docker'))).toBeUndefined();
  });
});

describe('findContainerEngine', () => {
  it('takes the engine DOCKER_HOST names when it answers', async () => {
    const socketPath = await fakeEngine(200);
    const engine = await findContainerEngine({
      env: { DOCKER_HOST: `unix://${socketPath}` },
      runDir: scratch(),
      has: only('docker-compose'),
    });
    expect(engine.socketPath).toBe(socketPath);
    expect(engine.env.DOCKER_HOST).toBe(`unix://${socketPath}`);
  });

  it('refuses, naming what to install, when DOCKER_HOST names a socket where nothing answers — and does not fall back to Podman', async () => {
    const socketPath = await fakeEngine(500);
    const began = Date.now();
    const error = await findContainerEngine({
      env: { DOCKER_HOST: `unix://${socketPath}` },
      runDir: scratch(),
      has: only('docker-compose', 'podman'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /--env=local needs a container engine and none answers \(checked .*engine\.sock from DOCKER_HOST\); install Podman and docker-compose \(apt-get install podman runc docker-compose/,
    );
    // The brief's bound is 5 s for the whole CLI; the lookup itself is a ping with a 2 s timeout.
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it('names the missing compose CLI when an engine answers without one', async () => {
    const socketPath = await fakeEngine(200);
    await expect(
      findContainerEngine({ env: { DOCKER_HOST: `unix://${socketPath}` }, runDir: scratch(), has: only('podman') }),
    ).rejects.toThrow(/no compose CLI; apt-get install docker-compose/);
  });

  it('without DOCKER_HOST, Docker or Podman, says what to install', async () => {
    const error = await findContainerEngine({ env: {}, runDir: scratch(), has: only() }).catch((e: unknown) => e);
    // A Docker Engine on this machine would answer at /var/run/docker.sock; then there is nothing to refuse.
    if (error instanceof ConfigError) expect(error.message).toMatch(/no podman on PATH\); install Podman/);
  });
});
