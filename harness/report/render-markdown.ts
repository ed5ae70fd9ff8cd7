import { CATALOG, CHECKLIST } from '../controls/catalog.ts';
import type { ControlOutcome, ControlResult } from '../controls/control-result.ts';
import type { MissingResult } from './result-registry.ts';
import type { EvidenceItem } from '../checks/verdict.ts';
import { agentsTable, authenticationTable, performanceTable, spamScoreTable } from './render-fact-tables.ts';
import { CHARTS_DIR, renderArtifacts } from './render-artifacts.ts';
import type { Chart } from './report-charts.ts';
import { runVerdict, type ReportInput } from './report-input.ts';
import { renderChanges } from './run-changes.ts';
import { renderFixFirst } from './render-fix-first.ts';
import { renderSenderRequirements } from './sender-requirements.ts';
import { renderSignOffBlock } from './sign-off.ts';

const LABEL: Record<ControlOutcome | MissingResult, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  blocked: 'BLOCKED',
  skipped: 'SKIPPED',
  waived: 'WAIVED',
  error: 'ERROR',
  'not implemented': 'NOT IMPLEMENTED',
  'not run': 'NOT RUN',
};

const cell = (text: string | undefined): string => (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

/**
 * What the run cost the server under test: every message a control sent (or tried to), by control.
 * A live run is not read-only unless --read-only said so; this is where the reviewer sees it.
 */
export function renderMailSent(results: ControlResult[], options: ReportInput['options']): string[] {
  const senders = results.filter((r) => (r.messagesSent ?? 0) > 0);
  if (options?.readOnly) {
    const total = senders.reduce((sum, r) => sum + r.messagesSent!, 0);
    return [
      '## Mail sent by this run',
      '',
      total === 0
        ? 'None: `--read-only` — the controls that must send mail were skipped, each naming the flag.'
        : `--read-only was given, yet ${total} message(s) were sent: a defect in postal-qa, please report it.`,
      '',
    ];
  }
  if (senders.length === 0) return [];
  const total = senders.reduce((sum, r) => sum + r.messagesSent!, 0);
  return [
    '## Mail sent by this run',
    '',
    `${total} message(s) through the target, every one carrying this run's token in its subject (\`--read-only\` sends none).`,
    '',
    '| Control | Messages |',
    '|---|---|',
    ...senders.map((r) => `| ${r.id} ${cell(r.title)} | ${r.messagesSent} |`),
    '',
  ];
}

function outcomeOf(result: ControlResult | undefined, missing: MissingResult): ControlOutcome | MissingResult {
  return result ? result.outcome : missing;
}

function checklistLine(ids: string[], input: ReportInput): { box: string; status: string } {
  const outcomes = ids.map((id) => outcomeOf(input.registry.get(id), input.registry.missingLabel()));
  const passed = outcomes.every((o) => o === 'pass' || o === 'warn' || o === 'waived');
  const failed = outcomes.some((o) => o === 'fail' || o === 'error');
  const open = outcomes.filter((o) => !['pass', 'warn', 'waived', 'fail', 'error'].includes(o));
  const status = failed ? 'FAIL' : passed ? 'PASS' : `OPEN (${open.length} of ${ids.length} not passed)`;
  return { box: passed ? '[x]' : '[ ]', status };
}

function evidenceBlock(items: EvidenceItem[]): string {
  return items.map((e) => `- ${e.label}: \`${JSON.stringify(e.detail)}\``).join('\n');
}

/** `charts`: the SVGs write-reports.ts wrote under test-results/charts/, embedded by relative link. */
export function renderMarkdown(input: ReportInput, charts: Chart[] = []): string {
  const { registry, deployment, target, options } = input;
  const { verdict, reason } = runVerdict(input);
  const counts = registry.counts();
  const out: string[] = [];
  const seconds = ((input.finishedAt.getTime() - input.startedAt.getTime()) / 1000).toFixed(1);

  out.push(`# QA Test Report — ${deployment?.name ?? 'Postal deployment'}`, '');
  out.push(`**Verdict: ${verdict}** — ${reason}.`, '');
  if (input.configError) out.push(`> Configuration error: ${input.configError}`, '');
  if (input.interrupted) out.push('> The run was interrupted; the results below are what was gathered before it stopped.', '');
  // A failing report leads with what to fix: the reader should not scroll past tables to find it.
  out.push(...renderFixFirst(registry.all()));

  out.push('| | |', '|---|---|');
  out.push(`| Target | ${cell(target?.label ?? options?.env ?? 'not opened')} |`);
  if (deployment) {
    out.push(`| Domain | ${deployment.domain} |`);
    out.push(`| Mail server | ${deployment.server.mailHost} (${deployment.server.ip}) |`);
    out.push(`| Postal version expected | ${deployment.postal.version} |`);
  }
  out.push(`| Date | ${input.startedAt.toISOString()} (${seconds} s) |`);
  out.push(`| Command | \`${cell(input.command)}\` |`);
  out.push(
    `| Versions | ${cell(
      Object.entries(input.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    )} |`,
  );
  if (target?.components)
    out.push(
      `| Target runs | ${cell(
        Object.entries(target.components)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
      )} |`,
    );
  if (options?.onlyWords.length) out.push(`| Selection | --only=${options.onlyWords.join(',')} |`);
  out.push('');
  out.push(
    `Controls: ${counts.pass} passed, ${counts.fail} failed, ${counts.error} errors, ${counts.warn} warnings, ${counts.waived} waived, ${counts.blocked} blocked, ${counts.skipped} skipped, ${counts[registry.missingLabel()]} ${registry.missingLabel()} (of ${CATALOG.length}).`,
    '',
  );
  out.push(...renderChanges(input.previous?.run, input.previous?.problem, registry.all()));
  out.push(...renderArtifacts(input.artifacts, charts, input.containerLogs));

  out.push('## Success criteria', '');
  for (const item of CHECKLIST) {
    const ids = CATALOG.filter((c) => c.checklist === item.id).map((c) => c.id);
    const { box, status } = checklistLine(ids, input);
    out.push(`- ${box} **${item.text}** — ${status}`);
    for (const id of ids) {
      const result = registry.get(id);
      const definition = CATALOG.find((c) => c.id === id)!;
      const detail = result ? ` — ${result.reason ?? result.summary}` : '';
      out.push(`  - \`${id}\` ${definition.title}: **${LABEL[outcomeOf(result, registry.missingLabel())]}**${cell(detail)}`);
    }
  }
  out.push('- [x] **QA report generated** — this document, with evidence in `test-results/results.json`');
  out.push(`- [ ] **Sign-off** — see the end of this report`, '');

  const dnsRows = registry
    .all()
    .filter((r) => r.area === 'dns')
    .flatMap((r) => r.verdicts.filter((v) => v.expected || v.observed).map((v) => ({ r, v })));
  if (dnsRows.length > 0) {
    out.push('## DNS: expected vs observed', '');
    if (target && target.serverIp !== target.publicServerIp) {
      out.push(`In this target the server's public address ${target.publicServerIp} is played by ${target.serverIp}.`, '');
    }
    out.push('| Control | Check | Expected | Observed | Result |', '|---|---|---|---|---|');
    for (const { r, v } of dnsRows) {
      out.push(`| ${r.id} | ${cell(v.summary)} | ${cell(v.expected)} | ${cell(v.observed)} | ${v.outcome.toUpperCase()} |`);
    }
    out.push('');
  }

  out.push(...renderMailSent(registry.all(), input.options));
  if (deployment) out.push(...agentsTable(registry, deployment.agents));
  out.push(...authenticationTable(registry), ...spamScoreTable(registry), ...performanceTable(registry));
  if (charts.length > 0) {
    out.push('## Charts', '');
    for (const chart of charts) out.push(`![${chart.caption}](${CHARTS_DIR}/${chart.file})`, '');
  }
  out.push(...renderSenderRequirements(registry));

  const problems = registry.all().filter((r) => ['fail', 'error', 'warn'].includes(r.outcome));
  if (problems.length > 0) {
    out.push('## Failures and warnings', '');
    for (const r of problems) {
      out.push(`### ${r.id} ${r.title} — ${LABEL[r.outcome]}`, '', r.summary, '');
      if (r.remediation) out.push(`**Remediation:** ${r.remediation}`, '');
      for (const v of r.verdicts.filter((v) => v.outcome !== 'pass')) {
        out.push(`- ${v.outcome.toUpperCase()}: ${v.summary}${v.remediation ? ` → ${v.remediation}` : ''}`);
      }
      out.push('');
    }
  }

  const waiverNotes = registry.all().filter((r) => r.outcome === 'waived' || r.reason?.includes('waiver'));
  if (waiverNotes.length > 0) {
    out.push('## Waivers', '', '| Control | Outcome | Waiver |', '|---|---|---|');
    for (const r of waiverNotes) out.push(`| ${r.id} | ${LABEL[r.outcome]} | ${cell(r.reason)} |`);
    out.push('');
  }

  out.push('## Evidence', '');
  for (const r of registry.all()) {
    out.push(`<details><summary>${r.id} ${r.title} — ${LABEL[r.outcome]} (${r.durationMs} ms)</summary>`, '');
    out.push(r.reason ? `${r.summary} (${r.reason})` : r.summary, '');
    for (const v of r.verdicts) {
      out.push(`**${v.outcome.toUpperCase()}** ${v.summary}`, '', evidenceBlock(v.evidence), '');
    }
    out.push('</details>', '');
  }

  if (registry.notes.length > 0) {
    out.push('## Run notes', '', ...registry.notes.map((n) => `- ${n}`), '');
  }
  if (target?.limitations.length) {
    out.push('## Limitations of this target', '', ...target.limitations.map((l) => `- ${l}`), '');
  }

  out.push('## Sign-off', '');
  out.push(
    verdict === 'PASS'
      ? 'All success criteria were met by measurement. Go-live needs the signatures below.'
      : `Not ready for go-live: ${reason}.`,
    '',
  );
  out.push(...renderSignOffBlock(verdict, reason, undefined), '');
  out.push('| Role | Name | Decision | Date |', '|---|---|---|---|');
  out.push('| QA engineer | | | |', '| Lead engineer | | | |', '');
  return out.join('\n');
}
