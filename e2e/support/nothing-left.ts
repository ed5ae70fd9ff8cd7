/**
 * What a stopped run or world must leave behind: nothing. No process it started still runs, nothing listens on
 * its loopback net (read from /proc/net: every TCP listener and UDP socket of the machine, whoever owns it), and
 * no temporary folder of it is left. Polled with a deadline: a stop takes a moment to reach every process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { eventually } from '../../core/poll.ts';
import { stillRunning, type ProcessIdentity } from './cli-process.ts';

const TCP_LISTEN = '0A';

/** "0A00007F:0019" (a /proc/net address, the IPv4 address as the host stores it) → ["127.0.0.10", 25]. */
export function procNetAddress(field: string, hostEndianness = endianness()): [string, number] {
  const [hex, port] = field.split(':') as [string, string];
  const bytes = hex.match(/../g)!.map((b) => parseInt(b, 16));
  return [(hostEndianness === 'LE' ? bytes.reverse() : bytes).join('.'), parseInt(port, 16)];
}

/** Every TCP listener and bound UDP socket on `net` ("127.0.N"), as "address:port/protocol". */
export function listenersOn(net: string): string[] {
  const found: string[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    const lines = readFileSync(`/proc/net/${protocol}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || (protocol === 'tcp' && state !== TCP_LISTEN)) continue;
      const [address, port] = procNetAddress(local);
      if (address.startsWith(`${net}.`)) found.push(`${address}:${port}/${protocol}`);
    }
  }
  return found;
}

/**
 * What the temporary folder held when this test file started: a folder left there by an earlier run (a
 * killed CI job on the same machine and net) is not this run's, and must not fail every test after it.
 */
const PRESENT_BEFORE = new Set(readdirSync(tmpdir()));

/** Folders in the system's temporary folder whose names start with `prefix`, made since this test file started. */
export function tempFoldersStartingWith(prefix: string): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(prefix) && !PRESENT_BEFORE.has(name));
}

export interface Leftovers {
  /** Every process seen below the run while it ran. */
  processes: ProcessIdentity[];
  /** The run's loopback net: nothing may listen on it afterwards. */
  net: string;
  /** Name prefixes of temporary folders the run made (e.g. the world's `postal-qa-world-<net>-`). */
  tempFolders?: string[];
  timeoutMs?: number;
}

/** Resolves once nothing is left; throws at the deadline naming what is. */
export async function expectNothingLeft(leftovers: Leftovers): Promise<void> {
  await eventually(
    'every process, listener and temporary folder of the run gone',
    () => {
      const running = stillRunning(leftovers.processes);
      if (running.length) throw new Error(`still running: ${running.map((p) => `${p.pid} ${p.comm}`).join(', ')}`);
      const listening = listenersOn(leftovers.net);
      if (listening.length) throw new Error(`still listening on ${leftovers.net}: ${listening.join(', ')}`);
      const folders = (leftovers.tempFolders ?? []).flatMap(tempFoldersStartingWith);
      if (folders.length) throw new Error(`temporary folders left: ${folders.join(', ')}`);
      return Promise.resolve(true);
    },
    { timeoutMs: leftovers.timeoutMs ?? 15_000, intervalMs: 100, maxIntervalMs: 250 },
  );
}
