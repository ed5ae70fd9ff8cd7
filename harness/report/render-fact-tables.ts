/**
 * The report's tables a reviewer reads first — agents, authentication per provider, spam score,
 * throughput and latency — built from the facts the controls recorded. A table whose control did
 * not run says so instead of disappearing.
 */
import type { ControlResult } from '../controls/control-result.ts';
import type { ResultRegistry } from './result-registry.ts';
import { textOf } from '../../core/text-of.ts';

const cell = (text: unknown): string => textOf(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

function facts<T>(registry: ResultRegistry, id: string, key: string): { result?: ControlResult; value?: T } {
  const result = registry.get(id);
  return { result, value: result?.facts?.[key] as T | undefined };
}

function missing(id: string, result: ControlResult | undefined): string {
  return `_${id} ${result ? `${result.outcome}: ${result.reason ?? result.summary}` : 'did not run'}._`;
}

interface RoutingRow {
  address: string;
  expectedAgentId: string;
  arrivedAt: string[];
  error?: string;
}
interface KeyRow {
  agentId: string;
  keyFingerprint: string;
  outcome: string;
}
interface RingRow {
  from: string;
  to: string;
  found: boolean;
  elapsedMs?: number;
}

export function agentsTable(registry: ResultRegistry, agents: Array<{ id: string; address: string }>): string[] {
  const routing = facts<RoutingRow[]>(registry, 'INF-05', 'routing');
  const keys = facts<KeyRow[]>(registry, 'INF-06', 'keys');
  const ring = facts<RingRow[]>(registry, 'FN-01', 'ring');
  const out = [
    '## The agents',
    '',
    '| Agent | Address | Route (INF-05) | API key (INF-06) | Sent (FN-01) | Received (FN-01) | Latency |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const agent of agents) {
    const route = routing.value?.find((r) => r.address === agent.address);
    const key = keys.value?.find((k) => k.agentId === agent.id);
    const sent = ring.value?.find((r) => r.from === agent.address);
    const received = ring.value?.find((r) => r.to === agent.address);
    out.push(
      `| ${agent.id} | ${agent.address} | ${route ? (route.arrivedAt.length ? `→ ${route.arrivedAt.join(', ')} inbox` : `not delivered${route.error ? ` (${cell(route.error)})` : ''}`) : '—'} | ${key ? `${key.keyFingerprint} ${key.outcome}` : '—'} | ${sent ? (sent.found ? 'delivered' : 'lost') : '—'} | ${received ? (received.found ? 'yes' : 'no') : '—'} | ${received?.elapsedMs !== undefined ? `${received.elapsedMs} ms` : '—'} |`,
    );
  }
  const catchAll = routing.value?.find((r) => !agents.some((a) => a.address === r.address));
  if (catchAll)
    out.push(
      '',
      `Unknown address ${catchAll.address} → ${catchAll.arrivedAt.length ? `${catchAll.arrivedAt.join(', ')} inbox` : 'not delivered'} (catch-all: ${catchAll.expectedAgentId}).`,
    );
  for (const [id, f] of [
    ['INF-05', routing],
    ['INF-06', keys],
    ['FN-01', ring],
  ] as const)
    if (!f.value) out.push('', missing(id, f.result));
  out.push(
    '',
    'API keys are shown as fingerprints (first 12 hex digits of their SHA-256); the keys themselves are in postal-api-keys.txt only.',
    '',
  );
  return out;
}

interface AuthRow {
  provider: string;
  recorded: string;
  reverified?: { spf: string; dkim: string[]; dmarc: string };
}

export function authenticationTable(registry: ResultRegistry): string[] {
  const auth = facts<AuthRow[]>(registry, 'FN-04', 'authentication');
  const out = ['## Authentication at the providers (FN-04)', ''];
  if (!auth.value) return [...out, missing('FN-04', auth.result), ''];
  out.push(
    '| Provider | Re-verified SPF | Re-verified DKIM | Re-verified DMARC | Authentication-Results as the provider recorded it |',
    '|---|---|---|---|---|',
  );
  for (const row of auth.value) {
    out.push(
      `| ${row.provider} | ${row.reverified?.spf ?? '—'} | ${cell(row.reverified?.dkim.join('; ') ?? '—')} | ${row.reverified?.dmarc ?? '—'} | ${cell(row.recorded)} |`,
    );
  }
  return [...out, ''];
}

interface SpamRow {
  provider: string;
  score: number;
  spamAssassinScore: number;
  deductions: Array<{ source: string; item: string; points: number; description: string }>;
}
interface MailTesterFacts {
  address: string;
  reportUrl: string;
  score?: number;
  shown?: string;
  state?: string;
  deductions?: Array<{ path: string; title: string; points: number }>;
  rules?: Array<{ code: string; score: number; description: string }>;
}

function mailTesterRows(m: MailTesterFacts): string[] {
  if (m.score === undefined)
    return [`**mail-tester: no score** (${m.state ?? 'unread'}; sent to ${m.address}, report ${m.reportUrl}).`, ''];
  const out = [
    `**mail-tester: ${m.score}/10**${m.shown && m.shown !== `${m.score}/10` ? ` (shown as ${m.shown})` : ''}, sent to ${m.address}; report: ${m.reportUrl}`,
    '',
  ];
  if (m.deductions?.length) {
    out.push('| Test | Points | What mail-tester says |', '|---|---|---|');
    for (const d of m.deductions) out.push(`| ${d.path} | ${d.points} | ${cell(d.title)} |`);
    out.push('');
  } else out.push('mail-tester took nothing off.', '');
  if (m.rules?.length)
    out.push(
      `SpamAssassin rules mail-tester lists: ${m.rules.map((r) => `${r.code} ${r.score > 0 ? '+' : ''}${r.score}`).join(', ')}.`,
      '',
    );
  return out;
}

export function spamScoreTable(registry: ResultRegistry): string[] {
  const spam = facts<SpamRow[]>(registry, 'FN-05', 'spamScores');
  const out = ['## Spam score (FN-05)', ''];
  if (!spam.value) return [...out, missing('FN-05', spam.result), ''];
  const result = spam.result!;
  const mailTester = result.facts?.mailTester as MailTesterFacts | undefined;
  if (mailTester) {
    out.push("Judged by mail-tester's own score (its JSON API).", '', ...mailTesterRows(mailTester));
    out.push('Estimate from the seed copies with the formula (shown, not judged):', '');
    if (typeof result.facts?.estimateNote === 'string') out.push(`No estimate: ${cell(result.facts.estimateNote)}.`, '');
  }
  out.push(`Formula: ${textOf(result.facts?.formula)}. Threshold: ${textOf(result.facts?.threshold)}/10.`, '');
  for (const row of spam.value) {
    out.push(`**${row.provider}: ${row.score}/10** (SpamAssassin ${row.spamAssassinScore} points)`, '');
    if (row.deductions.length === 0) {
      out.push('No deductions.', '');
      continue;
    }
    out.push('| Source | Item | Points | Why |', '|---|---|---|---|');
    for (const d of row.deductions)
      out.push(`| ${d.source} | ${d.item} | ${d.points > 0 ? '+' : ''}${d.points} | ${cell(d.description)} |`);
    out.push('');
  }
  return out;
}

interface ThroughputFacts {
  sent: number;
  errors: number;
  elapsedMs: number;
  achieved: number;
  target: number;
  durationSeconds: number;
  paced: number;
  capped: boolean;
}
interface LatencyFacts {
  samples: number;
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
  targetP95?: number;
  lost: number;
}

export function performanceTable(registry: ResultRegistry): string[] {
  const throughput = facts<ThroughputFacts>(registry, 'PERF-01', 'throughput');
  const latency = facts<LatencyFacts>(registry, 'PERF-02', 'latency');
  const out = ['## Throughput and latency (PERF-01, PERF-02)', ''];
  if (throughput.value) {
    const t = throughput.value;
    out.push(
      `Throughput: **${t.achieved} messages/s** sustained for ${(t.elapsedMs / 1000).toFixed(1)} s (${t.sent} sent, ${t.errors} errors; target ${t.target}/s for ${t.durationSeconds} s, paced at ${t.paced}/s${t.capped ? ', capped by --max-messages' : ''}).`,
      '',
    );
  } else out.push(missing('PERF-01', throughput.result), '');
  if (latency.value && latency.value.samples > 0) {
    const l = latency.value;
    out.push('| Samples | p50 | p95 | p99 | max | target p95 | lost |', '|---|---|---|---|---|---|---|');
    out.push(`| ${l.samples} | ${l.p50} ms | ${l.p95} ms | ${l.p99} ms | ${l.max} ms | ${l.targetP95} ms | ${l.lost} |`, '');
  } else out.push(missing('PERF-02', latency.result), '');
  return out;
}
