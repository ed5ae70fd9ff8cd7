/**
 * What stops a run, in one place: a terminal's Ctrl-C, a supervisor's or CI time-out's TERM, a closed
 * terminal's HUP (the first one stops the run gently: the target is closed and the report written), a
 * second one or SIGQUIT (stops at once, `onHardStop`), the process that launched us dying outright, and
 * signals that arrived while the modules were loading (recorded by early-signals.mjs).
 */
import { watchLaunchers } from '../core/process/watch-launchers.ts';

export const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
export const EXIT_FOR_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 };
/** The same signal again within this time is the one a terminal sent to the whole job, relayed by npm: not a second one. */
const RELAYED_SIGNAL_MS = 300;

export interface RunStop {
  /** why the run is stopping ("SIGINT received"), once it is */
  readonly why: string | undefined;
  readonly exitCode: number;
  /** stops the run as `signal` would (the world died of one while it started) */
  stop: (signal: string, why: string, exitCode: number) => void;
}

/** Signals that arrived while the modules loaded, taken over from early-signals.mjs (its listeners removed). */
function earlySignals(): NodeJS.Signals[] {
  const early = (globalThis as { __postalQaEarlySignals?: { signals: NodeJS.Signals[]; detach(): void } }).__postalQaEarlySignals;
  early?.detach();
  return early?.signals ?? [];
}

export function watchStops(handlers: { onStop(why: string): void; onHardStop(why: string, exitCode: number): never }): RunStop {
  let why: string | undefined;
  let exitCode = EXIT_FOR_SIGNAL.SIGINT!;
  let last: { signal: string; at: number } | undefined;
  const stop = (signal: string, reason: string, code: number): void => {
    if (signal === 'SIGQUIT') {
      why ??= reason;
      handlers.onHardStop(reason, code);
    }
    if (why) {
      if (last?.signal === signal && Date.now() - last.at < RELAYED_SIGNAL_MS) return;
      handlers.onHardStop(`${reason} again`, code);
    }
    last = { signal, at: Date.now() };
    why = reason;
    exitCode = code;
    handlers.onStop(reason);
  };
  for (const signal of [...STOP_SIGNALS, 'SIGQUIT' as const])
    process.on(signal, () => stop(signal, `${signal} received`, EXIT_FOR_SIGNAL[signal]!));
  for (const signal of earlySignals()) stop(signal, `${signal} received`, EXIT_FOR_SIGNAL[signal]!);
  // A launcher killed outright (kill -9 of npm or of a script that ran us) sends us nothing: watch it.
  // After a signal to the whole job the launchers die of the same signal: that is the same stop, not a
  // second one forcing the exit (which would skip closing the target — a local run's containers).
  watchLaunchers((launcher) => {
    if (!why) stop('launcher', `${launcher} exited`, EXIT_FOR_SIGNAL.SIGTERM!);
  });
  return {
    get why() {
      return why;
    },
    get exitCode() {
      return exitCode;
    },
    stop,
  };
}

/**
 * Resolves after the event loop has gone once through its poll phase, where libuv hands a signal that
 * arrived during a synchronous step (spawnSync) to its JavaScript handler: two check phases apart.
 */
export function signalsDelivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
