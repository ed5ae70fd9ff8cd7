/**
 * CPU time used by a process and all its descendants, from Linux's /proc, grouped by program name.
 * The benchmark reads it before and after a batch, so it can say what the world itself spent per message —
 * a figure a busy shared machine does not distort the way a wall-clock rate is distorted.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/<pid>/stat's utime and stime; 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  cpuSeconds: number;
}

/** Parses one /proc/<pid>/stat line; the name is in parentheses and may itself contain spaces or parentheses. */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = line.slice(close + 2).split(' ');
  // After the name: state(0) ppid(1) … utime(11) stime(12)
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const ppid = Number(fields[1]);
  if (![utime, stime, ppid].every(Number.isFinite)) return undefined;
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid,
    name: line.slice(open + 1, close),
    cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
  };
}

/** Sums CPU seconds of `stats` descending from `root` (itself included), by program name. */
export function treeCpu(stats: ProcStat[], root: number): Record<string, number> {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const byName: Record<string, number> = {};
  const visit = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      // rspamd and spamd rename their processes ("rspamd: normal process"): the first word names the program.
      const name = child.name.split(/[: ]/)[0] || child.name;
      byName[name] = (byName[name] ?? 0) + child.cpuSeconds;
      visit(child.pid);
    }
  };
  const self = stats.find((s) => s.pid === root);
  if (self) byName[self.name] = (byName[self.name] ?? 0) + self.cpuSeconds;
  visit(root);
  return byName;
}

export function readProcessTreeCpu(root: number): Record<string, number> {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parsed = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (parsed) stats.push(parsed);
    } catch {
      // the process ended while we looked
    }
  }
  return treeCpu(stats, root);
}

/** after − before, per name (a process that ended in between is missing from `after`: its share is lost, not negative). */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, Math.max(0, seconds - (before[name] ?? 0))]));
}
