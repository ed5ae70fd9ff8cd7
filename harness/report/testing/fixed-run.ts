/**
 * One fixed run — every control of the catalog with an outcome and the facts its report tables read —
 * for the renderers' golden tests. Nothing in it depends on the clock, the machine or a world.
 */
import { loadDeployment } from '../../../core/deployment/load-deployment.ts';
import { CATALOG } from '../../controls/catalog.ts';
import type { ControlResult } from '../../controls/control-result.ts';
import type { TargetDescriptor } from '../../targets/target.ts';
import type { ReportInput } from '../report-input.ts';
import { ResultRegistry } from '../result-registry.ts';

const deployment = loadDeployment(new URL('../../../fixtures/deployment.json', import.meta.url).pathname);
const agents = deployment.agents;

const FACTS: Record<string, Record<string, unknown>> = {
  'INF-05': {
    waitedMs: 812,
    routing: [
      ...agents.map((a) => ({
        address: a.address,
        expectedAgentId: a.id,
        arrivedAt: a.id === 'qa' ? [] : [a.id],
        error: a.id === 'qa' ? 'HardFail after 6 attempts: qa inbox answered 503' : undefined,
      })),
      { address: 'nobody-pqa0@mailgoat.ai', expectedAgentId: 'team', arrivedAt: ['team'] },
    ],
  },
  'INF-06': {
    keys: agents.map((a, i) => ({ agentId: a.id, keyFingerprint: `sha256:${String(i).padStart(12, '0')}`, outcome: 'authenticated' })),
  },
  'FN-01': {
    ring: agents.map((a, i) => ({ from: a.address, to: agents[(i + 1) % agents.length]!.address, found: true, elapsedMs: 400 + i * 10 })),
  },
  'FN-04': {
    authentication: [
      {
        provider: 'Gmail',
        recorded:
          'mx.gmail.test; spf=pass smtp.mailfrom=psrp.mailgoat.ai; dkim=pass header.d=mailgoat.ai; dmarc=pass header.from=mailgoat.ai',
        reverified: { spf: 'pass', dkim: ['pass d=mailgoat.ai s=postal-qpMdyI'], dmarc: 'pass' },
      },
      { provider: 'Outlook', recorded: 'no message' },
    ],
  },
  'FN-05': {
    formula: '10 − SpamAssassin points − fixed deductions',
    threshold: 8,
    spamScores: [
      {
        provider: 'Gmail',
        score: 9.1,
        spamAssassinScore: 0.9,
        deductions: [{ source: 'SpamAssassin', item: 'MISSING_MID', points: -0.9, description: 'Missing Message-Id: header | pipe kept' }],
      },
    ],
  },
  'PERF-01': {
    throughput: { paced: 12, sent: 120, errors: 0, elapsedMs: 9_950, achieved: 12.1, target: 10, durationSeconds: 10, capped: false },
  },
  'PERF-02': {
    latency: { samples: 5, samplesMs: [310, 420, 515, 640, 980], p50: 515, p95: 980, p99: 980, max: 980, targetP95: 10_000, lost: 0 },
  },
};

const OUTCOMES: Record<string, ControlResult['outcome']> = {
  'INF-05': 'fail',
  'FN-06': 'skipped',
  'FN-07': 'blocked',
  'DNS-05': 'warn',
  'SEC-01': 'waived',
};

export function fixedRun(): ReportInput {
  const registry = new ResultRegistry();
  CATALOG.forEach((c, i) => {
    const outcome = OUTCOMES[c.id] ?? 'pass';
    registry.record({
      id: c.id,
      title: c.title,
      area: c.area,
      severity: c.severity,
      outcome,
      summary: outcome === 'fail' ? 'mail to qa@mailgoat.ai reached no inbox (expected qa)' : `${c.id} ${outcome}`,
      reason:
        outcome === 'skipped'
          ? 'no MailGoat CLI configured: set MAILGOAT_CLI'
          : outcome === 'blocked'
            ? 'prerequisite INF-05 did not pass'
            : outcome === 'waived'
              ? 'waived until 2027-01-31: relay probe host under maintenance'
              : undefined,
      remediation: outcome === 'fail' ? "Check that qa's inbox endpoint answers 2xx" : undefined,
      verdicts: [
        {
          outcome: outcome === 'fail' ? 'fail' : 'pass',
          summary: `${c.id} checked`,
          evidence: [{ label: 'observed', detail: { control: c.id } }],
        },
      ],
      facts: FACTS[c.id],
      startedAt: new Date(Date.UTC(2026, 11, 1, 12, 0, i)).toISOString(),
      durationMs: 100 * (i + 1),
    });
  });
  const target = {
    env: 'embedded',
    label: 'embedded world on 127.0.0.0/24 (loopback replica of mail.mailgoat.ai)',
    components: { SpamAssassin: '4.0.1' },
    limitations: ['The world is a replica.'],
  } as unknown as TargetDescriptor;
  return {
    registry,
    startedAt: new Date(Date.UTC(2026, 11, 1, 12, 0, 0)),
    finishedAt: new Date(Date.UTC(2026, 11, 1, 12, 0, 31)),
    command: 'npm test --',
    versions: { 'postal-qa': '0.1.0', node: '20.20.2', vitest: '4.1.12', mailauth: '4.13.3' },
    deployment,
    target,
  };
}
