/**
 * Functionality — internal and external delivery, inbox placement, SPF/DKIM/DMARC, spam score,
 * the MailGoat CLI and mail from outside. Every message carries the run token.
 */
import { describe } from 'vitest';
import { checkAuthenticationResults } from '../harness/checks/authentication-results-check.ts';
import { checkCliContract } from '../harness/checks/cli-contract-check.ts';
import { checkDomainSignature } from '../harness/checks/domain-signature-check.ts';
import { checkInboxPlacement } from '../harness/checks/inbox-placement-check.ts';
import { checkMessageDelivery } from '../harness/checks/message-delivery-check.ts';
import { checkMailTesterReport } from '../harness/checks/mail-tester-report-check.ts';
import { checkSpamScore, mailTesterScore, SPAM_SCORE_FORMULA } from '../harness/checks/spam-score-check.ts';
import type { Verdict } from '../harness/checks/verdict.ts';
import type { Probes } from '../harness/probes/probes.ts';
import { fail } from '../harness/checks/findings.ts';
import { control, priorOutcome } from '../harness/runner/control.ts';
import { checkDmarcReports } from '../harness/checks/dmarc-report-check.ts';
import { ruaAddressesOf } from '../harness/checks/rua-check.ts';
import type { AggregateReport } from '../harness/dmarc/aggregate-report.ts';
import { postalSelectorOf } from '../harness/targets/postal-selector.ts';
import { probeBody, probeSubject } from '../harness/messages/probe-message.ts';
import { asDeliveryInput } from '../harness/probes/mail-flow-probe.ts';
import { authenticationOf, seedDeliveryInput } from '../harness/probes/seed-mailbox-probe.ts';
import { spamScoreInput } from '../harness/probes/spam-score-input.ts';

/** FN-08 judges the reports whose period ended this recently (receivers report daily). */
const REPORT_WINDOW_DAYS = 7;

describe('Mail flow', () => {
  control('FN-01', async ({ probes, deployment, run }) => {
    // A ring: every agent sends to the next, so each address sends once and receives once.
    const agents = deployment.agents;
    const ring = agents.map((from, i) => ({ from, to: agents[(i + 1) % agents.length]!, id: `ring-${i + 1}-of-${agents.length}` }));
    const messages = ring.map(({ from, to, id }) => ({ id, fromAgentId: from.id, to: to.address, toAgentId: to.id, subject: probeSubject(run.runToken, `FN-01 ${id} ${from.id} to ${to.id}`), body: probeBody(run.runToken, id) }));
    const observed = await probes.mail.sendAsAgents(messages);
    const input = asDeliveryInput(observed);
    return {
      verdicts: [checkMessageDelivery(input)],
      facts: { ring: ring.map((r, i) => ({ from: r.from.address, to: r.to.address, found: input.observed[i]!.found, elapsedMs: input.observed[i]!.elapsedMs })) },
    };
  });

  control('FN-02', async ({ probes }) => ({ verdicts: [checkMessageDelivery(seedDeliveryInput(await probes.seeds.deliveries()))] }));

  control('FN-03', async ({ probes }) => {
    const deliveries = await probes.seeds.deliveries();
    return { verdicts: [checkInboxPlacement(deliveries.map((d) => ({ provider: d.seed.provider, mailbox: d.found?.placement ?? 'missing' })))] };
  });

  control('FN-04', async ({ probes, deployment, target }) => {
    const deliveries = await probes.seeds.deliveries();
    const postalSelector = postalSelectorOf(target, deployment);
    const expected = postalSelector.learnt ? { expectedSelector: postalSelector.selector } : {};
    const verdicts = deliveries.flatMap((d) => {
      const { fromDomain, recorded, reverify } = authenticationOf(d);
      const provider = d.seed.provider;
      return [
        checkAuthenticationResults({ provider, authenticationResults: recorded, reverify, fromDomain }),
        checkDomainSignature({ provider, fromDomain, ...expected, dkimIdentifier: deployment.postal.dkimIdentifier, signatures: reverify.dkim }),
      ];
    });
    const authentication = deliveries.map((d) => ({ provider: d.seed.provider, recorded: d.reverified?.authenticationResults ?? 'no message', reverified: d.reverified && { spf: d.reverified.spf.result, dkim: d.reverified.dkim.map((k) => `${k.result} d=${k.domain} s=${k.selector ?? '?'}`), dmarc: d.reverified.dmarc.result } }));
    return { verdicts, facts: { authentication, selectorSource: postalSelector.source } };
  });

  control('FN-05', async ({ probes, deployment }) => {
    const threshold = deployment.thresholds.spamScoreMin;
    const formula = { formula: SPAM_SCORE_FORMULA, threshold };
    if (probes.mailTester.configured) {
      // mail-tester's own mark decides; the formula on the seed copies is shown beside it as an estimate.
      const observation = await probes.mailTester.observe();
      const estimate = await seedEstimates(probes, threshold).catch((error: Error) => ({ verdicts: [], scores: [], note: error.message }));
      const report = observation.report;
      return {
        verdicts: [checkMailTesterReport(observation, threshold)],
        facts: {
          ...formula,
          mailTester: { address: observation.address, reportUrl: observation.reportUrl, ...(report?.state === 'ready' ? { score: report.score, shown: report.shown, deductions: report.deductions, rules: report.rules } : { state: report?.state ?? 'unread' }) },
          spamScores: estimate.scores,
          ...('note' in estimate ? { estimateNote: estimate.note } : {}),
        },
      };
    }
    const { verdicts, scores } = await seedEstimates(probes, threshold);
    return { verdicts, facts: { ...formula, spamScores: scores } };
  });

  control('FN-06', async ({ probes }) => {
    const outcome = checkCliContract(await probes.cli.runContract());
    return outcome.skipped ? { verdicts: [], skip: outcome.reason } : { verdicts: [outcome.verdict] };
  });

  control('FN-07', async ({ probes, deployment, run }) => {
    const recipient = deployment.agents.find((a) => a.id !== deployment.catchAll) ?? deployment.agents[0]!;
    const id = `outside-to-${recipient.id}`;
    const observed = await probes.mail.sendFromOutside({ id, to: recipient.address, toAgentId: recipient.id, subject: probeSubject(run.runToken, `FN-07 ${id}`), body: probeBody(run.runToken, id) });
    return { verdicts: [checkMessageDelivery(asDeliveryInput(observed))], facts: { submission: observed.submission } };
  });
});

/** FN-05's formula (core/spam/spam-score-formula.ts) on each seed's copy: the verdict without mail-tester, an estimate beside it. */
async function seedEstimates(probes: Probes, threshold: number): Promise<{ verdicts: Verdict[]; scores: Array<Record<string, unknown>> }> {
  const verdicts: Verdict[] = [];
  const scores: Array<Record<string, unknown>> = [];
  for (const d of await probes.seeds.deliveries()) {
    if (!d.found || !d.reverified) {
      verdicts.push({ ...fail(`${d.seed.provider}: no message arrived to score`, 'Fix delivery first (see FN-02).'), evidence: [{ label: 'delivery', detail: d.apiError ?? d.readerError ?? 'not found in INBOX or Junk before the deadline' }] });
      continue;
    }
    const ip = d.reverified.envelope.ip ?? '';
    const input = spamScoreInput(d.reverified, await probes.seeds.spamScore(d.found.raw), await probes.seeds.forwardConfirmed(ip), threshold, ip !== '' && (await probes.blocklists.listsIp(ip)));
    const scored = checkSpamScore(input);
    verdicts.push({ ...scored, summary: `${d.seed.provider}: ${scored.summary}` });
    scores.push({ provider: d.seed.provider, ...mailTesterScore(input), spamAssassinScore: input.spamAssassin.score });
  }
  return { verdicts, scores };
}

describe('DMARC aggregate reports', () => {
  control('FN-08', async ({ probes, deployment, target, run }) => {
    const dmarc = (await probes.dns.query(`_dmarc.${deployment.domain}`, 'TXT')).answers.find((a) => /^v=DMARC1/i.test(a.trim()));
    const rua = ruaAddressesOf(dmarc);
    // When this run's seed mail left, wait (DMARC_REPORTS_WAIT_S) for every seed provider's report on it.
    const since = Date.parse(run.startedAt ?? new Date().toISOString());
    const providers = new Set(target.seeds.map((s) => s.provider)).size;
    const covering = (reports: AggregateReport[]) => new Set(reports.filter((r) => Date.parse(r.end) >= since && r.records.some((x) => x.sourceIp === target.serverIp)).map((r) => r.orgName)).size;
    const seedsSent = priorOutcome(run, 'FN-02') === 'pass';
    const read = await probes.dmarc.reportsUntil(rua, (r) => !seedsSent || covering(r.reports) >= providers);
    const recent = read.reports.filter((r) => Date.parse(r.end) >= Date.now() - REPORT_WINDOW_DAYS * 86_400_000);
    const where = probes.dmarc.sources().join('; ') || 'no report source: set INBOX_LIST_URLS/COMMAND, DMARC_REPORTS_IMAP or DMARC_REPORTS_DIR';
    if (recent.length === 0 && read.refused.length === 0) {
      return { verdicts: [], skip: `no DMARC aggregate report for ${deployment.domain} has arrived in the last ${REPORT_WINDOW_DAYS} days (read from ${where}); receivers send them once a day` };
    }
    const { verdict, summary } = checkDmarcReports({ domain: deployment.domain, deploymentIps: [target.serverIp], reports: recent, refused: read.refused });
    return { verdicts: [verdict], facts: { dmarcReports: { ...summary, rua, readFrom: where, windowDays: REPORT_WINDOW_DAYS, refused: read.refused, duplicates: read.duplicates, waitedMs: read.waitedMs } } };
  });
});
