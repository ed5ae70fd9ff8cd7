/**
 * "What to fix first": the report's second section on a run that did not pass. Failed controls (and errors) in
 * root-cause order — a control blocked by another is listed under the one that blocked it, since fixing the root
 * unblocks it — then the warnings, each with its one-line remediation. The detailed "Failures and warnings" with
 * their evidence follow further down.
 */
import type { ControlResult } from '../controls/control-result.ts';

const RED = new Set(['fail', 'error']);
const BLOCKED_BY = /^blocked by (\S+)/;

/** The id of the control that blocked `r`, when it was blocked. */
function blocker(r: ControlResult): string | undefined {
  return r.outcome === 'blocked' ? BLOCKED_BY.exec(r.summary)?.[1] : undefined;
}

const oneLine = (text: string): string => text.replace(/\s*\r?\n\s*/g, ' ').trim();

function line(r: ControlResult, depth: number): string {
  const indent = '  '.repeat(depth);
  if (r.outcome === 'blocked') return `${indent}- \`${r.id}\` ${r.title} — blocked: it waits for the fix above`;
  const label = r.outcome === 'warn' ? 'WARN' : r.outcome === 'error' ? 'ERROR' : 'FAIL';
  const fix = r.remediation ? ` → **${oneLine(r.remediation)}**` : '';
  return `${indent}- **${label}** \`${r.id}\` ${r.title}: ${oneLine(r.summary)}${fix}`;
}

/** The section's lines; none when nothing failed or warned. `results` in catalog order. */
export function renderFixFirst(results: readonly ControlResult[]): string[] {
  const byBlocker = new Map<string, ControlResult[]>();
  for (const r of results) {
    const by = blocker(r);
    if (by) byBlocker.set(by, [...(byBlocker.get(by) ?? []), r]);
  }
  const tree = (r: ControlResult, depth: number, seen: Set<string>): string[] => {
    if (seen.has(r.id)) return [];
    seen.add(r.id);
    return [line(r, depth), ...(byBlocker.get(r.id) ?? []).flatMap((child) => tree(child, depth + 1, seen))];
  };
  const seen = new Set<string>();
  const roots = results.filter((r) => RED.has(r.outcome));
  const failed = roots.flatMap((r) => tree(r, 0, seen));
  // A control blocked by something that is not in the results (or by a chain that never reaches a failure) still shows.
  const orphans = results.filter((r) => r.outcome === 'blocked' && !seen.has(r.id)).flatMap((r) => tree(r, 0, seen));
  const warned = results.filter((r) => r.outcome === 'warn').map((r) => line(r, 0));
  if (failed.length + orphans.length + warned.length === 0) return [];
  return [
    '## What to fix first',
    '',
    ...(failed.length + orphans.length
      ? ['Failures, root causes first (a blocked control is listed under the control it waits for):', '', ...failed, ...orphans, '']
      : []),
    ...(warned.length ? ['Warnings:', '', ...warned, ''] : []),
    'Each is detailed with its evidence under "Failures and warnings" below.',
    '',
  ];
}
