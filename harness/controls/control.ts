import { it } from 'vitest';
import { combineVerdicts, type Verdict } from '../checks/verdict.ts';
import type { Deployment } from '../config/deployment-schema.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { findControl } from './catalog.ts';
import type { ControlOutcome, ControlResult } from './control-result.ts';
import { currentRun, currentTarget } from './run-context.ts';

export interface ControlContext {
  target: TargetDescriptor;
  deployment: Deployment;
}

export interface ControlFindings {
  verdicts: Verdict[];
  /** Data for the report's tables; never secrets. */
  facts?: Record<string, unknown>;
}

/** Outcomes recorded in this worker, so a later control in the same file can be blocked by an earlier one. */
const outcomesInThisWorker = new Map<string, ControlOutcome>();

const BLOCKING: ReadonlySet<ControlOutcome> = new Set(['fail', 'error', 'blocked']);

/**
 * Declares a control as a vitest test. The body observes the target and returns the verdicts of
 * pure checks; this wrapper turns them into one outcome, records it for the report (task meta) and
 * makes the vitest test red when the control failed.
 */
export function control(id: string, body: (ctx: ControlContext) => Promise<ControlFindings>, options: { timeoutMs?: number } = {}): void {
  const definition = findControl(id);
  if (!definition) throw new Error(`control ${id} is not in the catalog (harness/controls/catalog.ts)`);

  it(`${definition.id} ${definition.title}`, { timeout: options.timeoutMs ?? 60_000 }, async (testContext) => {
    const started = Date.now();
    const base = {
      id: definition.id,
      title: definition.title,
      area: definition.area,
      severity: definition.severity,
      startedAt: new Date(started).toISOString(),
    };
    const finish = (result: Omit<ControlResult, keyof typeof base | 'durationMs'>): ControlResult => {
      const full: ControlResult = { ...base, ...result, durationMs: Date.now() - started };
      testContext.task.meta.control = full;
      outcomesInThisWorker.set(definition.id, full.outcome);
      return full;
    };

    const run = currentRun();
    if (run.only.length > 0 && !run.only.includes(definition.id)) {
      finish({ outcome: 'skipped', summary: 'not selected', reason: 'not selected by --only', verdicts: [] });
      testContext.skip('not selected by --only');
      return;
    }

    const blocker = definition.prerequisites.find((p) => BLOCKING.has(outcomesInThisWorker.get(p) ?? 'pass'));
    if (blocker) {
      finish({ outcome: 'blocked', summary: `blocked by ${blocker}`, reason: `prerequisite ${blocker} did not pass`, verdicts: [] });
      testContext.skip(`blocked by ${blocker}`);
      return;
    }

    let findings: ControlFindings;
    try {
      findings = await body({ target: currentTarget(), deployment: run.deployment });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      finish({ outcome: 'error', summary: `could not complete: ${message}`, verdicts: [] });
      throw error;
    }

    if (findings.verdicts.length === 0) throw new Error(`${definition.id} made no checks: a control must decide something`);
    const outcome = combineVerdicts(findings.verdicts);
    const deciding = findings.verdicts.filter((v) => v.outcome === outcome);
    const result = finish({
      outcome,
      summary: deciding.map((v) => v.summary).join('; '),
      verdicts: findings.verdicts,
      remediation: deciding.map((v) => v.remediation).filter(Boolean).join(' ') || undefined,
      facts: findings.facts,
    });
    if (outcome === 'fail') {
      throw new Error(`${definition.id} failed: ${result.summary}${result.remediation ? `\nRemediation: ${result.remediation}` : ''}`);
    }
  });
}
