import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { waiverStatus } from '../config/waivers.ts';
import { combineVerdicts, type Verdict } from '../checks/verdict.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { findControl } from './catalog.ts';
import type { ControlOutcome, ControlResult } from './control-result.ts';
import { currentRun, currentTarget, type RunContext } from './run-context.ts';
import { INTERRUPTED_MARKER } from './run-markers.ts';

export interface ControlContext {
  target: TargetDescriptor;
  deployment: Deployment;
  run: RunContext;
}

export interface ControlFindings {
  verdicts: Verdict[];
  /** Data for the report's tables; never secrets. */
  facts?: Record<string, unknown>;
  /** Set when the control could not be exercised on this target (e.g. no CLI configured): skipped, never passed. */
  skip?: string;
}

/** Outcomes are left in the run folder, so a control in a later spec file (another worker) sees its prerequisites. */
function outcomePath(runDir: string, id: string): string {
  return join(runDir, 'outcomes', `${id}.json`);
}

function saveOutcome(runDir: string, id: string, outcome: ControlOutcome): void {
  mkdirSync(join(runDir, 'outcomes'), { recursive: true });
  writeFileSync(outcomePath(runDir, id), JSON.stringify({ outcome }));
}

function loadOutcome(runDir: string, id: string): ControlOutcome | undefined {
  try {
    return (JSON.parse(readFileSync(outcomePath(runDir, id), 'utf8')) as { outcome: ControlOutcome }).outcome;
  } catch {
    return undefined;
  }
}

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
      saveOutcome(run.runDir, definition.id, full.outcome);
      return full;
    };

    const run = currentRun();
    if (existsSync(join(run.runDir, INTERRUPTED_MARKER))) {
      finish({ outcome: 'skipped', summary: 'not run: the run was interrupted', reason: 'the run was interrupted (Ctrl-C) before this control started', verdicts: [] });
      testContext.skip('the run was interrupted');
      return;
    }
    if (run.only.length > 0 && !run.only.includes(definition.id)) {
      finish({ outcome: 'skipped', summary: 'not selected', reason: 'not selected by --only', verdicts: [] });
      testContext.skip('not selected by --only');
      return;
    }

    const blocker = definition.prerequisites.find((p) => BLOCKING.has(loadOutcome(run.runDir, p) ?? 'pass'));
    if (blocker) {
      finish({ outcome: 'blocked', summary: `blocked by ${blocker}`, reason: `prerequisite ${blocker} did not pass`, verdicts: [] });
      testContext.skip(`blocked by ${blocker}`);
      return;
    }

    let findings: ControlFindings;
    try {
      findings = await body({ target: currentTarget(), deployment: run.deployment, run });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      finish({ outcome: 'error', summary: `could not complete: ${message}`, verdicts: [] });
      throw error;
    }

    if (findings.skip) {
      finish({ outcome: 'skipped', summary: findings.skip, reason: findings.skip, verdicts: findings.verdicts, facts: findings.facts });
      testContext.skip(findings.skip);
      return;
    }
    if (findings.verdicts.length === 0) throw new Error(`${definition.id} made no checks: a control must decide something`);
    const checked = combineVerdicts(findings.verdicts);
    const deciding = findings.verdicts.filter((v) => v.outcome === checked);
    const waiver = waiverStatus(run.waivers, definition.id, new Date());
    let outcome: ControlOutcome = checked;
    let reason: string | undefined;
    if (checked === 'fail' && waiver.state === 'active') {
      outcome = 'waived';
      reason = `waived until ${waiver.waiver.expires}: ${waiver.waiver.justification}`;
    } else if (waiver.state === 'expired') {
      reason = `the waiver for ${definition.id} expired on ${waiver.waiver.expires}; fix the finding or renew the waiver in fixtures/waivers.json`;
    }
    const result = finish({
      outcome,
      summary: deciding.map((v) => v.summary).join('; '),
      verdicts: findings.verdicts,
      remediation: deciding.map((v) => v.remediation).filter(Boolean).join(' ') || undefined,
      reason,
      facts: findings.facts,
    });
    if (outcome === 'fail') {
      throw new Error(`${definition.id} failed: ${result.summary}${result.remediation ? `\nRemediation: ${result.remediation}` : ''}`);
    }
  });
}
