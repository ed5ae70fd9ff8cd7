/**
 * npm run stability [-- --runs=10] [--with-cpu-load] — the unfaulted suite N times in a row against
 * fresh worlds; every run must exit 0. A harness that is sometimes red on a healthy server costs its
 * users a day each time. With --with-cpu-load, one busy process per core keeps the machine saturated
 * for the whole measurement (as a loaded CI runner would), so a deadline that is too tight shows up here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { harnessCommand, PROJECT_ROOT } from './harness-command.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'report-dir': { type: 'string', default: 'reports/stability' },
    'with-cpu-load': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
  console.error(`stability: --runs=${values.runs}: expected a whole number from 1 to 100`);
  process.exit(2);
}

/** A busy loop per core, in processes of their own, ended with this script whatever ends it. */
const burners: ChildProcess[] = values['with-cpu-load']
  ? Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))
  : [];
const stopBurners = (): void => burners.forEach((b) => b.kill('SIGKILL'));
process.on('exit', stopBurners);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(130));

let green = 0;
const seconds: number[] = [];
const reds = new Map<string, number>();
for (let i = 1; i <= runs; i++) {
  const dir = join(values['report-dir'], `run-${i}`);
  const started = Date.now();
  const harness = harnessCommand([`--report-dir=${dir}`]);
  const result = spawnSync(harness.command, harness.args, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 400_000,
    killSignal: 'SIGTERM',
    env: { ...process.env, POSTAL_QA_ARTIFACTS: 'off' },
  });
  const elapsed = (Date.now() - started) / 1000;
  seconds.push(elapsed);
  let red: string;
  try {
    const results = JSON.parse(readFileSync(join(dir, 'test-results', 'results.json'), 'utf8')) as {
      controls: Array<{ id: string; outcome: string; summary: string }>;
    };
    const bad = results.controls.filter((c) => ['fail', 'error', 'blocked'].includes(c.outcome));
    for (const c of bad) reds.set(c.id, (reds.get(c.id) ?? 0) + 1);
    red = bad.map((c) => `${c.id} ${c.outcome}: ${c.summary}`).join('; ');
  } catch {
    red = 'no results';
  }
  if (result.status === 0) green++;
  console.log(`run ${i}/${runs}: exit ${result.status} in ${elapsed.toFixed(1)} s${red ? ` — ${red}` : ''}`);
}
const load = values['with-cpu-load'] ? `, with ${burners.length} busy processes keeping every core loaded` : '';
console.log(
  `\nStability: ${green}/${runs} clean runs green${load} (mean ${(seconds.reduce((a, b) => a + b, 0) / runs).toFixed(1)} s, max ${Math.max(...seconds).toFixed(1)} s)`,
);
// A control red under load names the deadline to look at: its own, from the report's evidence.
for (const [id, count] of reds)
  console.log(
    `  ${id} red in ${count} run(s): read its evidence in ${values['report-dir']}/run-*/QA-TEST-REPORT.md for the deadline it waited out`,
  );
process.exit(green === runs ? 0 : 1);
