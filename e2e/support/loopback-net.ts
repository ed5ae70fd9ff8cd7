/**
 * Which loopback nets (127.0.N, a /24 each) an e2e file may use: every file has nets of its own from one fixed
 * range, so files running side by side never share an address. POSTAL_QA_WORLD_NET=127.0.N moves the whole
 * range to start at N (each file keeps its place in it), for an engineer who was given other nets.
 * The fixed range is shared by everyone who runs e2e: run it under the lock (flock /tmp/postal-qa-fixed-nets.lock).
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the range starts unless POSTAL_QA_WORLD_NET says otherwise. */
export const FIRST_NET = 160;

/** Every e2e file and how many nets it needs, in range order: a new file is added at the end. */
const NETS_PER_FILE: ReadonlyArray<readonly [string, number]> = [
  ['bad-input', 2],
  ['deliverables-untouched', 2],
  ['disk-full', 1],
  ['dmarc-monitor', 1],
  ['fault-detection', 1],
  ['live-against-world', 2],
  ['local-target', 1],
  ['mailgoat-cli-real', 1],
  ['npm-run-world', 1],
  ['provision-cli', 1],
  ['provision-empty-world', 1],
  ['report-folder', 2],
  ['run-lifecycle', 1],
  ['signals', 1],
  ['altered-body', 1],
];

export const E2E_FILES: readonly string[] = NETS_PER_FILE.map(([name]) => name);
export const RANGE_SIZE = NETS_PER_FILE.reduce((sum, [, count]) => sum + count, 0);

/** The first net of the range: POSTAL_QA_WORLD_NET's third octet when set (127.0.N), else FIRST_NET. */
export function firstNet(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.POSTAL_QA_WORLD_NET;
  if (!given) return FIRST_NET;
  const match = /^127\.0\.(0|[1-9]\d{0,2})$/.exec(given);
  const n = match ? Number(match[1]) : NaN;
  if (!(n >= 1 && n + RANGE_SIZE - 1 <= 254)) {
    throw new Error(`POSTAL_QA_WORLD_NET=${given}: the e2e files need ${RANGE_SIZE} nets from 127.0.N on (1 ≤ N ≤ ${255 - RANGE_SIZE})`);
  }
  return n;
}

/** The nets of the e2e file at `fileUrl` (its import.meta.url or path), each "127.0.N". */
export function loopbackNets(fileUrl: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const name = basename(fileUrl.startsWith('file:') ? fileURLToPath(fileUrl) : fileUrl).replace(/\.test\.ts$/, '');
  let offset = 0;
  for (const [file, count] of NETS_PER_FILE) {
    if (file === name) return Array.from({ length: count }, (_, i) => `127.0.${firstNet(env) + offset + i}`);
    offset += count;
  }
  throw new Error(`${name}: no loopback nets for this e2e file: add it to e2e/support/loopback-net.ts`);
}

/** The file's first net (or its `index`th). */
export function loopbackNet(fileUrl: string, index = 0, env: NodeJS.ProcessEnv = process.env): string {
  const net = loopbackNets(fileUrl, env)[index];
  if (!net) throw new Error(`${fileUrl}: has no net number ${index + 1}: raise its count in e2e/support/loopback-net.ts`);
  return net;
}
