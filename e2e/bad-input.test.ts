/**
 * Bad input, as a user gives it: every row runs the real CLI (exactly what `npm test` runs) and must
 * end with exit 2 and exactly one line on stderr naming the field, flag or setting — no stack trace,
 * no "internal error" — before any target opens (the report, when it can be written, shows no target).
 * Each row has a generous deadline for a cold, busy machine; nothing measures elapsed time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/harness-command.ts';

const ROW_TIMEOUT_MS = 120_000;
const scratch = mkdtempSync(join(tmpdir(), 'postal-qa-bad-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = JSON.parse(readFileSync(join(PROJECT_ROOT, 'fixtures', 'deployment.json'), 'utf8'));
/** A deployment file with one change, written to the scratch folder. */
function deploymentWith(name: string, change: (d: any) => void): string {
  const copy = structuredClone(fixture);
  change(copy);
  return write(name, JSON.stringify(copy, null, 2));
}
function write(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}
const folder = (name: string): string => {
  const path = join(scratch, name);
  mkdirSync(path, { recursive: true });
  return path;
};

/** The parent's environment without anything that would configure the run behind the test's back. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(POSTAL_|SEED_|DNS_|MAILGOAT_|SPAMD_|INBOX_|VITEST|DOCKER_HOST)/.test(key) && key !== 'NODE_ENV') env[key] = value;
  }
  // Should validation ever let a row through, its world would start on a net of its own, not on another test's.
  env.POSTAL_QA_WORLD_NET = '127.0.163';
  return env;
}

interface Row {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** the one stderr line must contain this: the field, flag or setting (and what is wrong) */
  says: string | RegExp;
  /** run from another folder (for .env.live, which is read from the current folder) */
  cwd?: string;
  /** false when the row's --report-dir cannot take the report */
  reportWritten?: boolean;
}

const live = ['--env=live', '--only=dns'];
const liveRunDir = folder('live-cwd');
mkdirSync(join(liveRunDir, '.env.live'));

const rows: Row[] = [
  // Wrong types, once reported as "required field is missing".
  { name: 'server.ip is a number', args: [`--deployment=${deploymentWith('ip-number.json', (d) => (d.server.ip = 12345))}`], says: 'server.ip: expected an IPv4 address (string), found the number 12345' },
  { name: 'agents is a number', args: [`--deployment=${deploymentWith('agents-number.json', (d) => (d.agents = 42))}`], says: 'agents: expected a list of agents (array), found the number 42' },
  { name: 'spamScoreMin is a string', args: [`--deployment=${deploymentWith('score-string.json', (d) => (d.thresholds.spamScoreMin = '8'))}`], says: 'thresholds.spamScoreMin: expected a score from 0 to 10 (number), found the string "8"' },
  // Accepted without a word, once.
  { name: '12 agents where the plan has 13', args: [`--deployment=${deploymentWith('twelve-agents.json', (d) => d.agents.shift())}`], says: 'agents: expected 13 agents (expectedAgentCount' },
  { name: 'a duplicate agent address', args: [`--deployment=${deploymentWith('duplicate-address.json', (d) => (d.agents[4].address = 'dev1@mailgoat.ai'))}`], says: 'agents[4].address: expected a unique address, found "dev1@mailgoat.ai" again (also agents[3])' },
  { name: 'a catch-all that is not one of the agents', args: [`--deployment=${deploymentWith('catch-all-nobody.json', (d) => (d.catchAll = 'everyone'))}`], says: 'catchAll: expected one of the agent ids' },
  { name: 'two catch-alls', args: [`--deployment=${deploymentWith('catch-all-two.json', (d) => (d.catchAll = ['team', 'qa']))}`], says: 'catchAll: expected one agent id (the single catch-all) (string), found an array of 2 items' },
  { name: 'a 5 MB whitespace-padded deployment file', args: [`--deployment=${write('padded.json', `${JSON.stringify(fixture)}${' '.repeat(5 * 1024 * 1024)}`)}`], says: /^--deployment=.*padded\.json: the deployment file is 5\.0 MB; at most 1\.0 MB is accepted$/ },
  { name: 'a waiver expiring on 2030-02-30', args: [`--waivers=${write('waiver-feb-30.json', JSON.stringify([{ control: 'DNS-06', justification: 'PTR requested from Hetzner, ticket 123', expires: '2030-02-30' }]))}`], says: '[0].expires: must be a real calendar date' },
  // Files the user named that cannot be read as one.
  { name: '--waivers names a directory', args: [`--waivers=${folder('waivers-dir')}`], says: /^--waivers=.*waivers-dir: is a directory; expected a waivers file/ },
  { name: '--waivers names a missing file', args: [`--waivers=${join(scratch, 'no-waivers.json')}`], says: /^--waivers=.*no-waivers\.json: waivers file not found/ },
  { name: '--waivers names a device', args: ['--waivers=/dev/zero'], says: '--waivers=/dev/zero: is not a regular file' },
  { name: '--deployment names a directory', args: [`--deployment=${folder('deployment-dir')}`], says: /^--deployment=.*deployment-dir: is a directory/ },
  { name: '--deployment names a missing file', args: [`--deployment=${join(scratch, 'nope.json')}`], says: /^--deployment=.*nope\.json: deployment file not found/ },
  { name: '--deployment is not UTF-8', args: [`--deployment=${write('latin1.json', Buffer.from('{"name": "caf\xe9"}', 'latin1'))}`], says: /^--deployment=.*latin1\.json: the deployment file is not UTF-8 text$/ },
  { name: '--deployment is not JSON', args: [`--deployment=${write('broken.json', '{ "name": ')}`], says: /broken\.json: the deployment file is not valid JSON/ },
  { name: '--zone-file names a directory', args: [`--zone-file=${folder('zone-dir')}`], says: /^--zone-file=.*zone-dir: is a directory; expected a zone file/ },
  { name: '--zone-file names a missing file', args: [`--zone-file=${join(scratch, 'no-zone.txt')}`], says: /^--zone-file=.*no-zone\.txt: zone file not found/ },
  { name: '--compare-to names a directory', args: [`--compare-to=${folder('compare-dir')}`], says: /^--compare-to=.*compare-dir: is a directory/ },
  { name: 'POSTAL_API_KEYS_FILE names a directory', args: live, env: { POSTAL_API_KEYS_FILE: folder('keys-dir') }, says: /^POSTAL_API_KEYS_FILE=.*keys-dir: is a directory; expected a API keys file/ },
  { name: '.env.live is a directory', args: [...live, `--deployment=${join(PROJECT_ROOT, 'fixtures', 'deployment.json')}`], cwd: liveRunDir, says: '.env.live: is a directory' },
  // Live settings, once errors inside controls.
  { name: 'DNS_RESOLVERS=not-an-ip', args: live, env: { DNS_RESOLVERS: 'not-an-ip' }, says: 'DNS_RESOLVERS: expected comma-separated IP addresses' },
  { name: 'POSTAL_API_URL=not-a-url', args: live, env: { POSTAL_API_URL: 'not-a-url' }, says: 'POSTAL_API_URL: expected an http(s) URL' },
  { name: 'a deadline override that is not a number', args: [], env: { POSTAL_QA_DELIVERY_TIMEOUT_S: 'soon' }, says: 'POSTAL_QA_DELIVERY_TIMEOUT_S=soon: must be a number of seconds' },
  { name: 'POSTAL_QA_WORLD_NET outside 127/8', args: [], env: { POSTAL_QA_WORLD_NET: '10.0.0' }, says: 'POSTAL_QA_WORLD_NET: expected the first three octets of a loopback /24' },
  // Flags.
  { name: '--evn=live (a typo)', args: ['--evn=live'], says: '--evn: unknown option (did you mean --env?)' },
  { name: 'an unknown fault', args: ['--fault=no-such-fault'], says: '--fault=no-such-fault: no such fault' },
  ...['/etc/hostname/sub', '/sys/x', '/proc/x'].map(
    (dir): Row => ({ name: `--report-dir=${dir} (unwritable)`, args: [`--report-dir=${dir}`], says: `--report-dir=${dir}: reports cannot be written there`, reportWritten: false }),
  ),
];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI as `npm test` starts it; SIGKILLed at the row's deadline so a hang fails the row instead of the suite. */
function runCli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  // From another folder `--import tsx` would not resolve: name the loader by its full URL.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'harness', 'cli.ts'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), ROW_TIMEOUT_MS - 10_000);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

describe.concurrent('bad input: exit 2, one line naming what is wrong, before any target opens', () => {
  it.each(rows)('$name', async (row) => {
    const reportDir = mkdtempSync(join(scratch, 'reports-'));
    const hasReportDir = row.args.some((a) => a.startsWith('--report-dir'));
    const run = await runCli([...(hasReportDir ? [] : [`--report-dir=${reportDir}`]), ...row.args], { ...cleanEnv(), ...row.env }, row.cwd ?? PROJECT_ROOT);
    const context = `exit ${run.code} (${run.signal ?? 'no signal'})\nstderr:\n${run.stderr}\nstdout:\n${run.stdout}`;
    expect(run.code, context).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines, context).toHaveLength(1);
    const line = lines[0]!.replace(/^postal-qa: /, '');
    expect(lines[0], context).toMatch(/^postal-qa: /);
    if (typeof row.says === 'string') expect(line, context).toContain(row.says);
    else expect(line, context).toMatch(row.says);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at |ZodError|EISDIR/);
    if (row.reportWritten !== false) {
      // The report records the error and no target: nothing was opened, no world started.
      const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as { configError: string | null; target: unknown };
      expect(results.configError).toBe(line);
      expect(results.target).toBeNull();
    }
  }, ROW_TIMEOUT_MS);
});
