/** The verdict on one fault run: was the fault seen, for its real cause, and did only the expected controls go red? */
export interface FaultRunJudgement {
  fault: string;
  expected: string[];
  outcomes: Record<string, string>;
  exitCode: number | null;
  elapsedMs: number;
  /** At least one expected control failed outright (blocked alone would mean nothing was measured). */
  detected: boolean;
  /** Expected controls that stayed green. */
  missed: string[];
  /** Controls that went red although the fault should not touch them. */
  unrelated: string[];
  /**
   * Controls the oracle names with the words of the fault's real cause whose summary and remediation do not
   * contain them, or that did not fail outright: the fault was seen, but the user is sent after the wrong cause.
   */
  wrongReason: Array<{ id: string; wanted: string; said: string }>;
  /** Every control with a cause in the oracle failed and said it: the "right reason" column. */
  rightReason: boolean;
  ok: boolean;
  problems: string[];
  /** Set when this result came from a retry: what the first run got wrong. */
  flaky?: string;
  /** The faults of the world it ran in, when it shared one (scripts/fault-groups.ts). */
  world?: string[];
}

/** What a control said, as results.json records it: its summary and every verdict's summary and remediation. */
export interface ControlWords {
  summary?: string;
  remediation?: string;
  verdicts?: Array<{ outcome?: string; summary?: string; remediation?: string }>;
}

const RED = new Set(['fail', 'blocked', 'error']);

/** The text a user reads for a control: summary, remediation, and every failing verdict's summary and remediation. */
export function controlText(control: ControlWords | undefined): string {
  if (!control) return '';
  const verdicts = (control.verdicts ?? []).filter((v) => v.outcome !== 'pass').flatMap((v) => [v.summary ?? '', v.remediation ?? '']);
  return [control.summary ?? '', control.remediation ?? '', ...verdicts].join('\n');
}

export function judgeFaultRun(run: {
  fault: string;
  expected: string[];
  /** Per control: the words (a pattern) of the fault's real cause that its text must contain. */
  because?: Readonly<Record<string, RegExp>>;
  exitCode: number | null;
  outcomes: Record<string, string>;
  /** Per control: what it said (controlText); needed when `because` names it. */
  texts?: Record<string, string>;
  elapsedMs: number;
}): FaultRunJudgement {
  const problems: string[] = [];
  const ran = Object.keys(run.outcomes).length > 0;
  if (!ran) problems.push(`no results (exit ${run.exitCode})`);
  const detected = run.expected.some((id) => run.outcomes[id] === 'fail' || run.outcomes[id] === 'error');
  const missed = run.expected.filter((id) => !RED.has(run.outcomes[id] ?? ''));
  const unrelated = Object.entries(run.outcomes)
    .filter(([id, outcome]) => RED.has(outcome) && !run.expected.includes(id))
    .map(([id]) => id);
  const wrongReason = Object.entries(run.because ?? {})
    .filter(([id, words]) => !(run.outcomes[id] === 'fail' && words.test(run.texts?.[id] ?? '')))
    .map(([id, words]) => ({
      id,
      wanted: words.source,
      said: run.outcomes[id] === 'fail' ? (run.texts?.[id] ?? '').split('\n')[0]! : `${run.outcomes[id] ?? 'no result'}`,
    }));
  if (run.fault === 'clean') {
    if (run.exitCode !== 0) problems.push(`clean run exited ${run.exitCode}`);
  } else {
    if (ran && !detected) problems.push('UNDETECTED');
    if (run.exitCode !== 1 && ran) problems.push(`exit ${run.exitCode}, expected 1`);
    if (Object.keys(run.because ?? {}).length === 0) problems.push('the oracle names no cause for this fault');
  }
  if (missed.length) problems.push(`stayed green: ${missed.join(', ')}`);
  if (unrelated.length) problems.push(`unrelated red: ${unrelated.join(', ')}`);
  for (const w of wrongReason) problems.push(`wrong reason: ${w.id} did not say /${w.wanted}/ (it said: ${w.said})`);
  const { fault, expected, exitCode, outcomes, elapsedMs } = run;
  return {
    fault,
    expected,
    exitCode,
    outcomes,
    elapsedMs,
    detected,
    missed,
    unrelated,
    wrongReason,
    rightReason: wrongReason.length === 0,
    ok: problems.length === 0,
    problems,
  };
}
