/**
 * What changed between two monitor runs, worded for the person paged: a control newly red (a new
 * blocklisting is DNS-08, a certificate within 14 days is INF-04), a source outside the deployment that
 * now sends unaligned as the domain, the DMARC pass rate dropping, and what recovered. Pure.
 */
import type { HistoryEntry } from './monitor-history.ts';

const RED = new Set(['fail', 'error', 'blocked']);
const UNALIGNED = new Set(['authorised-outside', 'spoofed-delivered', 'spoofed-blocked']);
/** A drop of this many percentage points or more is an alert. */
export const PASS_RATE_DROP_POINTS = 5;

export interface MonitorChanges {
  /** Each a line that turned red since the previous run: these make the monitor exit 1. */
  alerts: string[];
  /** Red before and red now. */
  stillRed: string[];
  /** Green again. */
  recovered: string[];
}

const pct = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

export function compareEntries(previous: HistoryEntry | undefined, current: HistoryEntry): MonitorChanges {
  const before = new Map((previous?.controls ?? []).map((c) => [c.id, c]));
  const changes: MonitorChanges = { alerts: [], stillRed: [], recovered: [] };
  for (const now of current.controls) {
    const was = before.get(now.id);
    if (RED.has(now.outcome)) {
      if (was && RED.has(was.outcome)) changes.stillRed.push(`${now.id} still ${now.outcome.toUpperCase()}: ${now.summary}`);
      else changes.alerts.push(`${now.id} turned ${now.outcome.toUpperCase()}${was ? ` (was ${was.outcome})` : ''}: ${now.summary}`);
    } else if (was && RED.has(was.outcome)) {
      changes.recovered.push(`${now.id} ${was.outcome} → ${now.outcome}`);
    }
  }
  const dmarcBefore = previous?.dmarc;
  const dmarcNow = current.dmarc;
  if (dmarcNow) {
    const known = new Set((dmarcBefore?.sources ?? []).filter((s) => UNALIGNED.has(s.class)).map((s) => s.ip));
    for (const source of dmarcNow.sources.filter((s) => UNALIGNED.has(s.class) && !known.has(s.ip))) {
      changes.alerts.push(
        `new unaligned source ${source.ip} (${source.class}, ${source.messages} message${source.messages === 1 ? '' : 's'} as the domain) in the DMARC reports`,
      );
    }
    if (dmarcBefore) {
      for (const [label, was, now] of [
        [
          "the server's DMARC pass rate",
          dmarcBefore.deploymentMessages > 0 ? dmarcBefore.deploymentPassRate : undefined,
          dmarcNow.deploymentMessages > 0 ? dmarcNow.deploymentPassRate : undefined,
        ],
        [
          'the DMARC pass rate of all mail as the domain',
          dmarcBefore.messages > 0 ? dmarcBefore.passRate : undefined,
          dmarcNow.messages > 0 ? dmarcNow.passRate : undefined,
        ],
      ] as const) {
        if (was !== undefined && now !== undefined && (was - now) * 100 >= PASS_RATE_DROP_POINTS)
          changes.alerts.push(`${label} dropped from ${pct(was)} to ${pct(now)}`);
      }
    }
  }
  return changes;
}
