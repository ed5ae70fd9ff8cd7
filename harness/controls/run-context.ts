import { inject } from 'vitest';
import type { Deployment } from '../config/deployment-schema.ts';
import type { TargetDescriptor } from '../targets/target.ts';

/** What the CLI hands every spec worker (plain data, through vitest's provide/inject). */
export interface RunContext {
  deployment: Deployment;
  /** Control ids selected with --only; empty means all. */
  only: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    target: TargetDescriptor;
    run: RunContext;
  }
}

export function currentTarget(): TargetDescriptor {
  const target = inject('target');
  if (!target) throw new Error('no target was provided: run the specs with `npm test`, not vitest directly');
  return target;
}

export function currentRun(): RunContext {
  const run = inject('run');
  if (!run) throw new Error('no run context was provided: run the specs with `npm test`, not vitest directly');
  return run;
}
