/**
 * `npm run monitor`: after go-live, the same harness as `npm test`, run read-only (or with a small send
 * through the seeds), once or on a schedule; each run appended to a history file, the DMARC summary and
 * the pass-rate chart written, and exit 1 with what changed when something turned red.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, EXIT_CONFIG, EXIT_FAIL, EXIT_PASS } from '../../core/config-error.ts';
import { CATALOG } from '../controls/catalog.ts';
import { appendHistory, historyEntry, readHistory, type ResultControl } from './monitor-history.ts';
import { compareEntries } from './monitor-changes.ts';
import { harnessArgs, MONITOR_USAGE, parseMonitorOptions, type MonitorOptions } from './monitor-options.ts';
import { renderDmarcMarkdown, renderPassRateChart, type DmarcFacts } from './dmarc-summary-report.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let child: ReturnType<typeof spawn> | undefined;
let stopping = false;

/** One harness run, exactly as npm test runs it; resolves with its exit code. */
function runHarness(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli.ts', ...args], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { POSTAL_QA_ARTIFACTS: 'off', ...process.env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : EXIT_FAIL)));
  });
}

async function once(options: MonitorOptions): Promise<number> {
  const history = readHistory(options.history);
  const code = await runHarness(
    harnessArgs(
      options,
      CATALOG.map((c) => c.id),
    ),
  );
  if (code === EXIT_CONFIG || stopping) return code;
  const results = JSON.parse(readFileSync(join(options.reportDir, 'test-results', 'results.json'), 'utf8')) as {
    verdict: string;
    target?: { label?: string };
    controls: ResultControl[];
  };
  const entry = historyEntry(new Date(), results.target?.label ?? options.env, results.verdict, results.controls);
  const changes = compareEntries(history.at(-1), entry);
  appendHistory(options.history, entry);
  const fn08 = results.controls.find((c) => c.id === 'FN-08');
  const facts = fn08?.facts?.dmarcReports as DmarcFacts | undefined;
  if (facts) {
    writeFileSync(join(options.reportDir, 'dmarc-summary.md'), renderDmarcMarkdown(facts, fn08!.outcome, fn08!.summary).join('\n'));
    writeFileSync(
      join(options.reportDir, 'dmarc-summary.json'),
      `${JSON.stringify({ outcome: fn08!.outcome, summary: fn08!.summary, ...facts }, null, 2)}\n`,
    );
  }
  writeFileSync(join(options.reportDir, 'pass-rate.svg'), renderPassRateChart([...history, entry]));
  const lines = [
    `postal-qa monitor: ${entry.at} — ${history.length === 0 ? 'first run in ' : `run ${history.length + 1} in `}${options.history}`,
    ...changes.alerts.map((a) => `  TURNED RED  ${a}`),
    ...changes.stillRed.map((a) => `  still red   ${a}`),
    ...changes.recovered.map((a) => `  recovered   ${a}`),
    ...(facts
      ? [`  DMARC: ${fn08!.outcome} — ${fn08!.summary}`, `  summary: ${join(options.reportDir, 'dmarc-summary.md')}`]
      : [`  DMARC: ${fn08?.outcome ?? 'not run'}${fn08 ? ` — ${fn08.summary}` : ''}`]),
    `  chart:   ${join(options.reportDir, 'pass-rate.svg')}`,
  ];
  console.log(lines.join('\n'));
  return changes.alerts.length + changes.stillRed.length > 0 ? EXIT_FAIL : EXIT_PASS;
}

async function main(argv: string[]): Promise<number> {
  const options = parseMonitorOptions(argv);
  if (options.help) {
    console.log(MONITOR_USAGE);
    return EXIT_PASS;
  }
  readHistory(options.history);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      stopping = true;
      // The harness closes its target and writes its report on the same signal.
      if (child && child.exitCode === null) child.kill(signal);
      else process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal]);
    });
  }
  let code = await once(options);
  while (options.everyMs !== undefined && !stopping && code !== EXIT_CONFIG) {
    console.log(`postal-qa monitor: next run at ${new Date(Date.now() + options.everyMs).toISOString()} (Ctrl-C stops)`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
    if (!stopping) code = await once(options);
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`postal-qa monitor: ${error.message}`);
      process.exit(EXIT_CONFIG);
    }
    console.error(`postal-qa monitor: internal error: ${(error as Error).stack ?? String(error)}`);
    process.exit(EXIT_FAIL);
  },
);
