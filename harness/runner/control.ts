import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, it } from 'vitest';
import { waiverStatus } from '../config/waivers.ts';
import { combineVerdicts, type Verdict } from '../checks/verdict.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { ProbeBlocked, ProbeUnavailable } from '../probes/probe-unavailable.ts';
import { probesFor, type Probes } from '../probes/probes.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { CATALOG, findControl, type Area } from '../controls/catalog.ts';
import type { ControlOutcome, ControlResult } from '../controls/control-result.ts';
import type { RunContext } from '../config/run-context.ts';
import { currentRun, currentTarget } from './provided-context.ts';
import { INTERRUPTED_MARKER } from '../controls/run-markers.ts';
import { awaitEnded, awaitPrerequisites } from './prerequisite-wait.ts';

export interface ControlContext {
  /** What the control may ask of the target; it reaches the target through protocols only. */
  probes: Probes;
  target: TargetDescriptor;
  deployment: Deployment;
  run: RunContext;
}

/** One set of probes per spec file (one vitest worker), closed with it. */
let sharedProbes: Probes | undefined;
afterAll(async () => {
  await sharedProbes?.close();
  sharedProbes = undefined;
});

/**
 * How long a control may run: at least every deadline it may wait out (two deliveries, propagation,
 * a dozen network steps), so a control never dies of vitest's clock before its own deadline passes.
 */
export function controlBudgetMs(target: TargetDescriptor): number {
  const t = target.timeouts;
  return 2 * t.deliveryMs + t.propagationMs + 12 * t.connectMs + 30_000;
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

/** The outcome an earlier control of this run recorded (any spec file), or undefined when it has not run. */
export function priorOutcome(run: RunContext, id: string): ControlOutcome | undefined {
  return loadOutcome(run.runDir, id);
}

export interface ControlOptions {
  timeoutMs?: number;
  /**
   * Areas whose controls (of this run) must all have ended before this one starts, whatever their outcomes: for
   * a control whose traffic would distort theirs — a near-limit message (seconds of the embedded stand-in's one
   * thread, against the 2 s DNS budgets of the other areas), a paced load (a burst that delays everyone's mail).
   */
  after?: readonly Area[];
}

/** The catalog's controls of these areas. */
function controlsOf(areas: readonly Area[]): string[] {
  return CATALOG.filter((c) => areas.includes(c.area)).map((c) => c.id);
}

/** How many prerequisites deep a control's chain goes (PERF-01 → FN-01 → INF-05 → INF-02 → INF-01: 4). */
function chainDepth(id: string): number {
  const prerequisites = findControl(id)?.prerequisites ?? [];
  return prerequisites.length === 0 ? 0 : 1 + Math.max(...prerequisites.map(chainDepth));
}

/**
 * Declares a control as a vitest test. The body observes the target and returns the verdicts of
 * pure checks; this wrapper turns them into one outcome, records it for the report (task meta) and
 * makes the vitest test red when the control failed.
 */
export function control(id: string, body: (ctx: ControlContext) => Promise<ControlFindings>, options: ControlOptions = {}): void {
  const definition = findControl(id);
  if (!definition) throw new Error(`control ${id} is not in the catalog (harness/controls/catalog.ts)`);
  // Never a control of its own area: a file's controls run one after another, so it would wait for itself.
  if (options.after?.includes(definition.area)) throw new Error(`${id}: after may only name other areas than ${definition.area}`);

  const budgetMs = options.timeoutMs ?? controlBudgetMs(currentTarget());
  // Each prerequisite up the chain may take its whole budget before this control starts (spec files run side by side).
  const waitMs = Math.max(1, chainDepth(id)) * controlBudgetMs(currentTarget());
  // vitest's own limit sits above the control's budget and its wait: the control records its timeout itself.
  const waits = options.after ? 2 : 1;
  it(`${definition.id} ${definition.title}`, { timeout: waits * waitMs + budgetMs + 15_000 }, async (testContext) => {
    // Reset once the prerequisites are in: a control's time is its own, never the wait for another's.
    let started = Date.now();
    const base = {
      id: definition.id,
      title: definition.title,
      area: definition.area,
      severity: definition.severity,
      startedAt: new Date(started).toISOString(),
    };
    const begin = (): void => {
      started = Date.now();
      base.startedAt = new Date(started).toISOString();
    };
    // eslint-disable-next-line prefer-const -- finish reads it before it is set (an interrupted run): a const would be in its dead zone
    let sentBefore: number | undefined;
    const finish = (result: Omit<ControlResult, keyof typeof base | 'durationMs'>): ControlResult => {
      const messagesSent = sentBefore === undefined ? 0 : probes!.sentCount() - sentBefore;
      const full: ControlResult = { ...base, ...result, ...(messagesSent > 0 ? { messagesSent } : {}), durationMs: Date.now() - started };
      testContext.task.meta.control = full;
      saveOutcome(run.runDir, definition.id, full.outcome);
      return full;
    };

    const run = currentRun();
    // eslint-disable-next-line prefer-const -- finish reads it before it is set (an interrupted run): a const would be in its dead zone
    let probes: Probes | undefined;
    if (existsSync(join(run.runDir, INTERRUPTED_MARKER))) {
      finish({
        outcome: 'skipped',
        summary: 'not run: the run was interrupted',
        reason: 'the run was interrupted (Ctrl-C) before this control started',
        verdicts: [],
      });
      testContext.skip('the run was interrupted');
      return;
    }
    if (run.only.length > 0 && !run.only.includes(definition.id)) {
      finish({ outcome: 'skipped', summary: 'not selected', reason: 'not selected by --only', verdicts: [] });
      testContext.skip('not selected by --only');
      return;
    }

    const interrupted = () => existsSync(join(run.runDir, INTERRUPTED_MARKER));
    const sources = {
      runs: (p: string) => run.controlsInRun?.includes(p) ?? false,
      outcomeOf: (p: string) => loadOutcome(run.runDir, p),
      interrupted,
    };
    const decision = await awaitPrerequisites(definition.prerequisites, sources, { timeoutMs: waitMs });
    // Then the areas it must not overlap (after: ...): ended, whatever their outcomes.
    const apart =
      decision.kind === 'clear' && options.after ? await awaitEnded(controlsOf(options.after), sources, { timeoutMs: waitMs }) : decision;
    if (decision.kind === 'interrupted' || apart.kind === 'interrupted') {
      const reason = 'the run was interrupted (Ctrl-C) while this control waited for its prerequisites';
      finish({ outcome: 'skipped', summary: 'not run: the run was interrupted', reason, verdicts: [] });
      testContext.skip('the run was interrupted');
      return;
    }
    if (decision.kind === 'blocked') {
      finish({ outcome: 'blocked', summary: `blocked by ${decision.by}`, reason: decision.reason, verdicts: [] });
      testContext.skip(`blocked by ${decision.by}`);
      return;
    }

    begin();
    let findings: ControlFindings;
    const target = currentTarget();
    sharedProbes ??= probesFor(target, run);
    probes = sharedProbes;
    sentBefore = probes.sentCount();
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ControlTimeout(budgetMs, probes.awaiting())), budgetMs);
    });
    try {
      findings = await Promise.race([body({ probes, target, deployment: run.deployment, run }), outOfTime]);
    } catch (error) {
      if (error instanceof ProbeUnavailable) {
        finish({ outcome: 'skipped', summary: error.message, reason: error.message, verdicts: [] });
        testContext.skip(error.message);
        return;
      }
      if (error instanceof ProbeBlocked) {
        finish({ outcome: 'blocked', summary: `blocked: ${error.message}`, reason: error.message, verdicts: [] });
        testContext.skip(`blocked: ${error.message}`);
        return;
      }
      const message = (error as Error).message ?? String(error);
      finish({ outcome: 'error', summary: error instanceof ControlTimeout ? message : `could not complete: ${message}`, verdicts: [] });
      throw error;
    } finally {
      clearTimeout(timer);
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
      // One remediation per cause: several verdicts (one per provider copy) often share theirs.
      remediation: [...new Set(deciding.map((v) => v.remediation).filter(Boolean))].join(' ') || undefined,
      reason,
      facts: findings.facts,
    });
    if (outcome === 'fail') {
      throw new Error(`${definition.id} failed: ${result.summary}${result.remediation ? `\nRemediation: ${result.remediation}` : ''}`);
    }
  });
}

/** A control that ran out of its budget: it says what it was waiting for, and blocks its dependents. */
class ControlTimeout extends Error {
  constructor(budgetMs: number, awaiting: string | undefined) {
    super(`did not finish within ${Math.round(budgetMs / 1000)} s${awaiting ? `; it was waiting for ${awaiting}` : ''}`);
    this.name = 'ControlTimeout';
  }
}
