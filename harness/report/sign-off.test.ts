import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../controls/catalog.ts';
import type { ControlResult } from '../controls/control-result.ts';
import type { ReportInput } from './report-input.ts';
import { ResultRegistry } from './result-registry.ts';
import { signOff } from './sign-off-cli.ts';
import { parseSignOffs, refusal, reportSha256, sha256 } from './sign-off.ts';
import { writeReports } from './write-reports.ts';

function result(id: string, outcome: ControlResult['outcome']): ControlResult {
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
  };
}

/** A real report folder, written by writeReports from these outcomes (every other control passes). */
function reportFolder(outcomes: Record<string, ControlResult['outcome'] | 'missing'> = {}): string {
  const registry = new ResultRegistry();
  for (const c of CATALOG) {
    const outcome = outcomes[c.id] ?? 'pass';
    if (outcome !== 'missing') registry.record(result(c.id, outcome));
  }
  const input: ReportInput = { registry, startedAt: new Date(0), finishedAt: new Date(1000), command: 'npm test', versions: {} };
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-signoff-'));
  writeReports(input, dir, []);
  return dir;
}

const NOW = new Date('2026-03-02T10:00:00Z');

describe('npm run sign-off', () => {
  it('accepts a PASS report: appends a row with both hashes and marks the report signed, keeping its hash', () => {
    const dir = reportFolder({ 'FN-06': 'waived' });
    const report = readFileSync(join(dir, 'QA-TEST-REPORT.md'), 'utf8');
    expect(report).toContain('**Not signed off.**');
    const results = readFileSync(join(dir, 'test-results', 'results.json'), 'utf8');

    const outcome = signOff([`--by=Ada Lovelace`, `--report-dir=${dir}`], NOW);
    expect(outcome.code).toBe(0);
    const rows = parseSignOffs(readFileSync(join(dir, 'SIGN-OFF.md'), 'utf8'));
    expect(rows).toEqual([
      { date: '2026-03-02', by: 'Ada Lovelace', verdict: 'PASS', reportSha256: reportSha256(report), resultsSha256: sha256(results) },
    ]);

    const signed = readFileSync(join(dir, 'QA-TEST-REPORT.md'), 'utf8');
    expect(signed).toContain(
      `**Signed off by Ada Lovelace on 2026-03-02** for this report's hash (report sha256 \`${reportSha256(report)}\``,
    );
    expect(signed).not.toContain('Not signed off');
    // Writing the state into the report does not change what was signed.
    expect(reportSha256(signed)).toBe(rows[0]!.reportSha256);
    // A second approver appends a second row.
    expect(signOff([`--by=Grace Hopper`, `--report-dir=${dir}`], NOW).code).toBe(0);
    expect(parseSignOffs(readFileSync(join(dir, 'SIGN-OFF.md'), 'utf8')).map((r) => r.by)).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });

  it('refuses an INCOMPLETE report with exit 1 and one line, recording nothing', () => {
    const dir = reportFolder({ 'FN-06': 'skipped' });
    const outcome = signOff([`--by=Ada`, `--report-dir=${dir}`], NOW);
    expect(outcome).toEqual({
      code: 1,
      line: `refused: an INCOMPLETE report cannot be signed off: 1 of ${CATALOG.length} controls did not pass: 1 skipped`,
    });
    expect(() => readFileSync(join(dir, 'SIGN-OFF.md'))).toThrow();
    expect(readFileSync(join(dir, 'QA-TEST-REPORT.md'), 'utf8')).toContain('**Not signed off** — and it cannot be');
  });

  it('refuses a FAIL report, naming the controls that are neither passed nor waived', () => {
    const outcome = signOff([`--by=Ada`, `--report-dir=${reportFolder({ 'DNS-03': 'fail' })}`], NOW);
    expect(outcome.code).toBe(1);
    expect(outcome.line).toBe('refused: verdict FAIL: DNS-03 fail — sign-off needs every control passed or waived (fixtures/waivers.json)');
  });

  it('needs --by and a report (exit 2)', () => {
    expect(signOff([], NOW).code).toBe(2);
    expect(signOff(['--by=Ada', `--report-dir=${mkdtempSync(join(tmpdir(), 'postal-qa-empty-'))}`], NOW)).toMatchObject({
      code: 2,
      line: expect.stringMatching(/^no report in .*: run npm test first$/),
    });
  });
});

describe('refusal', () => {
  it('refuses controls without a result even when the file claims PASS', () => {
    expect(refusal({ verdict: 'PASS', controls: [{ id: 'DNS-01', outcome: 'pass' }], notImplemented: ['DNS-02'] })).toMatch(
      /1 control\(s\) have no result \(DNS-02\)/,
    );
    expect(
      refusal({
        verdict: 'PASS',
        controls: [
          { id: 'DNS-01', outcome: 'warn' },
          { id: 'DNS-02', outcome: 'waived' },
        ],
      }),
    ).toBeUndefined();
  });
});
