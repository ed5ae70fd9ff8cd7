/** What a spec worker is handed by the CLI (vitest's provide/inject): the target and the run's context. */
import { inject } from 'vitest';
import type { RunContext } from '../config/run-context.ts';
import type { TargetDescriptor } from '../targets/target.ts';

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
