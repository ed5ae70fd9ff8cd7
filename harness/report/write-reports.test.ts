import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../controls/catalog.ts';
import type { ControlResult } from '../controls/control-result.ts';
import { runVerdict, type ReportInput } from './report-input.ts';
import { ResultRegistry } from './result-registry.ts';
import { writeReports } from './write-reports.ts';

const SECRET = 'Kq7Zp2Lm9Xw4Rt6Yb8Nc3Vd5';

function result(id: string, outcome: ControlResult['outcome'], extra: Partial<ControlResult> = {}): ControlResult {
  const c = CATALOG.find((x) => x.id === id)!;
  return {
    id,
    title: c.title,
    area: c.area,
    severity: c.severity,
    outcome,
    summary: `${id} ${outcome}`,
    verdicts: [],
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
    ...extra,
  };
}

function input(registry: ResultRegistry, extra: Partial<ReportInput> = {}): ReportInput {
  return { registry, startedAt: new Date(0), finishedAt: new Date(1000), command: 'npm test', versions: { node: '20' }, ...extra };
}

describe('report verdict', () => {
  it('is PASS only when every catalog control passed, warned or was waived', () => {
    const registry = new ResultRegistry();
    for (const c of CATALOG) registry.record(result(c.id, 'pass'));
    expect(runVerdict(input(registry)).verdict).toBe('PASS');
    registry.record(result('FN-06', 'skipped'));
    expect(runVerdict(input(registry))).toEqual({
      verdict: 'INCOMPLETE',
      reason: `1 of ${CATALOG.length} controls did not pass: 1 skipped`,
    });
    registry.record(result('DNS-03', 'fail'));
    expect(runVerdict(input(registry)).verdict).toBe('FAIL');
  });

  it('never counts a missing control as passed: not implemented, or not run when the run stopped early', () => {
    const registry = new ResultRegistry();
    registry.record(result('DNS-01', 'pass'));
    expect(runVerdict(input(registry)).reason).toContain(`${CATALOG.length - 1} not implemented`);
    registry.stoppedEarly = true;
    expect(runVerdict(input(registry, { interrupted: true, stoppedBy: 'SIGQUIT received' }))).toEqual({
      verdict: 'INTERRUPTED',
      reason: 'the run was interrupted (SIGQUIT received) before it finished',
    });
    expect(registry.counts()['not run']).toBe(CATALOG.length - 1);
    registry.record(result('DNS-03', 'fail'));
    expect(runVerdict(input(registry, { interrupted: true })).reason).toBe(
      'the run was interrupted before it finished; 1 control(s) had failed by then',
    );
  });
});

describe('writeReports', () => {
  it('writes markdown, JSON and JUnit with every secret masked, even inside evidence', () => {
    const registry = new ResultRegistry();
    registry.record(
      result('SEC-02', 'fail', {
        summary: `key ${SECRET} accepted`,
        verdicts: [{ outcome: 'fail', summary: 'x', evidence: [{ label: 'answer', detail: { token: SECRET } }] }],
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-report-'));
    const written = writeReports(input(registry), dir, [SECRET]);
    for (const path of Object.values(written)) {
      const text = readFileSync(path, 'utf8');
      expect(text).not.toContain(SECRET);
    }
    expect(readFileSync(written.markdown, 'utf8')).toContain('`SEC-02` Wrong API key refused: **FAIL**');
    expect(readFileSync(written.junit, 'utf8')).toContain('<failure message=');
    expect(JSON.parse(readFileSync(written.json, 'utf8')).verdict).toBe('FAIL');
  });
});
