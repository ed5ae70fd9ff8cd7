/**
 * What --env=local does to its container, without the container: an empty world's server host, provisioned
 * by provisionLocalContainers through the exec transport (here the server host's shell itself; in the
 * container `docker-compose exec -T postal <shell>` in front of it). Phase 1, the records published with the
 * world's DNS provider, phase 2; then the suite reads Postal's own keys and the selector Postal made, and
 * DNS-04 and FN-04 pass with no hand edit. Net 127.0.114 (its own).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentialsFile } from '../../core/artifacts/api-keys-file.ts';
import { readPostalState } from '../../core/artifacts/postal-state.ts';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import { provisionAccounts } from '../../provisioning/accounts/provision-accounts.ts';
import { provisionDns } from '../../provisioning/dns/provision-dns.ts';
import { harnessCommand, PROJECT_ROOT } from '../../scripts/harness-command.ts';
import { describeWorld, formatEnvFile, liveEnvFor, startWorld, type World } from './embedded-test-servers.ts';
import { provisionLocalContainers, type LocalProvisionResult } from './local-provision.ts';

const NET = '127.0.114';
const deployment = loadDeployment('fixtures/deployment.json');
let world: World;
let dir: string;
let result: LocalProvisionResult;
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'postal-qa-local-provision-'));
  const dns = provisionDns(deployment, join(dir, 'world'));
  const accounts = provisionAccounts(deployment, join(dir, 'world'));
  world = await startWorld({
    deployment,
    zoneText: dns.zoneText,
    net: NET,
    accounts: {
      manifest: accounts.manifest,
      domainDkimPrivateKeyPem: readFileSync(dns.dkimPrivateKeyPath, 'utf8'),
      installSigningKeyPem: readFileSync(dns.installSigningKeyPath, 'utf8'),
    },
    empty: true,
    serverHost: true,
  });
  const caFile = join(dir, 'world-ca.pem');
  writeFileSync(caFile, world.mail!.ca.certificatePem);
  // As the container's world writes it: the world's own (unprovisioned) keys file, which provisioning replaces.
  const started = describeWorld(world, deployment, accounts.manifest, [], { caFile, apiKeysFile: accounts.apiKeysPath });
  result = await provisionLocalContainers({
    world: started,
    deployment,
    execPrefix: [],
    env: process.env,
    cwd: PROJECT_ROOT,
    out: join(dir, 'deliverables'),
    log: (line) => lines.push(line),
  });
}, 600_000);

afterAll(async () => {
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('provisioning the local containers through the exec transport', () => {
  it('runs phase 1, publishes the records Postal made, and runs phase 2 until Postal says DKIM OK', () => {
    const log = lines.join('\n');
    expect(log).toContain('[1/5] server preparation');
    expect(log).toMatch(/\[5\/5\] internal test[^\n]*\n {2}ok: /);
    expect(log).toMatch(/Published postal-dns-records\.txt with the world's DNS provider: published \d+ records/);
    expect(log).toContain('Postal says: DKIM OK');
    const state = readPostalState(join(dir, 'deliverables', 'postal-state.json'));
    expect(result.summary).toBe(
      `provisioned by \`npm run provision\`'s phase 1 and phase 2 through \`${world.serverHost!.shell}\` (${/Provisioned: (\d+) changed/.exec(log)![1]} changes; Postal made the selector ${state.dkim.selector}; its DNS check says DKIM OK)`,
    );
    // postal.yml as provisioning wrote it, inside the server's root: SMTP TLS on.
    expect(readFileSync(join(world.serverHost!.root, 'opt/postal/config/postal.yml'), 'utf8')).toMatch(/tls_enabled: true/);
  });

  it("hands the suite Postal's own keys and what Postal generated, not the world's", () => {
    expect(result.world.apiKeysFile).toBe(join(dir, 'deliverables', 'postal-api-keys.txt'));
    expect(existsSync(result.world.apiKeysFile)).toBe(true);
    const state = readPostalState(result.world.postal.stateFile!);
    expect(result.world.postal.dkimRecord).toBe(state.dkim.record);
    expect(state.dkim.selector).toMatch(/^postal-[A-Za-z][A-Za-z0-9]{4}[A-Za-z]$/);
    expect(state.dkim.selector).not.toBe(deployment.dns.dkim.selector);
    // The SMTP credential Postal holds is the one provisioning created, not the one the empty world's files name
    // (which Postal refuses with 535: FN-02's SMTP path failed on --env=local before).
    const smtpKey = readCredentialsFile(result.world.apiKeysFile).smtpKey;
    expect(smtpKey).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(result.world.smtpCredentialKey).toBe(smtpKey);
    expect(liveEnvFor(result.world, deployment).POSTAL_SMTP_CREDENTIAL).toBe(smtpKey);
  });

  it('DNS-04 and FN-04 pass through the live path with the selector Postal made', async () => {
    const envFile = join(dir, 'live.env');
    writeFileSync(envFile, formatEnvFile(liveEnvFor(result.world, deployment), ['local provisioned']), { mode: 0o600 });
    const reportDir = join(dir, 'report');
    const harness = harnessCommand(['--env=live', `--env-file=${envFile}`, '--only=DNS-04,FN-04', `--report-dir=${reportDir}`]);
    const exit = await new Promise<number | null>((resolve) => {
      const child = spawn(harness.command, harness.args, {
        cwd: PROJECT_ROOT,
        env: { ...process.env, POSTAL_QA_ARTIFACTS: 'off', MAILGOAT_CLI: '' },
        stdio: 'ignore',
      });
      child.once('exit', (code) => resolve(code));
    });
    const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as {
      controls: Array<{ id: string; outcome: string; summary: string }>;
    };
    const selector = readPostalState(result.world.postal.stateFile!).dkim.selector;
    expect(results.controls.filter((c) => c.outcome !== 'skipped').map((c) => [c.id, c.outcome])).toEqual([
      ['DNS-04', 'pass'],
      ['FN-04', 'pass'],
    ]);
    expect(results.controls.find((c) => c.id === 'FN-04')!.summary).toContain(`s=${selector}`);
    expect(exit).toBe(0);
  }, 300_000);
});
