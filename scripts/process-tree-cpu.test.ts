import { describe, expect, it } from 'vitest';
import { cpuDelta, parseProcStat, readProcessTreeCpu, treeCpu } from './process-tree-cpu.ts';

const stat = (pid: number, name: string, ppid: number, utime: number, stime: number) =>
  `${pid} (${name}) S ${ppid} 1 1 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 100 1000 10`;

describe('process tree CPU', () => {
  it('parses utime+stime, even with spaces and parentheses in the name', () => {
    expect(parseProcStat(stat(7, 'rspamd: normal (x)', 3, 150, 50))).toEqual({
      pid: 7,
      ppid: 3,
      name: 'rspamd: normal (x)',
      cpuSeconds: 2,
    });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('sums the root and every descendant by program, and nothing outside the tree', () => {
    const stats = [
      stat(1, 'node', 0, 100, 0),
      stat(2, 'rspamd: main process', 1, 10, 0),
      stat(3, 'rspamd: normal process', 2, 200, 100),
      stat(4, 'sqlite3', 1, 5, 5),
      stat(9, 'other', 0, 999, 0),
    ].map((l) => parseProcStat(l)!);
    expect(treeCpu(stats, 1)).toEqual({ node: 1, rspamd: 3.1, sqlite3: 0.1 });
  });

  it('reads this very process from /proc', () => {
    const mine = readProcessTreeCpu(process.pid);
    expect(Object.values(mine).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('gives the difference per program, never negative', () => {
    expect(cpuDelta({ node: 1, gone: 5 }, { node: 3, rspamd: 1 })).toEqual({ node: 2, rspamd: 1 });
  });
});
