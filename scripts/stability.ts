/**
 * npm run stability [-- --runs=10] — the unfaulted suite N times in a row against fresh worlds; every
 * run must exit 0. A harness that is sometimes red on a healthy server costs its users a day each time.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { harnessCommand, PROJECT_ROOT } from './harness-command.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, 'report-dir': { type: 'string', default: 'reports/stability' } } });
const runs = Number(values.runs);
let green = 0;
const seconds: number[] = [];
for (let i = 1; i <= runs; i++) {
  const dir = join(values['report-dir']!, `run-${i}`);
  const started = Date.now();
  const harness = harnessCommand([`--report-dir=${dir}`]);
  const result = spawnSync(harness.command, harness.args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 240_000, killSignal: 'SIGTERM' });
  const elapsed = (Date.now() - started) / 1000;
  seconds.push(elapsed);
  let red = '';
  try {
    const results = JSON.parse(readFileSync(join(dir, 'test-results', 'results.json'), 'utf8')) as { controls: Array<{ id: string; outcome: string; summary: string }> };
    red = results.controls.filter((c) => ['fail', 'error', 'blocked'].includes(c.outcome)).map((c) => `${c.id} ${c.outcome}: ${c.summary}`).join('; ');
  } catch {
    red = 'no results';
  }
  if (result.status === 0) green++;
  console.log(`run ${i}/${runs}: exit ${result.status} in ${elapsed.toFixed(1)} s${red ? ` — ${red}` : ''}`);
}
console.log(`\nStability: ${green}/${runs} clean runs green (mean ${(seconds.reduce((a, b) => a + b, 0) / runs).toFixed(1)} s, max ${Math.max(...seconds).toFixed(1)} s)`);
process.exit(green === runs ? 0 : 1);
