/**
 * Loaded by `npm test` before tsx (`node --import ./harness/early-signals.mjs --import tsx harness/cli.ts`):
 * from the first moment, a Ctrl-C or SIGTERM is recorded instead of killing the process while the
 * TypeScript loader and the harness's modules load. harness/cli.ts takes the recorded signals over
 * (and removes these listeners) once its own handlers are in place, so a signal at any moment of the
 * start-up ends in the same INTERRUPTED report and exit 128 + n as one during the run.
 */
const signals = [];
const listeners = new Map();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) {
  const listener = () => signals.push(signal);
  listeners.set(signal, listener);
  process.on(signal, listener);
}
globalThis.__postalQaEarlySignals = {
  signals,
  detach() {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  },
};
