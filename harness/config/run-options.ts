import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../../core/config-error.ts';
import { controlCharacterColumn } from '../../core/host-name.ts';
import { closestKey } from '../../core/format-zod-error.ts';
import { AREA_NAMES, resolveSelection } from '../controls/catalog.ts';

/** What --env accepts: which kind of target the run tests. */
export type EnvName = 'embedded' | 'local' | 'live';

export interface RunOptions {
  env: EnvName;
  deploymentPath: string;
  /** Control ids selected by --only; empty means all. */
  only: string[];
  /** The words the user gave to --only, for the report. */
  onlyWords: string[];
  reportDir: string;
  /** --compare-to: the results.json to compare with (default: the report folder's previous one). */
  compareTo?: string;
  zoneFile?: string;
  waiversPath: string;
  /** Named faults injected into the embedded world (--fault=a,b). */
  faults: string[];
  listFaults: boolean;
  /** Load controls (PERF-*) against live only with --allow-load. */
  allowLoad: boolean;
  /** Hard cap on the messages one load control may send. */
  maxMessages: number;
  /** --env-file: the live settings file (default .env.live, optional); given, it must exist. */
  envFile?: string;
  /** --read-only: send nothing; the controls that must send mail are skipped, naming the flag. */
  readOnly: boolean;
  /** --until-pass[=duration]: keep re-asking until the selected controls pass or the time is up (ms). */
  untilPassMs?: number;
  /** --allow-plain-http: API keys may go to a non-loopback http:// URL (never without this flag). */
  allowPlainHttp: boolean;
  help: boolean;
  /** vitest's own options (after a bare `--`, or the display flags it allows), handed over untouched. */
  vitestArgs: string[];
}

const ENVS: EnvName[] = ['embedded', 'local', 'live'];

export const USAGE = `Usage: npm test -- [options] [vitest options]

  --env=embedded|local|live   what to test (default embedded: the loopback replica)
  --deployment=<file>         deployment description (default fixtures/deployment.json)
  --only=<ids or areas>       comma-separated control ids (DNS-03) or areas (${AREA_NAMES.join(', ')})
  --report-dir=<dir>          where the QA report goes (default reports/)
  --zone-file=<file>          embedded only: serve this zone instead of the generated one
  --compare-to=<file>         compare with this results.json (default: the report folder's previous one)
  --waivers=<file>            accepted, dated exceptions (default fixtures/waivers.json)
  --fault=<name>[,<name>]     embedded only: inject named faults into the world (see --list-faults)
  --list-faults               list the world's named faults and the controls each must turn red
  --env-file=<file>           live only: the live settings file (default .env.live; see docs/live-settings.md)
  --read-only                 send no mail at all: the controls that must send are skipped, naming this flag
  --until-pass[=<duration>]   repeat the selected controls until they pass or the time is up (default 48h;
                              e.g. --only=dns --until-pass=2h while DNS propagates), printing what is still missing
  --allow-load                let PERF-* controls send load to a live server (always on for embedded/local)
  --allow-plain-http          live only: let API keys go to an http:// POSTAL_API_URL that is not loopback (clear text)
  --max-messages=<n>          hard cap on messages one load control sends (default 500)
  --help                      this text
  -- <vitest options>         anything after a bare -- goes to vitest untouched (--reporter, --silent and --bail may also come before it)

Exit codes: 0 every control passed (or warn/waived), 1 a control failed or was blocked, 2 usage or configuration
error (or a report that could not be written), 130/143/129/131 interrupted by SIGINT/SIGTERM/SIGHUP/SIGQUIT (the
report, verdict INTERRUPTED, is still written). Run by hand: node --import tsx harness/cli.ts -- <options>.`;

const OWN_FLAGS = [
  'env',
  'deployment',
  'only',
  'report-dir',
  'zone-file',
  'waivers',
  'max-messages',
  'fault',
  'compare-to',
  'env-file',
] as const;
/** Flags without a value. */
const SWITCHES = ['help', 'list-faults', 'allow-load', 'read-only', 'allow-plain-http'] as const;
/** Flags whose value is optional (only in the --flag=value form). */
const OPTIONAL_VALUE_FLAGS = ['until-pass'] as const;
const DEFAULT_UNTIL_PASS_MS = 48 * 3600_000;
/** vitest options that may be given without the `--` separator: they change only how results are shown. */
const VITEST_FLAGS = ['reporter', 'silent', 'bail', 'outputFile'];
type OwnFlag = (typeof OWN_FLAGS)[number];
/** vitest 4's built-in reporters (vitest/node ReportersMap; run-options.test.ts keeps the two lists equal). */
export const VITEST_REPORTERS = [
  'default',
  'agent',
  'minimal',
  'blob',
  'verbose',
  'dot',
  'json',
  'tap',
  'tap-flat',
  'junit',
  'tree',
  'hanging-process',
  'github-actions',
];

/** A --reporter vitest can load: a built-in name, or a module that resolves from here (a file or a package). */
function checkReporter(name: string): void {
  if (VITEST_REPORTERS.includes(name)) return;
  try {
    createRequire(join(process.cwd(), 'noop.js')).resolve(name.startsWith('.') || isAbsolute(name) ? resolve(name) : name);
  } catch {
    const suggestion = closestKey(name, VITEST_REPORTERS);
    throw new ConfigError(
      `--reporter=${name}: no such vitest reporter${suggestion ? ` (did you mean ${suggestion}?)` : ''}; use one of ${VITEST_REPORTERS.join(', ')}, or the path of a reporter module`,
    );
  }
}

function checkVitestArgs(args: string[]): void {
  args.forEach((arg, i) => {
    if (arg.startsWith('--reporter=')) checkReporter(arg.slice('--reporter='.length));
    else if (arg === '--reporter') checkReporter(args[i + 1] ?? '');
  });
}

export function parseRunOptions(argv: string[]): RunOptions {
  // `npm test` ends its command with a bare `--`, so Node never reads our options as its own (it takes
  // --env-file from anywhere before a `--`, on 20, 22 and 24): that first `--` is npm's, not the user's.
  if (argv[0] === '--') argv = argv.slice(1);
  const values: Partial<Record<OwnFlag, string>> = {};
  const vitestArgs: string[] = [];
  let help = false;
  let allowLoad = false;
  let listFaults = false;
  let readOnly = false;
  let allowPlainHttp = false;
  let untilPassMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--list-faults') {
      listFaults = true;
      continue;
    }
    if (arg === '--allow-load') {
      allowLoad = true;
      continue;
    }
    if (arg === '--read-only') {
      readOnly = true;
      continue;
    }
    if (arg === '--allow-plain-http') {
      allowPlainHttp = true;
      continue;
    }
    if (arg === '--until-pass' || arg.startsWith('--until-pass=')) {
      untilPassMs = arg.includes('=') ? parseDuration(arg.slice(arg.indexOf('=') + 1), '--until-pass') : DEFAULT_UNTIL_PASS_MS;
      continue;
    }
    if (arg === '--') {
      // Everything after a bare `--` is vitest's own, untouched.
      vitestArgs.push(...argv.slice(i + 1));
      break;
    }
    const match = /^--([a-zA-Z-]+)(?:=(.*))?$/s.exec(arg);
    const flag = match?.[1] as OwnFlag | undefined;
    if (match && VITEST_FLAGS.includes(match[1]!)) {
      vitestArgs.push(arg);
      // --reporter dot, --outputFile x: the value as the next argument
      if (
        match[2] === undefined &&
        ['reporter', 'outputFile'].includes(match[1]!) &&
        argv[i + 1] !== undefined &&
        !argv[i + 1]!.startsWith('--')
      )
        vitestArgs.push(argv[++i]!);
      continue;
    }
    if (!match || !flag || !OWN_FLAGS.includes(flag)) {
      const name = match?.[1] ?? arg.replace(/^-+/, '').split('=')[0]!;
      const suggestion = closestKey(name, [...OWN_FLAGS, ...SWITCHES, ...OPTIONAL_VALUE_FLAGS]);
      throw new ConfigError(
        `${arg.split('=')[0]}: unknown option${suggestion ? ` (did you mean --${suggestion}?)` : ''}; --help lists them, and vitest's own options go after a bare --`,
      );
    }
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`--${flag} needs a value, e.g. --${flag}=${example(flag)}`);
      i++;
    }
    if (value.trim() === '') throw new ConfigError(`--${flag} needs a value, e.g. --${flag}=${example(flag)}`);
    const column = controlCharacterColumn(value);
    if (column !== undefined)
      throw new ConfigError(
        `--${flag}: contains a control character (a line break, a tab) at character ${column}; expected one line of text`,
      );
    if (values[flag] !== undefined && values[flag] !== value)
      throw new ConfigError(`--${flag} is given twice (${values[flag]} and ${value}); keep one`);
    values[flag] = value;
  }

  checkVitestArgs(vitestArgs);
  const env = (values.env ?? 'embedded') as EnvName;
  if (!ENVS.includes(env)) throw new ConfigError(`--env=${values.env}: unknown environment; use one of ${ENVS.join(', ')}`);
  const faults = values.fault
    ? values.fault
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : [];
  // A blank list is a mistake, never "no fault": the run would pass a world the user meant to break.
  if (values.fault !== undefined && faults.length === 0)
    throw new ConfigError(`--fault=${values.fault}: names no fault; --list-faults shows them`);
  if (faults.length > 0 && env !== 'embedded') {
    throw new ConfigError(`--fault only works with --env=embedded (faults are injected into the world); never against ${env}`);
  }
  if (values['env-file'] && env !== 'live') {
    throw new ConfigError(`--env-file only works with --env=live (it holds the live settings); add --env=live or drop it`);
  }
  if (readOnly && allowLoad)
    throw new ConfigError('--read-only and --allow-load contradict each other: a read-only run sends no load; drop one');
  if (values['zone-file'] && env !== 'embedded') {
    throw new ConfigError(`--zone-file only works with --env=embedded (the world serves it); remove it or drop --env=${env}`);
  }

  if (allowPlainHttp && env !== 'live')
    throw new ConfigError(`--allow-plain-http only works with --env=live (it concerns POSTAL_API_URL); drop it`);
  const onlyWords = values.only
    ? values.only
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean)
    : [];
  // A blank selection must never mean "everything" (with --env=live that sends mail).
  if (values.only !== undefined && onlyWords.length === 0)
    throw new ConfigError(`--only=${values.only}: names no control or area; give ids like DNS-03 or areas: ${AREA_NAMES.join(', ')}`);
  const { ids, unknown } = resolveSelection(onlyWords);
  if (unknown.length > 0) {
    throw new ConfigError(
      `--only: unknown control or area ${unknown.map((u) => `"${u}"`).join(', ')}; use control ids like DNS-03 or areas: ${AREA_NAMES.join(', ')}`,
    );
  }

  const maxMessages = values['max-messages'] === undefined ? 500 : Number(values['max-messages']);
  if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > 10_000) {
    throw new ConfigError(`--max-messages=${values['max-messages']}: must be a whole number from 1 to 10000`);
  }

  return {
    env,
    deploymentPath: values.deployment ?? 'fixtures/deployment.json',
    only: ids,
    onlyWords,
    reportDir: values['report-dir'] ?? 'reports',
    compareTo: values['compare-to'],
    zoneFile: values['zone-file'],
    waiversPath: values.waivers ?? 'fixtures/waivers.json',
    faults,
    listFaults,
    allowLoad,
    maxMessages,
    envFile: values['env-file'],
    readOnly,
    untilPassMs,
    allowPlainHttp,
    help,
    vitestArgs,
  };
}

function example(flag: OwnFlag): string {
  return {
    env: 'live',
    deployment: 'fixtures/deployment.json',
    only: 'dns',
    'report-dir': 'reports',
    'zone-file': 'my-zone.txt',
    waivers: 'fixtures/waivers.json',
    'max-messages': '200',
    fault: 'worker-down',
    'compare-to': 'old-reports/test-results/results.json',
    'env-file': '.env.live',
  }[flag];
}

/** "90s", "30m", "2h", "1d" or a bare number of seconds → ms; at most 7 days. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(text.trim());
  const ms = match
    ? Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd']
    : NaN;
  if (!Number.isFinite(ms) || ms < 1_000 || ms > 7 * 86_400_000)
    throw new ConfigError(`${flag}=${text}: expected a duration from 1s to 7d, like 90s, 30m, 2h or 1d`);
  return ms;
}
