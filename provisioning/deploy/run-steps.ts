/**
 * Runs provisioning's steps in order. Each step observes the server, plans the changes that are
 * missing (nothing when all is there: a second run reports 0 changed, and a run stopped half-way
 * resumes where it stopped), applies them one by one with a progress line, observes again and checks
 * its postcondition — a step whose postcondition fails stops the run, naming what is still wrong.
 * A dry run prints each step's plan and changes nothing.
 */
export interface Change {
  /** what changes, in words, never a secret */
  what: string;
  /** the items of a change applied as one (the accounts script creates them in one run) */
  details?: string[];
  apply(): Promise<void>;
}

export interface Step<O> {
  id: string;
  title: string;
  observe(): Promise<O>;
  /** the changes still needed, from what was observed */
  plan(observed: O): Change[];
  /** what is still wrong after the changes ([] when the step holds) */
  postcondition(observed: O): string[];
  /** in a dry run, when an earlier step would change something this one depends on */
  dryRunNote?(observed: O): string | undefined;
  /** what a person should know once the step holds (not a problem), printed after "ok" */
  notes?(observed: O): string[];
}

export class StepFailed extends Error {
  override readonly name = 'StepFailed';
  constructor(
    readonly step: string,
    readonly problems: string[],
  ) {
    super(`${step}: ${problems.join('; ')}`);
  }
}

/** A change applied as one (the accounts script) counts each of its items. */
const weight = (changes: Change[]): number => changes.reduce((sum, c) => sum + (c.details?.length || 1), 0);

export interface RunSummary {
  changed: number;
  perStep: Array<{ id: string; changed: number }>;
}

export async function runSteps(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each step observes its own shape; a step's observation only goes back to that step
  steps: Array<Step<any>>,
  options: { dryRun: boolean; log: (line: string) => void; total?: number },
): Promise<RunSummary> {
  const { log } = options;
  const perStep: RunSummary['perStep'] = [];
  for (const [index, step] of steps.entries()) {
    log(`[${index + 1}/${options.total ?? steps.length}] ${step.title}`);
    const observed: unknown = await step.observe();
    const changes = step.plan(observed);
    if (options.dryRun) {
      for (const change of changes) {
        log(`  would ${change.what}`);
        for (const detail of change.details ?? []) log(`    - ${detail}`);
      }
      const note = step.dryRunNote?.(observed);
      if (note) log(`  ${note}`);
      if (changes.length === 0 && !note) log('  nothing to change');
      perStep.push({ id: step.id, changed: weight(changes) });
      continue;
    }
    for (const change of changes) {
      log(`  ${change.what}…`);
      for (const detail of change.details ?? []) log(`    - ${detail}`);
      await change.apply();
    }
    const after: unknown = changes.length ? await step.observe() : observed;
    const problems = step.postcondition(after);
    if (problems.length) throw new StepFailed(step.title, problems);
    log(`  ok (${weight(changes)} changed)`);
    for (const note of step.notes?.(after) ?? []) log(`  note: ${note}`);
    perStep.push({ id: step.id, changed: weight(changes) });
  }
  return { changed: perStep.reduce((sum, s) => sum + s.changed, 0), perStep };
}
