/**
 * The spec files run side by side (one worker each), so a control's prerequisite may live in a file that
 * is still running. A control waits for the outcome of every prerequisite that runs in this run, then
 * decides: run, or be blocked by the first prerequisite that did not pass. A prerequisite that is not
 * part of the run (--only, a file filter) is not waited for and does not block, as before.
 */
import { pollUntil, systemClock, type Clock } from '../../core/poll.ts';
import type { ControlOutcome } from '../controls/control-result.ts';

export type PrerequisiteDecision =
  | { kind: 'clear'; waitedMs: number }
  | { kind: 'blocked'; by: string; reason: string; waitedMs: number }
  | { kind: 'interrupted'; waitedMs: number };

export interface PrerequisiteSources {
  /** Whether the prerequisite is a control of this run (its spec file runs and --only selects it). */
  runs(id: string): boolean;
  /** The outcome the prerequisite recorded, or undefined while it has not finished. */
  outcomeOf(id: string): ControlOutcome | undefined;
  /** The run was stopped (Ctrl-C): stop waiting at once. */
  interrupted(): boolean;
}

const BLOCKING: ReadonlySet<ControlOutcome> = new Set(['fail', 'error', 'blocked']);

/** First pause between two looks at the outcomes; they are files in the run's folder, cheap to read. */
const FIRST_LOOK_MS = 25;
const MAX_LOOK_MS = 250;

/** Waits until every control of `ids` that runs in this run has ended, whatever its outcome (or the run stops). */
export async function awaitEnded(
  ids: readonly string[],
  sources: PrerequisiteSources,
  options: { timeoutMs: number; clock?: Clock },
): Promise<{ kind: 'ended' | 'interrupted' | 'timed-out'; waitedMs: number }> {
  const pending = (): string[] => ids.filter((id) => sources.runs(id) && sources.outcomeOf(id) === undefined);
  const polled = await pollUntil(
    () => Promise.resolve(sources.interrupted() ? [] : pending()),
    (left) => left.length === 0,
    { timeoutMs: options.timeoutMs, intervalMs: FIRST_LOOK_MS, maxIntervalMs: MAX_LOOK_MS, clock: options.clock ?? systemClock },
  );
  const kind = sources.interrupted() ? 'interrupted' : polled.settled ? 'ended' : 'timed-out';
  return { kind, waitedMs: polled.elapsedMs };
}

/** Once the prerequisites this run holds have ended: run, or be blocked by the first that did not pass (catalog order). */
export async function awaitPrerequisites(
  prerequisites: readonly string[],
  sources: PrerequisiteSources,
  options: { timeoutMs: number; clock?: Clock },
): Promise<PrerequisiteDecision> {
  const { kind, waitedMs } = await awaitEnded(prerequisites, sources, options);
  if (kind === 'interrupted') return { kind: 'interrupted', waitedMs };
  // Catalog order: the first prerequisite that did not pass names the block.
  for (const id of prerequisites) {
    const outcome = sources.outcomeOf(id);
    if (outcome !== undefined && BLOCKING.has(outcome))
      return { kind: 'blocked', by: id, reason: `prerequisite ${id} did not pass`, waitedMs };
    if (outcome === undefined && sources.runs(id))
      return {
        kind: 'blocked',
        by: id,
        reason: `prerequisite ${id} recorded no outcome within ${Math.round(options.timeoutMs / 1000)} s (its spec file stopped or hung)`,
        waitedMs,
      };
  }
  return { kind: 'clear', waitedMs };
}
