/**
 * Debian's SpamAssassin daemon, started by the world with local tests only (`-L`: no network
 * tests, so the same message scores the same every run) and two children (enough for a 2-core box).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, waitUntilReady } from './daemon-process.ts';
import { SpamcClient, type SpamdEndpoint } from '../../core/spam/spamc-client.ts';
import type { SpamScorer } from '../../core/spam/spam-scorer.ts';

/** Where Debian's package puts the rules it ships, and where `sa-update` would put newer ones. */
export const SHIPPED_RULES_DIR = '/usr/share/spamassassin';
export const UPDATE_RULES_ROOT = '/var/lib/spamassassin';

/**
 * - SpamAssassin always trusts 127.0.0.0/8, so every world message (all hops on loopback) would get
 *   ALL_TRUSTED (-1.0): a bonus no message from the Internet gets at Gmail or at a real Postal.
 * - Bayes off: with auto-learning, the shared debian-spamd database would learn from test mail and
 *   the same message would score differently from run to run; it also halves the time per scan.
 */
export const WORLD_SPAMD_CONFIG = ['score ALL_TRUSTED 0', 'use_bayes 0', 'bayes_auto_learn 0'];

export interface StartSpamdOptions {
  address: string;
  port?: number;
  /** readiness deadline; spamd needs about 2 s to compile its rules */
  timeoutMs?: number;
  /** every line spamd logs (it logs to stderr) */
  onLog?: (line: string) => void;
  /** a note about the environment worth a human's attention (e.g. an empty sa-update folder) */
  onWarning?: (message: string) => void;
  /** the spamd binary; default `spamd` from PATH */
  command?: string;
  /** spamd worker processes; default 2 (one per core on the reference machine) */
  maxChildren?: number;
  /** configuration lines passed with --cf; default WORLD_SPAMD_CONFIG */
  config?: string[];
}

export interface Spamd {
  scorer: SpamScorer & { ping(timeoutMs?: number): Promise<boolean> };
  endpoint: SpamdEndpoint;
  /** SpamAssassin's version as spamd announced it, e.g. "4.0.1" */
  version: string;
  pid: number;
  /** kills spamd and its children; idempotent */
  stop(): Promise<void>;
}

/**
 * `sa-update` run offline leaves `/var/lib/spamassassin/<version>/` with no rules in it; spamd then
 * prefers that folder and loads nothing. Returns the folders that would hide the shipped rules.
 */
export function findEmptyUpdateDirs(root = UPDATE_RULES_ROOT): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  return entries
    .filter((name) => /^\d+\.\d+$/.test(name))
    .map((name) => join(root, name))
    .filter((dir) => isDirectory(dir) && !containsRules(dir));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function containsRules(dir: string, depth = 0): boolean {
  if (depth > 3) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.cf')) return true;
    if (entry.isDirectory() && containsRules(join(dir, entry.name), depth + 1)) return true;
  }
  return false;
}

export async function startSpamd(options: StartSpamdOptions): Promise<Spamd> {
  const port = options.port ?? 783;
  const endpoint = { address: options.address, port };
  const name = `spamd ${options.address}:${port}`;
  // spamd refuses to run its children as root; as anyone else it simply keeps its own user.
  const asUser = process.getuid?.() === 0 ? ['-u', 'debian-spamd'] : [];
  const config = (options.config ?? WORLD_SPAMD_CONFIG).map((line) => `--cf=${line}`);
  const args = [
    `--listen=${options.address}:${port}`,
    '-L',
    ...asUser,
    '-x',
    `--max-children=${options.maxChildren ?? 2}`,
    '--syslog=stderr',
    ...config,
  ];

  const hiding = findEmptyUpdateDirs();
  if (hiding.length > 0) {
    // Point spamd at the shipped rules explicitly instead of deleting a system folder behind the user's back.
    args.push(`--configpath=${SHIPPED_RULES_DIR}`);
    options.onWarning?.(
      `${hiding.join(', ')} exists but holds no rules (a failed offline sa-update); it would hide the rules in ` +
        `${SHIPPED_RULES_DIR}, so spamd is started with --configpath=${SHIPPED_RULES_DIR}. Remove the empty folder to silence this.`,
    );
  }

  let version = 'unknown';
  let noRules = false;
  const daemon = startDaemon({
    name,
    command: options.command ?? 'spamd',
    args,
    // A fixed locale keeps the report table in English, which is what the parser reads.
    env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
    onLine: (line) => {
      const announced = /running version (\S+?)\)?$/.exec(line);
      if (announced) version = announced[1]!;
      if (/no rules were found/i.test(line)) noRules = true;
      options.onLog?.(line);
    },
  });
  const scorer = new SpamcClient(endpoint);
  try {
    await waitUntilReady(daemon, () => scorer.ping(500), { timeoutMs: options.timeoutMs ?? 20_000, what: name });
  } catch (error) {
    await daemon.stop();
    const hint = describeStartFailure(daemon.recentOutput(), noRules, hiding);
    throw new Error(`${(error as Error).message}${hint ? `\n${hint}` : ''}`, { cause: error });
  }
  if (noRules) {
    await daemon.stop();
    throw new Error(`${name} started without any rules; is the spamassassin package installed (${SHIPPED_RULES_DIR})?`);
  }
  return { scorer, endpoint, version, pid: daemon.pid, stop: () => daemon.stop() };
}

function describeStartFailure(output: string, noRules: boolean, hiding: string[]): string | undefined {
  if (/ENOENT|spawn failed/.test(output))
    return "spamd was not found: install Debian's spamd package (apt-get install spamd spamassassin; Debian 12 ships the daemon apart from spamassassin).";
  if (/Address already in use|could not create .*socket/i.test(output))
    return 'the address/port is in use: another world or spamd is running there.';
  if (noRules) return `spamd found no rules${hiding.length ? ` (empty ${hiding.join(', ')})` : ''}.`;
  return undefined;
}
