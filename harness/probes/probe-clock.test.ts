import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock, systemClock } from '../../core/poll.ts';
import type { RunContext } from '../config/run-context.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { dmarcReportProbe } from './dmarc-report-probe.ts';
import { createProbeContext } from './probe-context.ts';

const dir = mkdtempSync(join(tmpdir(), 'postal-qa-probe-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target = {
  hostResolver: 'system',
  accounts: [],
  timeouts: { dnsMs: 1000, connectMs: 1000, deliveryMs: 1000, propagationMs: 1000 },
  dmarcReports: { waitMs: 60_000, dir },
} as unknown as TargetDescriptor;
const run = { deployment: { domain: 'mailgoat.ai', agents: [], catchAll: 'team' }, runToken: 'pqa0' } as unknown as RunContext;

describe('the probe context clock', () => {
  it('is the system clock unless a test gives one', async () => {
    const context = createProbeContext(target, run);
    expect(context.clock).toBe(systemClock);
    await context.close();
  });

  it("is the time a probe waits on: a minute's wait for DMARC reports passes at once on a manual clock", async () => {
    const clock = manualClock(1_700_000_000_000);
    const context = createProbeContext(target, run, clock);
    const result = await dmarcReportProbe(context).reportsUntil([], () => false);
    expect(result.waitedMs).toBe(60_000);
    // Only the manual clock moved (a probe sleeping on the real clock would never see its deadline here).
    expect(clock.now()).toBe(1_700_000_060_000);
    await context.close();
  });
});
