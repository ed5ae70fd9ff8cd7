/**
 * Nothing the user owns is overwritten by a test run. Provisioning's deliverables — made here the way a
 * user makes them, by `npm run provision` against the world's empty Postal (through its server host) —
 * are byte for byte the same after the whole embedded suite ran from the same folder; and provisioning
 * itself refuses, before it touches the server, to overwrite a deliverable it did not write.
 * Two nets of its own (e2e/support/loopback-net.ts): the empty world's, then the suite's own world's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../harness/controls/catalog.ts';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { startCli, type CliProcess } from './support/cli-process.ts';
import { loopbackNet } from './support/loopback-net.ts';

const NET = loopbackNet(import.meta.url, 0);
const SUITE_NET = loopbackNet(import.meta.url, 1);
const scratch = mkdtempSync(join(tmpdir(), 'postal-qa-deliverables-'));
/** The user's folder: `npm run provision` writes its default artifacts/ here, `npm test` runs here. */
const user = join(scratch, 'user');
mkdirSync(user);
const provisionEnv = join(scratch, 'provision.env');
const deployment = join(PROJECT_ROOT, 'fixtures', 'deployment.json');
let world: CliProcess | undefined;

afterAll(async () => {
  world?.signalGroup('SIGTERM');
  await world?.closed;
  rmSync(scratch, { recursive: true, force: true });
});

beforeAll(async () => {
  world = startCli(
    process.execPath,
    [
      '--import',
      'tsx',
      'world/main.ts',
      `--net=${NET}`,
      `--out=${join(scratch, 'world-files')}`,
      '--empty',
      `--provision-env=${provisionEnv}`,
    ],
    { cwd: PROJECT_ROOT },
  );
  await world.waitFor('World ready.', 120_000);
}, 150_000);

/** `npm run provision` as a user types it in their folder (its --out defaults to ./artifacts). */
function provision(args: string[]): { code: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(PROJECT_ROOT, 'provisioning', 'deploy', 'main.ts'),
      `--env-file=${provisionEnv}`,
      `--deployment=${deployment}`,
      ...args,
    ],
    {
      cwd: user,
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(scratch, 'world-files', `world-ca-${NET}.pem`) },
    },
  );
  return { code: result.status, output: result.stdout + result.stderr };
}

/** relative path → sha256 and mode of every file under `dir`. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => statSync(join(dir, name)).isFile())
      .sort()
      .map((name) => [
        name,
        `${createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex')} ${(statSync(join(dir, name)).mode & 0o777).toString(8)}`,
      ]),
  );
}

describe("provisioning's deliverables are the user's", () => {
  it('npm run provision refuses, before touching the server, a deliverable in --out it did not write', () => {
    const out = join(scratch, 'foreign');
    mkdirSync(out);
    writeFileSync(join(out, 'postal-api-keys.txt'), 'ceo@mailgoat.ai AAAAAAAAAAAAAAAAAAAAAAAA\n');
    const result = provision([`--out=${out}`]);
    expect(result.code, result.output).toBe(2);
    expect(result.output.trim()).toBe(
      `provision: ${join(out, 'postal-api-keys.txt')}: exists and was not written by provisioning (or was changed since); move it away, or pass --force to overwrite it`,
    );
    expect(readFileSync(join(out, 'postal-api-keys.txt'), 'utf8')).toBe('ceo@mailgoat.ai AAAAAAAAAAAAAAAAAAAAAAAA\n');
    expect(readdirSync(out)).toEqual(['postal-api-keys.txt']);
  }, 120_000);

  it('after npm run provision on the empty world, the whole embedded suite leaves every deliverable byte for byte', async () => {
    const provisioned = provision([]);
    expect(provisioned.code, provisioned.output).toBe(0);
    const artifacts = join(user, 'artifacts');
    const before = snapshot(artifacts);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([
        'postal-api-keys.txt',
        'postal-dns-records.txt',
        'postal-credentials.env',
        join('agents', 'qa', 'config.json'),
      ]),
    );
    const checkout = snapshot(join(PROJECT_ROOT, 'artifacts'));
    world?.signalGroup('SIGTERM');
    await world?.closed;
    world = undefined;

    const reportDir = join(scratch, 'reports');
    const harness = harnessCommand([
      `--report-dir=${reportDir}`,
      `--deployment=${deployment}`,
      `--waivers=${join(PROJECT_ROOT, 'fixtures', 'waivers.json')}`,
    ]);
    const suite = spawnSync(harness.command, harness.args, {
      cwd: user,
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, POSTAL_QA_WORLD_NET: SUITE_NET, POSTAL_QA_ARTIFACTS: 'off' },
    });
    const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as {
      configError: unknown;
      controls: unknown[];
    };
    expect(results.configError, suite.stderr).toBeNull();
    expect(results.controls.length, suite.stdout).toBe(CATALOG.length);

    expect(snapshot(artifacts)).toEqual(before);
    expect(snapshot(join(PROJECT_ROOT, 'artifacts'))).toEqual(checkout);
    // The world wrote its own files elsewhere: nothing new in the user's folder.
    expect(readdirSync(user)).toEqual(['artifacts']);
  }, 900_000);
});
