import { CATALOG } from '../controls/catalog.ts';
import type { ControlOutcome, ControlResult } from '../controls/control-result.ts';

export type MissingResult = 'not implemented' | 'not run';

/** Outcomes that make the run fail (exit 1). */
const FAILING: ReadonlySet<ControlOutcome> = new Set(['fail', 'error']);

/**
 * Everything the run learnt, in the CLI's process. The reporter feeds it as results arrive, so an
 * interrupted run still has what was gathered when the report is written.
 */
export class ResultRegistry {
  private readonly results = new Map<string, ControlResult>();
  readonly notes: string[] = [];

  record(result: ControlResult): void {
    this.results.set(result.id, result);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  get(id: string): ControlResult | undefined {
    return this.results.get(id);
  }

  all(): ControlResult[] {
    const order = new Map(CATALOG.map((c, i) => [c.id, i]));
    return [...this.results.values()].sort((a, b) => (order.get(a.id) ?? 999) - (order.get(b.id) ?? 999));
  }

  failed(): ControlResult[] {
    return this.all().filter((r) => FAILING.has(r.outcome));
  }

  /** Set when the run stopped early (configuration error, Ctrl-C): a missing result then means "not run". */
  stoppedEarly = false;

  /** What the report says of a control that has no result. */
  missingLabel(): MissingResult {
    return this.stoppedEarly ? 'not run' : 'not implemented';
  }

  counts(): Record<ControlOutcome | MissingResult, number> {
    const counts = { pass: 0, fail: 0, warn: 0, blocked: 0, skipped: 0, waived: 0, error: 0, 'not implemented': 0, 'not run': 0 };
    for (const r of this.results.values()) counts[r.outcome]++;
    counts[this.missingLabel()] = CATALOG.filter((c) => !this.results.has(c.id)).length;
    return counts;
  }
}
