/**
 * The commands as a user types them: `npm run world -- --empty --provision-env=<file>` starts a world
 * whose Postal holds nothing and its server host (a real sshd), `npm run provision -- --env-file=<file>
 * --dry-run` plans phase 1 through it and changes nothing, and stopping the world (SIGTERM, as a
 * supervisor would) leaves no sshd and no server-host folder behind. A net of its own (e2e/support/loopback-net.ts).
 * (The full real runs are in world/server-host/provision-through-server-host.test.ts.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, eventually, startCli, stillRunning, type CliProcess } from './support/cli-process.ts';
import { PROJECT_ROOT } from '../scripts/harness-command.ts';
import { loopbackNet } from './support/loopback-net.ts';

const NET = loopbackNet(import.meta.url);
const out = mkdtempSync(join(tmpdir(), 'postal-qa-empty-world-'));
const envFile = join(out, 'provision.env');
let world: CliProcess;

beforeAll(async () => {
  world = startCli(
    process.execPath,
    ['--import', 'tsx', 'world/main.ts', `--net=${NET}`, `--out=${join(out, 'artifacts')}`, '--empty', `--provision-env=${envFile}`],
    { cwd: PROJECT_ROOT },
  );
  await world.waitFor('World ready.', 120_000);
  world.sampleDescendants();
}, 150_000);

afterAll(() => {
  world?.kill();
  rmSync(out, { recursive: true, force: true });
});

describe('an empty world, planned through its server host from the command line', () => {
  it('writes the provisioning settings and says how to run provisioning', () => {
    const env = readFileSync(envFile, 'utf8');
    expect(env).toContain(`PROVISION_HOST=root@${NET}.10:2222`);
    expect(env).toMatch(/^PROVISION_KNOWN_HOSTS=\//m);
    expect(world.output()).toContain(`npm run provision -- --env-file=${envFile}`);
  });

  it('npm run provision --dry-run plans everything and changes nothing', async () => {
    const run = startCli(
      process.execPath,
      ['--import', 'tsx', 'provisioning/deploy/main.ts', `--env-file=${envFile}`, `--out=${join(out, 'deliverables')}`, '--dry-run'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(out, 'artifacts', `world-ca-${NET}.pem`) },
      },
    );
    const exit = await run.exited;
    await run.closed;
    expect(exit.code, run.output()).toBe(0);
    expect(run.output()).toContain('[1/5] server preparation');
    expect(run.output()).toMatch(/Dry run: \d+ changes would be made .*; nothing was changed\./);
    expect(existsSync(join(out, 'deliverables'))).toBe(false);
    const root = /^PROVISION_ROOT=(.+)$/m.exec(readFileSync(envFile, 'utf8'))![1]!;
    expect(existsSync(join(root, 'opt/postal/config/postal.yml'))).toBe(false);
  }, 180_000);

  it('SIGTERM stops the world with its sshd; nothing of the server host is left', async () => {
    const seen = world.sampleDescendants();
    expect(
      seen.some((p) => p.comm === 'sshd'),
      'the world runs an sshd',
    ).toBe(true);
    const hostDir = dirname(/^PROVISION_KNOWN_HOSTS=(.+)$/m.exec(readFileSync(envFile, 'utf8'))![1]!);
    world.signalGroup('SIGTERM');
    await world.closed;
    await eventually(
      'every process the world started gone',
      15_000,
      () => Promise.resolve(stillRunning([...world.seen.values()]).length === 0 ? true : undefined),
      100,
    );
    expect(existsSync(hostDir)).toBe(false);
    expect(await canBind(`${NET}.10`, 2222, 'tcp')).toBe(true);
  }, 60_000);
});
