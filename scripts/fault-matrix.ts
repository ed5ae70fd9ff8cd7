/**
 * npm run faults — proves the harness catches what it claims. Runs the whole suite once clean and once
 * per world of named faults, each world fresh and on its own 127.0.N.0/24, and checks that every fault
 * turns its expected controls red (failed, or blocked by a failed prerequisite), for its real cause, and
 * nothing else. Faults that cannot see each other (disjoint red sets, disjoint parts of the world:
 * scripts/fault-groups.ts explains the rule and its risk) share a world; each is still judged on its own
 * controls, and one that fails in company is run again alone before it counts as a failure.
 * Writes reports/fault-matrix.md; exits 1 if a fault goes undetected, is caught for the wrong reason, or an
 * unrelated control goes red.
 *
 *   npm run faults [-- --parallel=3] [--only-faults=a,b] [--env=live] [--solo] [--max-per-world=4] [--first-net=127.0.100]
 *
 * --solo: every fault in a world of its own (the slow, full guarantee).
 * --env=live: each faulty world is started by `npm run world -- --fault=… --live-env=<file>`, and the suite
 * reaches it with `--env=live --env-file=<file> --allow-load`, through the live target as a user runs it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { CATALOG } from '../harness/controls/catalog.ts';
import { provisionAccounts } from '../provisioning/accounts/provision-accounts.ts';
import { provisionDns } from '../provisioning/dns/provision-dns.ts';
import { describeFaults, describeFaultSurfaces, faultNames, faultSources } from '../harness/targets/embedded.ts';
import { controlReads, outcomesFor, planGroups, type GroupableFault } from './fault-groups.ts';
import { expectedReasons, expectedRed } from './fault-oracle.ts';
import { controlText, judgeFaultRun, type ControlWords, type FaultRunJudgement } from './fault-judgement.ts';
import { harnessCommand, PROJECT_ROOT } from './harness-command.ts';

const { values } = parseArgs({
  options: {
    parallel: { type: 'string', default: '3' },
    'only-faults': { type: 'string' },
    'report-dir': { type: 'string', default: 'reports' },
    env: { type: 'string', default: 'embedded' },
    solo: { type: 'boolean', default: false },
    'max-per-world': { type: 'string', default: '4' },
    // The first world's /24 (the next ones follow): the default 127.0.100 is shared, so other runs wait for it.
    'first-net': { type: 'string', default: '127.0.100' },
  },
});
if (!['embedded', 'live'].includes(values.env)) {
  console.error(
    `--env=${values.env}: the fault matrix runs against embedded (default) or live (each faulty world started by npm run world -- --live-env, the suite run with --env=live)`,
  );
  process.exit(2);
}
/** live: the suite reaches each faulty world through the live target and the env file the world wrote. */
const throughLive = values.env === 'live';
const parallel = Math.max(1, Number(values.parallel));
const maxPerWorld = Math.max(1, Number(values['max-per-world']));
const firstNet = /^127\.(\d{1,3})\.(\d{1,3})$/.exec(values['first-net']);
if (!firstNet || Number(firstNet[2]) + parallel > 255) {
  console.error(
    `--first-net=${values['first-net']}: expected the first three octets of a loopback /24 like 127.0.100, with room for --parallel=${parallel} nets after it`,
  );
  process.exit(2);
}
const netOf = (slot: number): string => `127.${firstNet[1]}.${Number(firstNet[2]) + slot}`;
const reportDir = values['report-dir'];
const selected = values['only-faults'] ? faultNames().filter((name) => values['only-faults']!.split(',').includes(name)) : faultNames();
const RUN_TIMEOUT_MS = 300_000;
const LOAD_LOCK = join(tmpdir(), `postal-qa-load-lock-${process.pid}`);

interface Job {
  /** The world's name: "clean", a fault, or the faults joined with "+". */
  name: string;
  faults: string[];
  /** Per fault of the world: its expected red controls and the words of its cause. */
  members: Array<{ fault: string; expected: string[]; because: Readonly<Record<string, RegExp>> }>;
}

const WORLD_BOOT_MS = 120_000;

/** A faulty world of its own for a live-path run, stopped (and awaited) when the run is over. */
async function startWorldFor(job: Job, net: string, envFile: string): Promise<{ stop(): Promise<void>; log(): string }> {
  const world = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'world/main.ts',
      `--net=${net}`,
      `--live-env=${envFile}`,
      ...(job.faults.length ? [`--fault=${job.faults.join(',')}`] : []),
    ],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => world.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the world for ${job.name} was not ready within ${WORLD_BOOT_MS} ms`)), WORLD_BOOT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('World ready.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    world.stdout.on('data', onData);
    world.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the world for ${job.name} exited before it was ready:\n${output}`));
    });
  });
  return {
    log: () => output,
    async stop() {
      world.kill('SIGTERM');
      await exited;
    },
  };
}

/** One suite run against one world, judged per fault of that world (the clean world: as "clean"). */
async function runSuite(job: Job, slot: number): Promise<FaultRunJudgement[]> {
  const dir = join(reportDir, 'faults', job.name);
  mkdirSync(dir, { recursive: true });
  const net = netOf(slot);
  const envFile = join(dir, 'world.env');
  const judge = (
    exitCode: number | null,
    outcomes: Record<string, string>,
    texts: Record<string, string>,
    elapsedMs: number,
  ): FaultRunJudgement[] =>
    job.faults.length === 0
      ? [judgeFaultRun({ fault: 'clean', expected: [], because: {}, exitCode, outcomes, texts, elapsedMs })]
      : job.members.map((m) => ({
          ...judgeFaultRun({
            fault: m.fault,
            expected: m.expected,
            because: m.because,
            exitCode,
            outcomes: outcomesFor(m.fault, groupOf(job), outcomes),
            texts,
            elapsedMs,
          }),
          outcomes,
          ...(job.faults.length > 1 ? { world: job.faults } : {}),
        }));
  let world: Awaited<ReturnType<typeof startWorldFor>> | undefined;
  if (throughLive) {
    try {
      world = await startWorldFor(job, net, envFile);
    } catch (error) {
      writeFileSync(join(dir, 'run.log'), (error as Error).message);
      return judge(null, {}, {}, 0);
    }
  }
  const target = throughLive
    ? ['--env=live', `--env-file=${envFile}`, '--allow-load']
    : job.faults.length
      ? [`--fault=${job.faults.join(',')}`]
      : [];
  const harness = harnessCommand([`--report-dir=${dir}`, ...target]);
  const started = Date.now();
  const judged = await new Promise<FaultRunJudgement[]>((resolve) => {
    const child = spawn(harness.command, harness.args, {
      cwd: PROJECT_ROOT,
      // The matrix reads results.json only: no Allure HTML or screenshots to make in each of its runs.
      // One load test at a time across the parallel worlds (harness/controls/load-lock.ts): PERF-01 measures the
      // world's rate, not the contention of its neighbours.
      env: { ...process.env, POSTAL_QA_WORLD_NET: net, POSTAL_QA_ARTIFACTS: 'off', POSTAL_QA_LOAD_LOCK: LOAD_LOCK },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), RUN_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      writeFileSync(join(dir, 'run.log'), output);
      let outcomes: Record<string, string>;
      let texts: Record<string, string> = {};
      try {
        const results = JSON.parse(readFileSync(join(dir, 'test-results', 'results.json'), 'utf8')) as {
          controls: Array<{ id: string; outcome: string } & ControlWords>;
        };
        outcomes = Object.fromEntries(results.controls.map((c) => [c.id, c.outcome]));
        texts = Object.fromEntries(results.controls.map((c) => [c.id, controlText(c)]));
      } catch {
        outcomes = {};
      }
      resolve(judge(code, outcomes, texts, Date.now() - started));
    });
  });
  await world?.stop();
  return judged;
}

/** The world's faults as the grouping rule sees them (red sets and surfaces). */
let groupable = new Map<string, GroupableFault>();
const groupOf = (job: Job): GroupableFault[] => job.faults.map((f) => groupable.get(f)!);

async function main(): Promise<number> {
  const deployment = loadDeployment('fixtures/deployment.json');
  // Which parts of the world each fault changes, read from a throw-away provisioning (each world provisions its own).
  const scratch = mkdtempSync(join(tmpdir(), 'postal-qa-fault-surfaces-'));
  let surfaces: Map<string, string[]>;
  try {
    surfaces = describeFaultSurfaces(
      deployment,
      provisionDns(deployment, scratch).zoneText,
      provisionAccounts(deployment, scratch).manifest,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  groupable = new Map(selected.map((name) => [name, { name, red: expectedRed(name), surfaces: surfaces.get(name) ?? [] }]));
  const plan = planGroups([...groupable.values()], {
    maxPerGroup: maxPerWorld,
    solo: values.solo,
    reads: controlReads(deployment.domain),
  });
  const jobFor = (faults: string[]): Job => ({
    name: faults.join('+') || 'clean',
    faults,
    members: faults.map((fault) => ({ fault, expected: [...expectedRed(fault)], because: expectedReasons(fault) })),
  });
  const jobs: Job[] = [jobFor([]), ...plan.groups.map(jobFor)];

  const started = Date.now();
  const results: FaultRunJudgement[] = [];
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: Math.min(parallel, jobs.length) }, async (_, slot) => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        for (let judgement of await runSuite(job, slot)) {
          if (!judgement.ok) {
            // One more run, alone and in a fresh world, and the first result stays on record: a harness that is
            // only sometimes right (or right only alone) is reported as flaky, never quietly passed.
            const first = judgement;
            const [again] = await runSuite(jobFor(job.faults.length ? [judgement.fault] : []), slot);
            judgement = again!.ok
              ? { ...again!, flaky: `${first.world ? `with ${first.world.join(', ')}: ` : ''}${first.problems.join('; ')}` }
              : again!;
          }
          results.push(judgement);
          const flaky = judgement.flaky ? ` (flaky: the first run said ${judgement.flaky})` : '';
          const company = judgement.world ? ` [world: ${judgement.world.join(' + ')}]` : '';
          console.log(
            `${judgement.ok ? 'ok  ' : 'FAIL'} ${judgement.fault.padEnd(34)} ${(judgement.elapsedMs / 1000).toFixed(1)} s  ${judgement.problems.join('; ')}${flaky}${company}`,
          );
        }
      }
    }),
  );
  const order = ['clean', ...faultNames()];
  results.sort((a, b) => order.indexOf(a.fault) - order.indexOf(b.fault));
  const faultsOnly = results.filter((r) => r.fault !== 'clean');
  const detected = faultsOnly.filter((r) => r.detected).length;
  const unrelated = results.reduce((n, r) => n + r.unrelated.length, 0);
  const rightReason = faultsOnly.filter((r) => r.rightReason).length;
  const wall = (Date.now() - started) / 1000;
  const flaky = results.filter((r) => r.flaky).map((r) => r.fault);
  const worlds = jobs.length;
  writeFileSync(
    join(reportDir, 'fault-matrix.md'),
    renderMatrix(results, { detected, rightReason, total: faultsOnly.length, unrelated, wall, parallel, flaky, worlds }),
  );
  console.log(
    `\nDetection score (${throughLive ? 'through the live target' : 'embedded'}): ${detected}/${faultsOnly.length} faults detected, ${rightReason}/${faultsOnly.length} for the right reason, ${unrelated} unrelated red controls, clean run ${results.find((r) => r.fault === 'clean')?.ok ? 'green' : 'NOT green'}; ${flaky.length ? `FLAKY (passed on retry): ${flaky.join(', ')}; ` : ''}${worlds} worlds (${values.solo ? 'every fault alone' : `up to ${maxPerWorld} faults a world`}), ${wall.toFixed(0)} s wall, ${parallel} in parallel`,
  );
  console.log(`Matrix: ${join(reportDir, 'fault-matrix.md')}`);
  return results.every((r) => r.ok) ? 0 : 1;
}

const SYMBOL: Record<string, string> = { pass: '·', fail: '**F**', blocked: 'b', error: '**E**', warn: 'w', skipped: 's', waived: 'v' };

function renderMatrix(
  results: FaultRunJudgement[],
  totals: {
    detected: number;
    rightReason: number;
    total: number;
    unrelated: number;
    wall: number;
    parallel: number;
    flaky: string[];
    worlds: number;
  },
): string {
  const ids = CATALOG.map((c) => c.id);
  const out = [
    '# Fault matrix',
    '',
    `Detection score: **${totals.detected}/${totals.total}** faults detected; **${totals.rightReason}/${totals.total}** for the right reason (the failing control names the fault's real cause); **${totals.unrelated}** unrelated red controls; ${totals.worlds} worlds, ${totals.wall.toFixed(0)} s wall time, ${totals.parallel} worlds in parallel. Generated by \`npm run faults\`.`,
    ...(totals.flaky.length
      ? [
          '',
          `**Flaky:** ${totals.flaky.join(', ')} passed only on a retry in a fresh world; the first run's problems are in the Result column.`,
        ]
      : []),
    '',
    'Each row is one fault, judged on one run of the whole suite against a fresh world. Faults that cannot see each other share a world (the World column names its company; scripts/fault-groups.ts gives the rule and its risk): each is judged on its own controls and on every control none of them expects red. **F** failed, b blocked by a failed prerequisite, · passed, w warning, s skipped, **E** error; a cell in brackets was expected red.',
    '',
    `| Fault | Result | Right reason | World | ${ids.join(' | ')} |`,
    `|---|---|---|---|${ids.map(() => '---').join('|')}|`,
  ];
  for (const r of results) {
    const cells = ids.map((id) => {
      const symbol = SYMBOL[r.outcomes[id] ?? ''] ?? '?';
      return r.expected.includes(id) ? `[${symbol}]` : symbol;
    });
    const reason = r.fault === 'clean' ? '' : r.rightReason ? '✔' : `✘ ${r.wrongReason.map((w) => w.id).join(', ')}`;
    const company = r.world ? `with ${r.world.filter((f) => f !== r.fault).join(', ')}` : 'alone';
    out.push(
      `| ${r.fault} | ${r.ok ? (r.flaky ? `ok on retry alone (first: ${r.flaky.replaceAll('|', '\\|')})` : 'ok') : `**${r.problems.join('; ').replaceAll('|', '\\|')}**`} | ${reason} | ${company} | ${cells.join(' | ')} |`,
    );
  }
  const descriptions = new Map(
    describeFaults()
      .split('\n')
      .map((line) => [line.split(/\s+/)[0]!, line.replace(/^\S+\s+/, '')]),
  );
  const sources = faultSources();
  out.push(
    '',
    '## Faults',
    '',
    ...faultNames().map(
      (name) =>
        `- \`${name}\` — ${descriptions.get(name)}. Source: ${sources.get(name)}. Expected red: ${expectedRed(name).join(', ')}; because: ${Object.entries(
          expectedReasons(name),
        )
          .map(([id, words]) => `${id} says /${words.source}/`)
          .join(', ')}.`,
    ),
    '',
  );
  return out.join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
