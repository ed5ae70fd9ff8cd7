/**
 * Debian's rspamd, started by the world when Postal is told to inspect with it (postal.yml
 * `rspamd.enabled`: Postal 3 then prefers it to spamd, lib/postal/message_inspector.rb). It scans in
 * compiled C and Lua, a few milliseconds a message, where SpamAssassin takes 25–40 ms of CPU: with it the
 * world's own inspection no longer caps end-to-end delivery. The mailbox providers keep SpamAssassin.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Pool } from 'undici';
import type { SpamScorer, SpamVerdict } from '../../core/spam/spam-scorer.ts';
import { startDaemon, waitUntilReady } from './daemon-process.ts';
import { rspamdLocalConfig } from './rspamd-config.ts';
import { postalRspamdVerdict, rspamdErrorVerdict } from './rspamd-verdict.ts';

/** Debian's rspamd.conf, which includes the package's modules and then LOCAL_CONFDIR's overrides. */
export const RSPAMD_MAIN_CONFIG = '/etc/rspamd/rspamd.conf';
const RSPAMD_USER = '_rspamd';
/** Compiled Hyperscan databases, kept between worlds (rspamd names each file by its rules' hash). */
const HYPERSCAN_CACHE_DIR =
  process.getuid?.() === 0 ? '/var/cache/postal-qa/rspamd-hyperscan' : join(tmpdir(), 'postal-qa-rspamd-hyperscan');

export interface StartRspamdOptions {
  address: string;
  /** a folder of its own (created; removed on stop) for the configuration, database and run files */
  dir: string;
  /** default 11333 (the scanning worker) */
  port?: number;
  /** the world's DNS server, `ip` or `ip:port` */
  dnsServer: string;
  /** Postal's spam threshold, for the verdict's isSpam */
  threshold: number;
  /** default 2 (one per core on the reference machine) */
  workers?: number;
  /** readiness deadline; rspamd loads its rules in 2–15 s on a busy 2-core machine */
  timeoutMs?: number;
  onLog?: (line: string) => void;
}

export interface Rspamd {
  scorer: SpamScorer;
  endpoint: { address: string; port: number };
  version: string;
  pid: number;
  stop(): Promise<void>;
}

/** uid and gid of a system user, read from /etc/passwd (no program to start for it). */
function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const fields = line?.split(':');
  if (!fields || fields.length < 4)
    throw new Error(`the system user ${name} does not exist: is Debian's rspamd package installed (apt-get install rspamd)?`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function rspamdVersion(): string {
  const out = spawnSync('rspamd', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (out.error)
    throw new Error(
      `rspamd was not found: install Debian's rspamd package (apt-get install rspamd): ${(out.error as NodeJS.ErrnoException).code ?? out.error.message}`,
    );
  return /version (\S+)/.exec(out.stdout)?.[1] ?? 'unknown';
}

/**
 * A client that asks rspamd like Postal does (POST /checkv2 with the envelope in headers, 10 s timeouts)
 * and scores its answer like Postal; a failure is Postal's ERROR check worth 0, not an exception.
 */
export function rspamdScorer(endpoint: { address: string; port: number }, threshold: number): SpamScorer & { close(): Promise<void> } {
  const pool = new Pool(`http://${endpoint.address}:${endpoint.port}`, {
    connections: 8,
    connectTimeout: 10_000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return {
    async check(raw, envelope): Promise<SpamVerdict> {
      try {
        const response = await pool.request({
          path: '/checkv2',
          method: 'POST',
          body: raw,
          headers: {
            'user-agent': 'Postal',
            ...(envelope
              ? { 'deliver-to': envelope.rcptTo, from: envelope.mailFrom, rcpt: envelope.rcptTo, 'queue-id': envelope.queueId }
              : {}),
          },
        });
        const text = await response.body.text();
        if (response.statusCode !== 200)
          return rspamdErrorVerdict(`Error when scanning with rspamd (got ${response.statusCode})`, threshold);
        return postalRspamdVerdict(JSON.parse(text), threshold);
      } catch (error) {
        return rspamdErrorVerdict(`Error when scanning with rspamd (${(error as Error).name})`, threshold);
      }
    },
    close: () => pool.close(),
  };
}

export async function startRspamd(options: StartRspamdOptions): Promise<Rspamd> {
  const version = rspamdVersion();
  const port = options.port ?? 11333;
  const endpoint = { address: options.address, port };
  const name = `rspamd ${options.address}:${port}`;
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  const dbDir = join(dir, 'db');
  const runDir = join(dir, 'run');
  for (const [file, text] of Object.entries(
    rspamdLocalConfig({
      address: options.address,
      port,
      controllerPort: port + 1,
      dnsServer: options.dnsServer,
      workers: options.workers ?? 2,
      hyperscanCacheDir: HYPERSCAN_CACHE_DIR,
    }),
  )) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  mkdirSync(dbDir);
  mkdirSync(runDir);
  mkdirSync(HYPERSCAN_CACHE_DIR, { recursive: true });
  // As root rspamd drops to its own user, which must be able to write its database and run folders.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    const user = systemUser(RSPAMD_USER);
    for (const d of [dbDir, runDir, HYPERSCAN_CACHE_DIR]) chownSync(d, user.uid, user.gid);
  }
  const args = [
    '-f',
    ...(asRoot ? ['-u', RSPAMD_USER, '-g', RSPAMD_USER] : ['-u', userInfo().username]),
    '-c',
    RSPAMD_MAIN_CONFIG,
    `--var=LOCAL_CONFDIR=${dir}`,
    `--var=DBDIR=${dbDir}`,
    `--var=RUNDIR=${runDir}`,
  ];
  const daemon = startDaemon({
    name,
    command: 'rspamd',
    args,
    env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
    onLine: options.onLog,
    cleanupOnExit: () => rmSync(dir, { recursive: true, force: true }),
  });
  const scorer = rspamdScorer(endpoint, options.threshold);
  const ping = async (): Promise<boolean> => {
    const pool = new Pool(`http://${options.address}:${port}`, { connectTimeout: 500, headersTimeout: 500, bodyTimeout: 500 });
    try {
      const response = await pool.request({ path: '/ping', method: 'GET' });
      return (await response.body.text()).trim() === 'pong';
    } catch {
      return false;
    } finally {
      await pool.close();
    }
  };
  const stop = async (): Promise<void> => {
    await scorer.close().catch(() => undefined);
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(daemon, ping, { timeoutMs: options.timeoutMs ?? 60_000, what: name });
  } catch (error) {
    await stop();
    const output = daemon.recentOutput();
    throw new Error(
      `${(error as Error).message}${/ENOENT|spawn failed/.test(output) ? "\nrspamd was not found: install Debian's rspamd package (apt-get install rspamd)." : ''}`,
      { cause: error },
    );
  }
  return { scorer, endpoint, version, pid: daemon.pid, stop };
}
