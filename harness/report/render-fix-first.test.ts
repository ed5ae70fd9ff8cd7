import { describe, expect, it } from 'vitest';
import type { ControlResult } from '../controls/control-result.ts';
import { renderFixFirst } from './render-fix-first.ts';

const result = (id: string, outcome: ControlResult['outcome'], summary: string, remediation?: string): ControlResult => ({
  id,
  title: `title of ${id}`,
  area: 'x',
  severity: 'high',
  outcome,
  summary,
  verdicts: [],
  ...(remediation ? { remediation } : {}),
  startedAt: '2026-12-06T00:00:00.000Z',
  durationMs: 1,
});

describe('renderFixFirst', () => {
  it('says nothing when nothing failed or warned', () => {
    expect(renderFixFirst([result('INF-01', 'pass', 'ok'), result('FN-06', 'skipped', 'no CLI')])).toEqual([]);
  });

  it('lists a failure with its remediation, and the controls it blocked under it, transitively', () => {
    const lines = renderFixFirst([
      result('INF-01', 'pass', 'ok'),
      result('INF-05', 'fail', 'mail to dev2 landed with team', 'Create the Route "dev2"'),
      result('INF-06', 'pass', 'ok'),
      result('FN-01', 'blocked', 'blocked by INF-05'),
      result('PERF-02', 'blocked', 'blocked by FN-01'),
    ]);
    const body = lines.join('\n');
    expect(lines[0]).toBe('## What to fix first');
    expect(body).toContain('- **FAIL** `INF-05` title of INF-05: mail to dev2 landed with team → **Create the Route "dev2"**');
    expect(body).toContain('\n  - `FN-01` title of FN-01 — blocked');
    expect(body).toContain('\n    - `PERF-02` title of PERF-02 — blocked');
    expect(body.indexOf('INF-05')).toBeLessThan(body.indexOf('FN-01'));
  });

  it('puts failures before warnings, keeps catalog order among roots, and makes each one line', () => {
    const lines = renderFixFirst([
      result('DNS-04', 'warn', 'key is 1024 bits', 'Use a 2048-bit key'),
      result('DNS-03', 'fail', 'SPF softfails\nfor the server', 'Add ip4:\n91.98.35.3'),
      result('SEC-01', 'error', 'the probe crashed'),
    ]);
    const body = lines.join('\n');
    expect(body.indexOf('DNS-03')).toBeLessThan(body.indexOf('SEC-01'));
    expect(body.indexOf('SEC-01')).toBeLessThan(body.indexOf('Warnings:'));
    expect(body.indexOf('Warnings:')).toBeLessThan(body.indexOf('DNS-04'));
    expect(body).toContain('SPF softfails for the server → **Add ip4: 91.98.35.3**');
    expect(body).toContain('- **ERROR** `SEC-01`');
    expect(body).toContain('- **WARN** `DNS-04`');
  });

  it('still shows a blocked control whose blocker is not among the results', () => {
    const body = renderFixFirst([result('FN-03', 'blocked', 'blocked by FN-02')]).join('\n');
    expect(body).toContain('`FN-03` title of FN-03 — blocked');
  });
});
