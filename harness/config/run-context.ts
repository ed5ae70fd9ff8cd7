import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { Waiver } from './waivers.ts';

/** What the CLI hands every spec worker (plain data, through vitest's provide/inject). */
export interface RunContext {
  deployment: Deployment;
  /** Control ids selected with --only; empty means all. */
  only: string[];
  waivers: Waiver[];
  /**
   * The controls this run decides (the spec files vitest runs, narrowed by --only): a control waits for
   * those of its prerequisites, which may be running side by side in another spec file. Unset: no waiting.
   */
  controlsInRun?: string[];
  /** A folder private to this run: controls leave their outcomes here so later spec files see prerequisites. */
  runDir: string;
  /** Where controls may leave evidence files (e.g. received messages as .eml); inside the report folder. */
  evidenceDir: string;
  /** Unique per run; every message the suite sends carries it, so runs never confuse each other's mail. */
  runToken: string;
  /** Load tests against live need --allow-load; the hard cap on messages a load control may send. */
  load: { allowed: boolean; maxMessages: number };
  /** --read-only: no probe may send; the controls that must send are skipped, naming the flag. */
  readOnly: boolean;
  /** When the run began (ISO 8601): what arrived after it is this run's (FN-08's reports of this run's mail). */
  startedAt?: string;
}
