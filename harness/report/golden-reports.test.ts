/**
 * Golden files for every renderer, from one fixed run: a change to what a reviewer reads shows up as
 * a diff of these files in review (update them with `npx vitest run --config vitest.unit.config.ts harness/report/golden-reports.test.ts --update`; `-u` before the file takes the file as its value and runs every test).
 */
import { describe, expect, it } from 'vitest';
import { agentsTable, authenticationTable, performanceTable, spamScoreTable } from './render-fact-tables.ts';
import { renderJson } from './render-json.ts';
import { renderJunit } from './render-junit.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderSenderRequirements } from './sender-requirements.ts';
import { fixedRun } from './testing/fixed-run.ts';

const run = fixedRun();

describe('report renderers against the golden files', () => {
  it('QA-TEST-REPORT.md', async () => {
    await expect(renderMarkdown(run)).toMatchFileSnapshot('./golden/QA-TEST-REPORT.md');
  });

  it('results.json', async () => {
    await expect(renderJson(run)).toMatchFileSnapshot('./golden/results.json');
  });

  it('junit.xml', async () => {
    await expect(renderJunit(run)).toMatchFileSnapshot('./golden/junit.xml');
  });

  it('the fact tables a reviewer reads first', async () => {
    const tables = [
      ...agentsTable(run.registry, run.deployment!.agents),
      ...authenticationTable(run.registry),
      ...spamScoreTable(run.registry),
      ...performanceTable(run.registry),
      ...renderSenderRequirements(run.registry),
    ].join('\n');
    await expect(tables).toMatchFileSnapshot('./golden/fact-tables.md');
    // The facts that must be visible whatever the layout: a lost route, a masked key, a deduction, a percentile.
    expect(tables).toContain('| qa | qa@mailgoat.ai | not delivered (HardFail after 6 attempts: qa inbox answered 503)');
    expect(tables).toContain('| Outlook | — | — | — | no message |');
    expect(tables).toContain('| SpamAssassin | MISSING_MID | -0.9 | Missing Message-Id: header \\| pipe kept |');
    expect(tables).toContain('| 5 | 515 ms | 980 ms | 980 ms | 980 ms | 10000 ms | 0 |');
  });
});
