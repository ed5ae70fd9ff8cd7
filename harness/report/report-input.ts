import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { RunOptions } from '../config/run-options.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import type { PreviousResults } from './previous-results.ts';
import type { ReportArtifacts } from './render-artifacts.ts';
import type { ResultRegistry } from './result-registry.ts';
import { CATALOG } from '../controls/catalog.ts';

/** Everything a renderer may use. Optional parts are missing when the run stopped before learning them. */
export interface ReportInput {
  registry: ResultRegistry;
  startedAt: Date;
  finishedAt: Date;
  command: string;
  versions: Record<string, string>;
  options?: RunOptions;
  deployment?: Deployment;
  target?: TargetDescriptor;
  /** Set when a configuration error stopped the run (the one line the user saw). */
  configError?: string;
  interrupted?: boolean;
  /** What stopped an interrupted run ("SIGINT received"). */
  stoppedBy?: string;
  /** The run to compare with ("Changes since the previous run"), or why there is none. */
  previous?: PreviousResults;
  /** Allure HTML and screenshots; absent when the run stopped before they were made. */
  artifacts?: ReportArtifacts;
  /** Every container's log (masked), attached by a container target when a control failed. */
  containerLogs?: Array<{ name: string; href: string }>;
}

export type RunVerdict = 'PASS' | 'FAIL' | 'INCOMPLETE' | 'INTERRUPTED';

/**
 * PASS only when every control of the catalog ran and passed (warn and waived count as passed):
 * a report with unbuilt, skipped or blocked controls can never be a sign-off. INTERRUPTED whenever a
 * signal stopped the run, whatever it had found by then.
 */
export function runVerdict(input: ReportInput): { verdict: RunVerdict; reason: string } {
  const counts = input.registry.counts();
  const failed = counts.fail + counts.error;
  // A stopped run says so first: its report can never be mistaken for a finished one (or for the previous run's).
  if (input.interrupted) {
    return {
      verdict: 'INTERRUPTED',
      reason: `the run was interrupted${input.stoppedBy ? ` (${input.stoppedBy})` : ''} before it finished${failed > 0 ? `; ${failed} control(s) had failed by then` : ''}`,
    };
  }
  if (failed > 0) return { verdict: 'FAIL', reason: `${failed} control(s) failed` };
  if (input.configError) return { verdict: 'INCOMPLETE', reason: `configuration error: ${input.configError}` };
  const open = CATALOG.length - counts.pass - counts.warn - counts.waived;
  if (open > 0) {
    const parts = [
      counts['not implemented'] && `${counts['not implemented']} not implemented`,
      counts['not run'] && `${counts['not run']} not run`,
      counts.skipped && `${counts.skipped} skipped`,
      counts.blocked && `${counts.blocked} blocked`,
    ].filter(Boolean);
    return { verdict: 'INCOMPLETE', reason: `${open} of ${CATALOG.length} controls did not pass: ${parts.join(', ')}` };
  }
  return { verdict: 'PASS', reason: `all ${CATALOG.length} controls passed` };
}
