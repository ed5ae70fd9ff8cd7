/**
 * The DMARC summary as a person reads it (Markdown), as a program reads it (JSON), and the pass rate
 * over the monitor's history as an SVG chart. Pure: FN-08's facts and the history in, text out.
 */
import type { DmarcSummary, SourceSummary } from '../checks/dmarc-summary.ts';
import { renderLineChart } from '../report/svg-line-chart.ts';
import type { HistoryEntry } from './monitor-history.ts';

export type DmarcFacts = DmarcSummary & { rua: string[]; readFrom: string; windowDays: number; refused: string[]; duplicates: number };

const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 1000) / 10}%`);
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const counts = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '—';

const CLASS_WORDS: Record<SourceSummary['class'], string> = {
  deployment: 'the server',
  'authorised-outside': '**not in the deployment, authorised by SPF** (a forgotten sender?)',
  'spoofed-delivered': '**not in the deployment, failed DMARC, delivered** (spoofing?)',
  'spoofed-blocked': 'not in the deployment, failed DMARC, stopped by the policy',
  forwarded: "forwarded (the domain's DKIM signature survived)",
};

export function renderDmarcMarkdown(facts: DmarcFacts, outcome: string, verdictSummary: string): string[] {
  const out = [`# DMARC aggregate reports for ${facts.domain}`, ''];
  out.push(`FN-08 **${outcome.toUpperCase()}** — ${cell(verdictSummary)}`, '');
  out.push(
    `Read from ${facts.readFrom} (rua: ${facts.rua.join(', ') || 'none'}); reports whose period ended in the last ${facts.windowDays} days: ${facts.reports} (${facts.duplicates} duplicate${facts.duplicates === 1 ? '' : 's'} dropped), ${facts.begin ?? '—'} to ${facts.end ?? '—'}.`,
    '',
  );
  out.push(
    `Messages: ${facts.messages}; DMARC pass ${pct(facts.dmarcPass, facts.messages)}. The server (${facts.deploymentIps.join(', ')}): ${facts.deploymentMessages} messages, SPF and DKIM aligned in ${pct(facts.deploymentPass, facts.deploymentMessages)}.`,
    '',
  );
  out.push(
    '## Per reporting organisation',
    '',
    '| reporter | reports | messages | DMARC pass | SPF aligned | DKIM aligned | disposition | sources | period |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of facts.reporters) {
    out.push(
      `| ${cell(r.org)}${r.email ? ` (${cell(r.email)})` : ''} | ${r.reports} | ${r.messages} | ${pct(r.dmarcPass, r.messages)} | ${pct(r.spfAligned, r.messages)} | ${pct(r.dkimAligned, r.messages)} | ${counts(r.dispositions)} | ${r.sources} | ${r.begin} – ${r.end} |`,
    );
  }
  out.push(
    '',
    '## Per source IP',
    '',
    '| source | what it is | messages | reporters | header From | envelope From | SPF | DKIM | SPF aligned | DKIM aligned | DMARC pass | disposition |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of facts.sources) {
    out.push(
      `| ${s.ip} | ${CLASS_WORDS[s.class]} | ${s.messages} | ${cell(s.reporters.join(', '))} | ${cell(s.headerFrom.join(', '))} | ${cell(s.envelopeFrom.join(', '))} | ${counts(s.spf)} | ${counts(s.dkim)} | ${pct(s.spfAligned, s.messages)} | ${pct(s.dkimAligned, s.messages)} | ${pct(s.dmarcPass, s.messages)} | ${counts(s.dispositions)} |`,
    );
  }
  out.push('', '## Per day', '', "| day | messages | DMARC pass | the server's messages | the server aligned |", '|---|---|---|---|---|');
  for (const d of facts.days)
    out.push(
      `| ${d.day} | ${d.messages} | ${pct(d.dmarcPass, d.messages)} | ${d.deploymentMessages} | ${pct(d.deploymentPass, d.deploymentMessages)} |`,
    );
  out.push('', `## Refused (${facts.refused.length})`, '');
  out.push(...(facts.refused.length ? facts.refused.map((line) => `- ${cell(line)}`) : ['Every report that arrived was read.']));
  out.push('');
  return out;
}

/** Pass rate per monitor run: all mail as the domain, and the server's own. */
export function renderPassRateChart(history: HistoryEntry[]): string {
  const withDmarc = history.filter((h) => h.dmarc && h.dmarc.messages > 0);
  return renderLineChart(
    [
      {
        label: 'the server aligned (SPF and DKIM)',
        color: '#2e7d32',
        points: withDmarc
          .filter((h) => h.dmarc!.deploymentMessages > 0)
          .map((h) => ({ x: Date.parse(h.at), y: h.dmarc!.deploymentPassRate * 100, note: `${h.dmarc!.deploymentMessages} messages` })),
      },
      {
        label: 'all mail as the domain (DMARC pass)',
        color: '#4a78c2',
        points: withDmarc.map((h) => ({
          x: Date.parse(h.at),
          y: h.dmarc!.passRate * 100,
          note: `${h.dmarc!.messages} messages, ${h.dmarc!.reports} reports`,
        })),
      },
    ],
    {
      title: `DMARC pass rate over ${withDmarc.length} monitor run${withDmarc.length === 1 ? '' : 's'}`,
      yLabel: 'pass rate',
      yMax: 100,
      unit: '%',
    },
  );
}
