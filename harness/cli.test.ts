/**
 * The CLI as a user runs it: a child process per case, each with its own world net and report folder,
 * reading only exit codes, stdout/stderr and the written reports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionDns } from '../provisioning/dns/provision-dns.ts';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { CATALOG } from './controls/catalog.ts';
import { cleanEnv } from '../e2e/support/clean-env.ts';

const scratch = mkdtempSync(join(tmpdir(), 'postal-qa-cli-'));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: string;
  reportDir: string;
  elapsedMs: number;
}

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  net = '127.0.61',
  reportDir = mkdtempSync(join(scratch, 'reports-')),
  cwd = PROJECT_ROOT,
): CliRun {
  const started = Date.now();
  const harness = harnessCommand([`--report-dir=${reportDir}`, ...args]);
  const result = spawnSync(harness.command, harness.args, {
    cwd,
    encoding: 'utf8',
    // A whole suite on a cold, busy 2-core machine: generous, and the test's own limit above it.
    timeout: 280_000,
    env: { ...cleanEnv(), POSTAL_QA_WORLD_NET: net, ...env },
  });
  let report: string;
  try {
    report = readFileSync(join(reportDir, 'QA-TEST-REPORT.md'), 'utf8');
  } catch {
    report = '';
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, report, reportDir, elapsedMs: Date.now() - started };
}

/** A user's folder with provisioning's output in artifacts/ (DKIM keys and the zone), as npm run provision:dns leaves it. */
const userFolder = join(scratch, 'user');
function userZone(): string {
  return provisionDns(loadDeployment(join(PROJECT_ROOT, 'fixtures', 'deployment.json')), join(userFolder, 'artifacts')).zoneText;
}
/** The CLI run from the user's folder (relative defaults read there: the deployment is named). */
const runFromUserFolder = (args: string[]): CliRun =>
  runCli(
    [
      `--deployment=${join(PROJECT_ROOT, 'fixtures', 'deployment.json')}`,
      ...(args.some((a) => a.startsWith('--waivers')) ? [] : [`--waivers=${join(PROJECT_ROOT, 'fixtures', 'waivers.json')}`]),
      ...args,
    ],
    {},
    '127.0.61',
    undefined,
    userFolder,
  );

const controlLine = (report: string, id: string): string => report.split('\n').find((line) => line.includes(`\`${id}\``)) ?? '';

// Whole suites run inside these tests: time for a cold, busy 2-core machine (the runs themselves stop at 280 s).
describe('npm test (harness/cli.ts)', { timeout: 300_000 }, () => {
  it('passes every control but FN-06 (no CLI configured: skipped) against the embedded world, with evidence', () => {
    const run = runCli([]);
    expect(run.code, run.stderr).toBe(0);
    // The advisories (the security checkers' warnings a sound Postal 3.3.2 still earns) may warn, never fail.
    for (const control of CATALOG.filter((c) => c.id !== 'FN-06')) {
      expect(controlLine(run.report, control.id)).toMatch(/\*\*(PASS|WARN)\*\*/);
    }
    expect(controlLine(run.report, 'FN-06')).toContain('**SKIPPED** — no MailGoat CLI configured');
    expect(run.report).toContain(`**Verdict: INCOMPLETE** — 1 of ${CATALOG.length} controls did not pass: 1 skipped`);
    expect(run.report).toContain('## DNS: expected vs observed');
    expect(run.report).toContain('MX mailgoat.ai @ 127.0.61.53');
  });

  it('links the Allure HTML, a screenshot and the SVG charts, and a second run shows what changed', () => {
    // PERF-02 alone (its prerequisites are not selected): its samples feed the latency chart. Its verdict
    // depends on the machine's load, so only the files are asserted.
    const run = runCli(['--only=PERF-02']);
    expect(run.report, run.stderr).toContain("## Mailbox providers' sender requirements");
    for (const file of [
      'allure-report/index.html',
      'test-results/screenshots/postal-login.png',
      'test-results/charts/control-durations.svg',
      'test-results/charts/delivery-latency.svg',
    ]) {
      expect(existsSync(join(run.reportDir, file)), file).toBe(true);
      expect(run.report).toContain(`](${file})`);
    }
    expect(readFileSync(join(run.reportDir, 'test-results/screenshots/postal-login.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(run.report).toContain('No previous run in this report folder');

    // A second run into the same folder compares with the first one's results.json.
    const second = runCli(['--only=DNS-01'], {}, '127.0.61', run.reportDir);
    expect(second.report).toContain(
      `## Changes since the previous run\n\nCompared with \`${join(run.reportDir, 'test-results', 'results.json')}\``,
    );
    expect(second.report).toContain('**Newly passing (1)**\n\n- `DNS-01` SKIPPED → PASS');
    expect(second.report).toMatch(/- `PERF-02` (PASS|FAIL) → SKIPPED/);
  }, 300_000);

  it('fails DNS-03 alone, exit 1, when the SPF include host no longer lists the server IP', () => {
    // The zone a user would copy and edit: provisioning's (npm run provision:dns in the user's folder), whose
    // DKIM key the world boots from — read from that folder's artifacts/, never written.
    const zone = userZone();
    const broken = zone.replace('"v=spf1 ip4:91.98.35.3 ~all"', '"v=spf1 ~all"');
    expect(broken).not.toBe(zone);
    const zoneFile = join(scratch, 'zone-without-ip.txt');
    writeFileSync(zoneFile, broken);

    const run = runFromUserFolder([`--zone-file=${zoneFile}`, '--only=dns']);
    expect(run.code, run.stderr).toBe(1);
    expect(controlLine(run.report, 'DNS-03')).toContain('**FAIL**');
    expect(run.report).toContain('**Remediation:** Set TXT spf.mailgoat.ai to "v=spf1 ip4:91.98.35.3 ~all"');
    for (const id of ['DNS-01', 'DNS-02', 'DNS-04', 'DNS-05', 'DNS-06', 'DNS-07']) {
      expect(controlLine(run.report, id)).toContain('**PASS**');
    }
  });

  it('waives a failing control until its waiver expires, and refuses a waiver for an unknown control', () => {
    const zone = userZone();
    const zoneFile = join(scratch, 'zone-for-waivers.txt');
    writeFileSync(zoneFile, zone.replace('"v=spf1 ip4:91.98.35.3 ~all"', '"v=spf1 ~all"'));
    const waiverFile = (expires: string, control = 'DNS-03') => {
      const file = join(scratch, `waivers-${control}-${expires}.json`);
      writeFileSync(file, JSON.stringify([{ control, justification: 'SPF change is with the DNS host, ticket 42', expires }]));
      return file;
    };

    const waived = runFromUserFolder([`--zone-file=${zoneFile}`, '--only=dns', `--waivers=${waiverFile('2999-01-01')}`]);
    expect(waived.code, waived.stderr).toBe(0);
    expect(controlLine(waived.report, 'DNS-03')).toContain('**WAIVED**');
    expect(waived.report).toContain('## Waivers');

    const expired = runFromUserFolder([`--zone-file=${zoneFile}`, '--only=dns', `--waivers=${waiverFile('2020-01-01')}`]);
    expect(expired.code).toBe(1);
    expect(controlLine(expired.report, 'DNS-03')).toContain('**FAIL**');
    expect(expired.report).toContain('expired on 2020-01-01');

    const unknown = runCli(['--only=dns', `--waivers=${waiverFile('2999-01-01', 'DNS-42')}`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"DNS-42" is not a control of the catalog');
  });

  it('names a misspelt deployment field in one line, exits 2 and still writes the report', () => {
    const fixture = readFileSync('fixtures/deployment.json', 'utf8');
    const file = join(scratch, 'misspelt.json');
    writeFileSync(file, fixture.replace('"address": "dev1@', '"adress": "dev1@'));
    const run = runCli([`--deployment=${file}`]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`postal-qa: ${file}: agents[3].adress: unknown field (did you mean "address"?)`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.report).toContain('Configuration error');
  });

  it('lists every missing live setting with exit 2', () => {
    const run = runCli(['--env=live']);
    expect(run.code).toBe(2);
    for (const key of [
      'POSTAL_API_URL',
      'POSTAL_API_KEYS_FILE',
      'SEED_GMAIL_ADDRESS',
      'SEED_GMAIL_PASSWORD',
      'SEED_OUTLOOK_ADDRESS',
      'SEED_OUTLOOK_PASSWORD',
    ]) {
      expect(run.stderr).toContain(key);
    }
  });

  it('says within 5 s that --env=local needs a container engine', () => {
    const run = runCli(['--env=local'], { DOCKER_HOST: `unix://${join(scratch, 'no-engine.sock')}` });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--env=local needs a container engine .*install Podman and docker-compose .*or Docker Engine/);
    expect(run.elapsedMs).toBeLessThan(5_000);
  });

  it('refuses a missing --compare-to file in one line naming the flag, exit 2; the report still has the sender requirements', () => {
    const missing = join(scratch, 'no-such-results.json');
    const run = runCli([`--compare-to=${missing}`]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`postal-qa: --compare-to=${missing}: no such file`);
    expect(run.report).toContain("## Mailbox providers' sender requirements");
  });

  it('refuses unknown flags values and an unknown control with exit 2', () => {
    expect(runCli(['--env=staging']).code).toBe(2);
    const run = runCli(['--only=DNS-99']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown control or area "DNS-99"');
  });
});

describe('live DNS code path, pointed at a world started as its own process', { timeout: 300_000 }, () => {
  const net = '127.0.62';
  let world: ReturnType<typeof spawn> | undefined;

  afterAll(async () => {
    if (!world || world.exitCode !== null) return;
    const exited = new Promise((resolve) => world!.once('exit', resolve));
    world.kill('SIGTERM');
    await exited;
  });

  it('queries the authoritative servers found through NS and compares the configured resolvers', async () => {
    // A deployment whose public IP is the world's postal address, so live-mode expectations hold unmapped.
    const deployment = JSON.parse(readFileSync('fixtures/deployment.json', 'utf8'));
    deployment.server.ip = `${net}.10`;
    const deploymentFile = join(scratch, 'live-deployment.json');
    writeFileSync(deploymentFile, JSON.stringify(deployment));
    const out = mkdtempSync(join(scratch, 'artifacts-'));

    world = spawn(
      process.execPath,
      ['--import', 'tsx', 'world/main.ts', `--deployment=${deploymentFile}`, `--net=${net}`, `--out=${out}`],
      { env: cleanEnv() },
    );
    let printed = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the world did not start in 90 s: ${printed}`)), 90_000);
      world!.stdout!.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.includes('Ctrl-C to stop.')) {
          clearTimeout(timer);
          resolve();
        }
      });
      world!.once('exit', (code) => reject(new Error(`the world exited with ${code}: ${printed}`)));
    });

    const run = runCli(
      ['--env=live', '--only=dns', `--deployment=${deploymentFile}`],
      // DNS-09 and DNS-14 also reach the mail host (its MX, its STARTTLS): names resolve through the world's DNS.
      { DNS_RESOLVERS: `${net}.53,${net}.54`, HOST_RESOLVER: `${net}.53` },
      '127.0.63',
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.report).toContain(`live server mail.mailgoat.ai (${net}.10)`);
    for (const id of ['DNS-01', 'DNS-02', 'DNS-03', 'DNS-04', 'DNS-05', 'DNS-06', 'DNS-07']) {
      expect(controlLine(run.report, id)).toContain('**PASS**');
    }
    // The deployment's records were read from the authoritative server discovered through NS.
    expect(run.report).toMatch(new RegExp(`MX mailgoat.ai @ ${net.replace(/\./g, '\\.')}\\.5[34]`));
    expect(run.report).toContain('| Selection | --only=dns |');

    // A second world on the same addresses cannot start: one line naming the address in use, exit 2, a report.
    const clash = runCli(['--only=dns'], {}, net);
    expect(clash.code).toBe(2);
    expect(clash.stderr.trim().split('\n')).toHaveLength(1);
    expect(clash.stderr).toMatch(new RegExp(`postal-qa: could not open the embedded target: .*${net.replace(/\./g, '\\.')}`));
    expect(clash.report).toContain('Configuration error: could not open the embedded target');
  });
});
