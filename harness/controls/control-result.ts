import type { Verdict } from '../checks/verdict.ts';

/** A control's outcome, as the report shows it. */
export type ControlOutcome = 'pass' | 'fail' | 'warn' | 'blocked' | 'skipped' | 'waived' | 'error';

export interface ControlResult {
  id: string;
  title: string;
  area: string;
  severity: string;
  outcome: ControlOutcome;
  summary: string;
  /** Each check this control made, with its evidence. */
  verdicts: Verdict[];
  remediation?: string;
  /** Why a control was blocked (the prerequisite's id), skipped or waived. */
  reason?: string;
  startedAt: string;
  durationMs: number;
  /** Messages this control sent (or tried to) through the target: what a live run costs the server. */
  messagesSent?: number;
  /** Extra data for the report's tables (e.g. DNS expected vs observed); never secrets. */
  facts?: Record<string, unknown>;
}
