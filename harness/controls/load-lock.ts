/**
 * One load at a time across runs that share a machine: when POSTAL_QA_LOAD_LOCK names a lock folder (the fault
 * matrix sets it for its parallel worlds), PERF-01 measures only while it holds it, so one world's
 * throughput test never runs against another's and the rate measured is the deployment's, not the machine's
 * contention. A lock left by a process that died is taken over. Without the variable nothing waits.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../core/poll.ts';
import { processAlive } from '../../core/process/process-alive.ts';

function tryTake(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch {
    let holder: number;
    try {
      holder = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    } catch {
      // Being written or being removed: ask again.
      return false;
    }
    if (!Number.isInteger(holder) || processAlive(holder)) return false;
    rmSync(dir, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  return true;
}

/** Runs `work` holding the load lock (waiting at most `waitMs` for it; then runs anyway, saying so in `waited`). */
export async function withLoadLock<T>(work: () => Promise<T>, waitMs: number, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const dir = env.POSTAL_QA_LOAD_LOCK;
  if (!dir) return work();
  const taken = await pollUntil(() => Promise.resolve(tryTake(dir)), Boolean, { timeoutMs: waitMs, intervalMs: 200, maxIntervalMs: 1_000 });
  try {
    return await work();
  } finally {
    if (taken.value) rmSync(dir, { recursive: true, force: true });
  }
}
