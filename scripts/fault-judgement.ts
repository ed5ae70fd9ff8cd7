/** The verdict on one fault run: was the fault seen, and did only the expected controls go red? */
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
  ok: boolean;
  problems: string[];
  /** Set when this result came from a retry: what the first run got wrong. */
  flaky?: string;
}

const RED = new Set(['fail', 'blocked', 'error']);

export function judgeFaultRun(run: { fault: string; expected: string[]; exitCode: number | null; outcomes: Record<string, string>; elapsedMs: number }): FaultRunJudgement {
  const problems: string[] = [];
  const ran = Object.keys(run.outcomes).length > 0;
  if (!ran) problems.push(`no results (exit ${run.exitCode})`);
  const detected = run.expected.some((id) => run.outcomes[id] === 'fail' || run.outcomes[id] === 'error');
  const missed = run.expected.filter((id) => !RED.has(run.outcomes[id] ?? ''));
  const unrelated = Object.entries(run.outcomes)
    .filter(([id, outcome]) => RED.has(outcome) && !run.expected.includes(id))
    .map(([id]) => id);
  if (run.fault === 'clean') {
    if (run.exitCode !== 0) problems.push(`clean run exited ${run.exitCode}`);
  } else {
    if (ran && !detected) problems.push('UNDETECTED');
    if (run.exitCode !== 1 && ran) problems.push(`exit ${run.exitCode}, expected 1`);
  }
  if (missed.length) problems.push(`stayed green: ${missed.join(', ')}`);
  if (unrelated.length) problems.push(`unrelated red: ${unrelated.join(', ')}`);
  return { ...run, detected, missed, unrelated, ok: problems.length === 0, problems };
}
