/**
 * Ctrl-C in the middle of `npm test` (the harness running the suite against the embedded world):
 * the run ends with 130, still writes a report that says it was interrupted, and the world it had
 * started is gone — no spamd, no Dovecot, no bound port.
 *
 * The harness is started as `tsx harness/cli.ts` (what `npm test` runs) so the exit code seen is the
 * harness's own: npm and npx report a child killed by a signal with their own status, not 130.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canBind, startCli, stillRunning } from './cli-process.ts';

const NET = '127.0.82';
const ROOT = new URL('../../', import.meta.url).pathname;

describe('npm test interrupted with Ctrl-C', () => {
  const reportDir = mkdtempSync(join(tmpdir(), 'postal-qa-interrupt-'));
  afterAll(() => rmSync(reportDir, { recursive: true, force: true }));

  // KNOWN BUG in harness/cli.ts (reported, not ours to edit): vitest's logger exits the process 1 ms after
  // SIGINT, before the target is closed and the report written; with a terminal's Ctrl-C vitest's fork
  // worker dies too and the harness crashes on ERR_IPC_CHANNEL_CLOSED. `.fails` keeps the expectation
  // executable: once the harness is fixed this turns red — then drop `.fails`.
  it('exits 130, writes an interrupted report and leaves nothing of the world behind', async () => {
    const run = startCli(join(ROOT, 'node_modules/.bin/tsx'), ['harness/cli.ts', `--report-dir=${reportDir}`], {
      cwd: ROOT,
      env: { ...process.env, POSTAL_QA_WORLD_NET: NET, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    try {
      // vitest prints " RUN  v…" once the target (the world) is open and the specs start.
      await run.waitFor(/\bRUN\b/, 90_000);
      const daemons = run.sampleDescendants().filter((p) => /spamd|dovecot/.test(p.comm));
      expect(daemons.length, `spamd and Dovecot running under the harness:\n${run.output()}`).toBeGreaterThanOrEqual(3);

      run.signalGroup('SIGINT'); // a terminal's Ctrl-C reaches the whole foreground job
      const exit = await Promise.race([
        run.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 30 s after Ctrl-C:\n${run.output()}`)), 30_000)),
      ]);
      await run.closed;
      expect(exit, run.output()).toEqual({ code: 130, signal: null });

      const markdown = join(reportDir, 'QA-TEST-REPORT.md');
      expect(existsSync(markdown), run.output()).toBe(true);
      expect(readFileSync(markdown, 'utf8')).toContain('The run was interrupted');
      const json = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as Record<string, unknown>;
      expect(JSON.stringify(json)).toContain('"interrupted":true');
      expect(run.output()).toMatch(/postal-qa: INCOMPLETE — the run was interrupted/);

      expect(stillRunning([...run.seen.values()]), 'processes the run started and left running').toEqual([]);
      for (const [address, port] of [[`${NET}.10`, 25], [`${NET}.53`, 53], [`${NET}.60`, 783], [`${NET}.20`, 143]] as const) {
        expect(await canBind(address, port, 'tcp'), `${address}:${port} still bound`).toBe(true);
      }
      expect(await canBind(`${NET}.53`, 53, 'udp')).toBe(true);
    } finally {
      run.kill();
    }
  }, 150_000);
});
