import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-error.ts';
import type { ControlResult } from '../controls/control-result.ts';
import { readPreviousResults } from './previous-results.ts';
import { compareRuns, renderChanges, type PreviousRun } from './run-changes.ts';

function result(id: string, outcome: ControlResult['outcome'], summary = `${id} ${outcome}`, observed?: string): ControlResult {
  return {
    id,
    title: id,
    area: 'dns',
    severity: 'high',
    outcome,
    summary,
    verdicts: [{ outcome: outcome === 'pass' ? 'pass' : 'fail', summary, observed, evidence: [] }],
    startedAt: '',
    durationMs: 1,
  };
}

const previous = (controls: ControlResult[]): PreviousRun => ({
  source: 'reports/test-results/results.json',
  startedAt: '2026-01-01T00:00:00.000Z',
  verdict: 'FAIL',
  controls,
});

describe('compareRuns', () => {
  it('sorts controls into newly failing, newly passing and changed evidence', () => {
    const before = previous([
      result('DNS-01', 'pass'),
      result('DNS-03', 'fail'),
      result('DNS-06', 'pass', 'PTR', '127.0.0.10 → mail.a'),
      result('SEC-03', 'pass'),
    ]);
    const now = [
      result('DNS-01', 'fail'),
      result('DNS-03', 'pass'),
      result('DNS-06', 'pass', 'PTR', '127.0.0.10 → mail.b'),
      result('SEC-03', 'pass'),
    ];
    const changes = compareRuns(before, now);
    expect(changes.newlyFailing.map((c) => c.id)).toEqual(['DNS-01']);
    expect(changes.newlyPassing.map((c) => c.id)).toEqual(['DNS-03']);
    expect(changes.changedEvidence).toEqual([
      { id: 'DNS-06', before: 'pass', after: 'pass', detail: '127.0.0.10 → mail.a → 127.0.0.10 → mail.b' },
    ]);
    expect(changes.otherChanges).toEqual([]);
  });

  it('does not call a new measurement changed evidence (numbers move on every run)', () => {
    const changes = compareRuns(previous([result('PERF-02', 'pass', 'p95 latency 812 ms')]), [
      result('PERF-02', 'pass', 'p95 latency 790 ms'),
    ]);
    expect(changes.changedEvidence).toEqual([]);
  });

  it('ignores measurements and session ids but not reply codes or records', () => {
    const same = (a: string, b: string) =>
      compareRuns(previous([result('SEC-01', 'pass', 'x', a)]), [result('SEC-01', 'pass', 'x', b)]).changedEvidence.length === 0;
    expect(same('mail:25 open (29 ms), 12.07 messages/s, 88 days left', 'mail:25 open (81 ms), 9.5 messages/s, 87 days left')).toBe(true);
    expect(same('220 mail.mailgoat.ai ESMTP Postal/ZSQM15', '220 mail.mailgoat.ai ESMTP Postal/LWDI6S')).toBe(true);
    expect(same('refused at RCPT TO (530)', 'refused at RCPT TO (550)')).toBe(false);
    expect(same('2048-bit RSA key', '1024-bit RSA key')).toBe(false);
    expect(same('A mail.mailgoat.ai 127.0.0.10', 'A mail.mailgoat.ai 127.0.0.11')).toBe(false);
  });

  it('names controls that appeared or disappeared', () => {
    const changes = compareRuns(previous([result('FN-06', 'skipped')]), [
      result('FN-07', 'error'),
      result('DNS-01', 'pass'),
      result('PERF-01', 'skipped'),
    ]);
    expect(changes.newlyFailing).toEqual([{ id: 'FN-07', before: 'no result', after: 'error' }]);
    // A previous run that stopped early: what passes now is newly passing.
    expect(changes.newlyPassing).toEqual([{ id: 'DNS-01', before: 'no result', after: 'pass' }]);
    expect(changes.otherChanges).toEqual([
      { id: 'PERF-01', before: 'no result', after: 'skipped' },
      { id: 'FN-06', before: 'skipped', after: 'no result' },
    ]);
  });
});

describe('renderChanges', () => {
  it('lists the changes under a heading, with the run compared to', () => {
    const text = renderChanges(previous([result('DNS-01', 'pass')]), undefined, [result('DNS-01', 'fail')]).join('\n');
    expect(text).toContain('## Changes since the previous run');
    expect(text).toContain('Compared with `reports/test-results/results.json` (run of 2026-01-01T00:00:00.000Z, verdict FAIL)');
    expect(text).toContain('**Newly failing (1)**\n\n- `DNS-01` PASS → FAIL');
  });

  it('says so when nothing changed or there is nothing to compare with', () => {
    expect(renderChanges(previous([result('DNS-01', 'pass')]), undefined, [result('DNS-01', 'pass')]).join('\n')).toContain('No changes');
    expect(renderChanges(undefined, undefined, []).join('\n')).toContain('No previous run in this report folder');
  });
});

describe('readPreviousResults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-previous-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const valid = JSON.stringify({ tool: 'postal-qa', startedAt: 'x', verdict: 'PASS', controls: [result('DNS-01', 'pass')] });

  it('reads --compare-to, and refuses a missing or malformed file with one line naming the flag', () => {
    expect(readPreviousResults(dir, write('ok.json', valid)).run?.controls[0]?.id).toBe('DNS-01');
    expect(() => readPreviousResults(dir, join(dir, 'nope.json'))).toThrow(
      new ConfigError(`--compare-to=${join(dir, 'nope.json')}: no such file`),
    );
    expect(() => readPreviousResults(dir, write('bad.json', '{'))).toThrow(/^--compare-to=.*bad\.json: not JSON/);
    expect(() => readPreviousResults(dir, write('other.json', '{"tool":"other","controls":[]}'))).toThrow(
      /^--compare-to=.*other\.json: not a postal-qa results\.json \(tool: /,
    );
    expect(() => readPreviousResults(dir, write('other.json', '{"tool":"other","controls":[]}'))).toThrow(ConfigError);
  });

  it("uses the report folder's results.json by default; a broken one only means nothing to compare", () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'postal-qa-previous-dir-'));
    expect(readPreviousResults(reportDir, undefined)).toEqual({});
    mkdirSync(join(reportDir, 'test-results'));
    writeFileSync(join(reportDir, 'test-results', 'results.json'), valid);
    expect(readPreviousResults(reportDir, undefined).run?.verdict).toBe('PASS');
    writeFileSync(join(reportDir, 'test-results', 'results.json'), 'garbage');
    expect(readPreviousResults(reportDir, undefined).problem).toMatch(/could not be read \(not JSON/);
  });
});
