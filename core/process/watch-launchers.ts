import { readFileSync } from 'node:fs';

const LAUNCHER_POLL_MS = 500;

function procStat(pid: number): { comm: string; ppid: number; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const [, ppid, pgrp] = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/**
 * `npm test` is npm → sh -c → node, all in one process group, and the harness starts the world below
 * it. A supervisor that kills npm alone (CI timeouts, `kill -9 <npm pid>`) never reaches us, and we
 * would run on as orphans holding ports. So the ancestors in our own process group — the launchers —
 * are watched, and the caller stops when one of them goes away. (Linux /proc;
 * elsewhere there is nothing to watch and signals alone apply.)
 */
export function watchLaunchers(onExit: (launcher: string) => void): void {
  const self = procStat(process.pid);
  if (!self) return;
  const launchers: Array<{ pid: number; comm: string }> = [];
  for (let pid = self.ppid, stat = procStat(pid); stat && pid > 1 && stat.pgrp === self.pgrp; pid = stat.ppid, stat = procStat(pid)) {
    launchers.push({ pid, comm: stat.comm });
  }
  if (launchers.length === 0) return;
  const timer = setInterval(() => {
    const gone = launchers.find((l) => procStat(l.pid)?.comm !== l.comm);
    if (!gone) return;
    clearInterval(timer);
    onExit(`launcher ${gone.comm} (pid ${gone.pid})`);
  }, LAUNCHER_POLL_MS);
  timer.unref();
}
