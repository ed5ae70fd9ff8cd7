/**
 * "Changes since the previous run": which controls newly fail, newly pass, or pass/fail as before but
 * with different evidence. Pure; previous-results.ts reads the previous results.json.
 */
import type { ControlOutcome, ControlResult } from '../controls/control-result.ts';

/** The parts of a previous results.json the comparison needs (older files may lack some). */
export interface PreviousRun {
  /** Where it was read from, for the report. */
  source: string;
  startedAt?: string;
  verdict?: string;
  controls: Array<
    Pick<ControlResult, 'id' | 'outcome'> & { verdicts?: Array<{ outcome: string; summary: string; expected?: string; observed?: string }> }
  >;
}

export interface ControlChange {
  id: string;
  before: string;
  after: string;
  /** For changed evidence: the first line that differs, before → after. */
  detail?: string;
}

export interface RunChanges {
  newlyFailing: ControlChange[];
  newlyPassing: ControlChange[];
  changedEvidence: ControlChange[];
  /** Controls that ran before and have no result now (or the other way round). */
  otherChanges: ControlChange[];
}

const PASSING: ReadonlySet<string> = new Set<ControlOutcome>(['pass', 'warn', 'waived']);
const FAILING: ReadonlySet<string> = new Set<ControlOutcome>(['fail', 'error']);

/** Measurements (a number with a unit of time or rate) and per-connection ids move on every run. */
const MEASUREMENT = /\d+(?:\.\d+)?(?=\s?(?:(?:ms|s|days?|messages\/s)\b|%))/g;
const SESSION_ID = /\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{6,}\b/g;

export function stable(text: string): string {
  return text.replace(MEASUREMENT, '#').replace(SESSION_ID, '#');
}

/**
 * What a verdict says, without what moves on every run: a latency of 812 ms instead of 790 ms, or
 * a new SMTP session id in the banner, is not "changed evidence"; a different record, reply code or
 * finding is.
 */
export function evidenceLines(verdicts: PreviousRun['controls'][number]['verdicts']): string[] {
  return (verdicts ?? []).map((v) => [v.outcome, stable(v.summary), stable(v.expected ?? ''), stable(v.observed ?? '')].join(' | '));
}

export function compareRuns(previous: PreviousRun, current: ControlResult[]): RunChanges {
  const before = new Map(previous.controls.map((c) => [c.id, c]));
  const changes: RunChanges = { newlyFailing: [], newlyPassing: [], changedEvidence: [], otherChanges: [] };
  const seen = new Set<string>();
  for (const now of current) {
    seen.add(now.id);
    const was = before.get(now.id);
    const change = { id: now.id, before: was?.outcome ?? 'no result', after: now.outcome };
    // A control without a result before counts as "not passing" and "not failing" then.
    if (FAILING.has(now.outcome) && !FAILING.has(change.before)) changes.newlyFailing.push(change);
    else if (PASSING.has(now.outcome) && !PASSING.has(change.before)) changes.newlyPassing.push(change);
    else if (!was || now.outcome !== was.outcome) changes.otherChanges.push(change);
    else {
      const a = evidenceLines(was.verdicts);
      const b = evidenceLines(now.verdicts);
      if (a.join('\n') !== b.join('\n')) {
        const at = a.findIndex((line, k) => line !== b[k]);
        const k = at === -1 ? a.length : at;
        const say = (v: { summary: string; observed?: string } | undefined) => (v ? (v.observed ?? v.summary) : '(none)');
        changes.changedEvidence.push({ ...change, detail: `${say(was.verdicts?.[k])} → ${say(now.verdicts[k])}` });
      }
    }
  }
  for (const was of previous.controls) {
    if (!seen.has(was.id)) changes.otherChanges.push({ id: was.id, before: was.outcome, after: 'no result' });
  }
  return changes;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderChanges(previous: PreviousRun | undefined, problem: string | undefined, current: ControlResult[]): string[] {
  const out = ['## Changes since the previous run', ''];
  if (!previous)
    return [
      ...out,
      problem ?? 'No previous run in this report folder: nothing to compare with (use --compare-to=<results.json> to pick one).',
      '',
    ];
  const changes = compareRuns(previous, current);
  out.push(
    `Compared with \`${previous.source}\`${previous.startedAt ? ` (run of ${previous.startedAt}, verdict ${previous.verdict ?? 'unknown'})` : ''}.`,
    '',
  );
  const total = changes.newlyFailing.length + changes.newlyPassing.length + changes.changedEvidence.length + changes.otherChanges.length;
  if (total === 0) return [...out, 'No changes: every control has the same outcome and the same evidence.', ''];
  const list = (title: string, items: ControlChange[]) => {
    if (items.length === 0) return;
    out.push(`**${title} (${items.length})**`, '');
    for (const c of items)
      out.push(`- \`${c.id}\` ${c.before.toUpperCase()} → ${c.after.toUpperCase()}${c.detail ? `: ${cell(c.detail)}` : ''}`);
    out.push('');
  };
  list('Newly failing', changes.newlyFailing);
  list('Newly passing', changes.newlyPassing);
  list('Changed evidence', changes.changedEvidence);
  list('Other changes', changes.otherChanges);
  return out;
}
