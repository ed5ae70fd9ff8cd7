/**
 * What every pure check returns. A verdict carries its own evidence so a reader of the report
 * can see *why* without re-running anything, and a remediation a person can act on.
 */
export type CheckOutcome = 'pass' | 'fail' | 'warn';

export interface EvidenceItem {
  /** Short label, e.g. "TXT mailgoat.ai @ 127.0.0.53" or "spf evaluation". */
  label: string;
  /** Anything JSON-serialisable: answers, parsed tags, counts. Never a secret. */
  detail: unknown;
}

export interface Verdict {
  outcome: CheckOutcome;
  /** One line saying what was found. */
  summary: string;
  /** What the deployment expects, in the words of a DNS record or a value (for the report's tables). */
  expected?: string;
  /** What was observed, in the same words. */
  observed?: string;
  evidence: EvidenceItem[];
  /** Present when outcome is fail or warn: the exact change to make. */
  remediation?: string;
}

/** Worst-of combination, used when a control is made of several checks. */
export function combineVerdicts(verdicts: Verdict[]): CheckOutcome {
  if (verdicts.some((v) => v.outcome === 'fail')) return 'fail';
  if (verdicts.some((v) => v.outcome === 'warn')) return 'warn';
  return 'pass';
}
