import { describe, expect, it } from 'vitest';
import type { ControlResult } from '../controls/control-result.ts';
import { parseRunOptions } from '../config/run-options.ts';
import { renderMailSent } from './render-markdown.ts';

const result = (id: string, messagesSent?: number): ControlResult => ({
  id,
  title: `title of ${id}`,
  area: 'functionality',
  severity: 'high',
  outcome: 'pass',
  summary: 'ok',
  verdicts: [],
  startedAt: '2026-12-02T00:00:00.000Z',
  durationMs: 1,
  ...(messagesSent === undefined ? {} : { messagesSent }),
});

describe('the report says what a run sent', () => {
  it('lists each sending control with its count and the total', () => {
    const lines = renderMailSent([result('INF-05', 14), result('DNS-01'), result('FN-01', 13)], parseRunOptions(['--env=live']));
    expect(lines).toContain('| INF-05 title of INF-05 | 14 |');
    expect(lines).toContain('| FN-01 title of FN-01 | 13 |');
    expect(lines.join('\n')).toMatch(/^27 message\(s\) through the target/m);
    expect(lines.join('\n')).not.toContain('DNS-01');
  });

  it('says plainly that a read-only run sent nothing, and flags a read-only run that did send', () => {
    expect(renderMailSent([result('DNS-01')], parseRunOptions(['--env=live', '--read-only'])).join('\n')).toMatch(/None: `--read-only`/);
    expect(renderMailSent([result('FN-01', 1)], parseRunOptions(['--env=live', '--read-only'])).join('\n')).toMatch(
      /yet 1 message\(s\) were sent: a defect/,
    );
  });

  it('shows no section when nothing was sent and nothing was promised', () => {
    expect(renderMailSent([result('DNS-01')], parseRunOptions([]))).toEqual([]);
  });
});
