import { describe, expect, it } from 'vitest';
import { groupAlive, startDaemon, waitUntilReady } from './daemon-process.ts';

describe('startDaemon', () => {
  it('stop() ends the leader and the children it forked; idempotent', async () => {
    // a leader that forks a worker and keeps running, like spamd and Dovecot
    const daemon = startDaemon({ name: 'forker', command: 'sh', args: ['-c', 'sleep 60 & echo forked; wait'] });
    await waitUntilReady(daemon, () => Promise.resolve(daemon.recentOutput().includes('forked')), { timeoutMs: 5000, what: 'forker' });
    expect(groupAlive(daemon.pid)).toBe(true);
    await Promise.all([daemon.stop(1000), daemon.stop(1000)]);
    expect(daemon.running).toBe(false);
    expect(groupAlive(daemon.pid)).toBe(false);
  });

  it('reports the last output when the daemon dies before it is ready', async () => {
    const daemon = startDaemon({ name: 'dies', command: 'sh', args: ['-c', 'echo "fatal: bad config" >&2; exit 3'] });
    await expect(waitUntilReady(daemon, () => Promise.resolve(false), { timeoutMs: 5000, what: 'dies' })).rejects.toThrow(
      /exited before it was ready \(code 3.*\n.*fatal: bad config/s,
    );
  });

  it('reports a missing binary', async () => {
    const daemon = startDaemon({ name: 'missing', command: '/nonexistent/daemon', args: [] });
    await expect(waitUntilReady(daemon, () => Promise.resolve(false), { timeoutMs: 5000, what: 'missing' })).rejects.toThrow(
      /spawn failed: .*ENOENT/,
    );
  });

  it('gives up at the deadline with the output so far', async () => {
    const daemon = startDaemon({ name: 'slow', command: 'sh', args: ['-c', 'echo starting; exec sleep 60'] });
    try {
      await expect(waitUntilReady(daemon, () => Promise.resolve(false), { timeoutMs: 200, what: 'slow' })).rejects.toThrow(
        /not ready after 200 ms.*starting/s,
      );
    } finally {
      await daemon.stop();
    }
  });
});
