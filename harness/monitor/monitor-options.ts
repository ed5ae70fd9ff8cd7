/** `npm run monitor -- …`: its own flags, each mistake one line (exit 2). */
import { ConfigError } from '../../core/config-error.ts';
import { closestKey } from '../../core/format-zod-error.ts';
import { parseDuration } from '../config/run-options.ts';
import type { EnvName } from '../targets/target.ts';

export interface MonitorOptions {
  env: EnvName;
  envFile?: string;
  /** Between runs; undefined: once. */
  everyMs?: number;
  history: string;
  reportDir: string;
  deployment?: string;
  allowLoad: boolean;
  maxMessages: number;
  help: boolean;
}

export const MONITOR_USAGE = `Usage: npm run monitor -- [--env-file=<live settings>] [--once | --every=<duration>] [--history=<file>] [options]

  --env-file=<file>        the live settings (as npm test -- --env=live reads them); without it the embedded world, like npm test
  --env=embedded|live|local  the target (live when --env-file is given)
  --once                   one run (the default): for cron or CI
  --every=<duration>       run again every 90s, 30m, 1h, 1d … until stopped (Ctrl-C, SIGTERM)
  --history=<file>         one JSON line per run is appended here (default reports/monitor/history.jsonl)
  --report-dir=<dir>       the run's report, dmarc-summary.md/.json and pass-rate.svg (default reports/monitor)
  --allow-load             also send a small message through the seeds (FN-02…FN-05, DNS-09's address; at most --max-messages)
  --max-messages=<n>       the cap with --allow-load (default 10)
  --deployment=<file>      the deployment description (default fixtures/deployment.json)

Runs the read-only controls (DNS, blocklists, TLS and certificate expiry, health, the rua address) and the DMARC
aggregate reports (FN-08) through npm test's harness; exit 1 when a control is red or something turned red since the
previous run (printed), 0 otherwise, 2 on a usage or configuration error.`;

const VALUE_FLAGS = ['env', 'env-file', 'every', 'history', 'report-dir', 'deployment', 'max-messages'] as const;
const SWITCHES = ['once', 'allow-load', 'help'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export function parseMonitorOptions(argv: string[]): MonitorOptions {
  const values: Partial<Record<ValueFlag, string>> = {};
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]!);
    const name = match?.[1] ?? argv[i]!;
    if (match && (SWITCHES as readonly string[]).includes(name) && match[2] === undefined) {
      switches.add(name);
      continue;
    }
    if (!match || !(VALUE_FLAGS as readonly string[]).includes(name)) {
      const suggestion = closestKey(name.replace(/^-+/, ''), [...VALUE_FLAGS, ...SWITCHES]);
      throw new ConfigError(
        `${argv[i]!.split('=')[0]}: unknown option${suggestion ? ` (did you mean --${suggestion}?)` : ''}; npm run monitor -- --help lists them`,
      );
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--'))
      throw new ConfigError(
        `--${name} needs a value, e.g. --${name}=${{ env: 'live', 'env-file': '.env.live', every: '1h', history: 'reports/monitor/history.jsonl', 'report-dir': 'reports/monitor', deployment: 'fixtures/deployment.json', 'max-messages': '10' }[name as ValueFlag]}`,
      );
    values[name as ValueFlag] = value;
  }
  const env = (values.env ?? (values['env-file'] ? 'live' : 'embedded')) as EnvName;
  if (!['embedded', 'live', 'local'].includes(env))
    throw new ConfigError(`--env=${values.env}: unknown environment; use embedded, live or local`);
  if (values['env-file'] && env !== 'live') throw new ConfigError(`--env-file holds live settings: it cannot go with --env=${env}`);
  if (switches.has('once') && values.every) throw new ConfigError('--once and --every contradict each other: keep one');
  const maxMessages = values['max-messages'] === undefined ? 10 : Number(values['max-messages']);
  if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > 500)
    throw new ConfigError(`--max-messages=${values['max-messages']}: must be a whole number from 1 to 500`);
  return {
    env,
    envFile: values['env-file'],
    everyMs: values.every ? parseDuration(values.every, '--every') : undefined,
    history: values.history ?? 'reports/monitor/history.jsonl',
    reportDir: values['report-dir'] ?? 'reports/monitor',
    deployment: values.deployment,
    allowLoad: switches.has('allow-load'),
    maxMessages,
    help: switches.has('help'),
  };
}

/** The controls a monitor run asks for with --allow-load: the read-only ones and the seed send (never the agents' ring, the CLI or load). */
export const LOAD_FREE_OF = ['INF-05', 'FN-01', 'FN-06', 'FN-07', 'PERF-01', 'PERF-02'];

/** npm test's arguments for one monitor run. */
export function harnessArgs(options: MonitorOptions, selectable: string[]): string[] {
  return [
    `--env=${options.env}`,
    ...(options.envFile ? [`--env-file=${options.envFile}`] : []),
    ...(options.deployment ? [`--deployment=${options.deployment}`] : []),
    `--report-dir=${options.reportDir}`,
    ...(options.allowLoad
      ? [
          `--only=${selectable.filter((id) => !LOAD_FREE_OF.includes(id)).join(',')}`,
          ...(options.env === 'live' ? ['--allow-load'] : []),
          `--max-messages=${options.maxMessages}`,
        ]
      : ['--read-only']),
  ];
}
