/**
 * Functionality — internal and external delivery, inbox placement, SPF/DKIM/DMARC, spam score,
 * the MailGoat CLI and mail from outside. Every message carries the run token.
 */
import { describe } from 'vitest';
import { checkAuthenticationResults } from '../harness/checks/authentication-results-check.ts';
import { checkCliContract } from '../harness/checks/cli-contract-check.ts';
import { checkDomainSignature } from '../harness/checks/domain-signature-check.ts';
import { checkInboxPlacement } from '../harness/checks/inbox-placement-check.ts';
import { checkMailHostIdentity, receivedShowsTls } from '../harness/checks/mail-host-identity-check.ts';
import { checkMessageDelivery } from '../harness/checks/message-delivery-check.ts';
import { checkMessageHeaders } from '../harness/checks/message-headers-check.ts';
import { checkSignatureHygiene } from '../harness/checks/signature-hygiene-check.ts';
import { fieldCounts, headerFields, hopFrom } from '../harness/clients/header-fields.ts';
import { checkMailTesterReport } from '../harness/checks/mail-tester-report-check.ts';
import { checkSpamScore, mailTesterScore, SPAM_SCORE_FORMULA } from '../harness/checks/spam-score-check.ts';
import type { Verdict } from '../harness/checks/verdict.ts';
import type { Probes } from '../harness/probes/probes.ts';
import { fail, verdictFrom, warn } from '../harness/checks/findings.ts';
import { control, priorOutcome } from '../harness/runner/control.ts';
import { checkDmarcReports } from '../harness/checks/dmarc-report-check.ts';
import { ruaAddressesOf } from '../harness/checks/rua-check.ts';
import type { AggregateReport } from '../harness/dmarc/aggregate-report.ts';
import { postalSelectorOf } from '../harness/targets/postal-selector.ts';
import { probeMessage } from '../harness/messages/probe-message.ts';
import { asDeliveryInput } from '../harness/probes/mail-flow-probe.ts';
import { authenticationOf, seedDeliveryInput, type SeedDelivery } from '../harness/probes/seed-mailbox-probe.ts';
import { spamScoreInput } from '../harness/probes/spam-score-input.ts';

/** FN-08 judges the reports whose period ended this recently (receivers report daily). */
const REPORT_WINDOW_DAYS = 7;

describe('Mail flow', () => {
  // After the infrastructure, DNS and security controls have ended: its near-limit message keeps the embedded
  // stand-in's one thread busy for seconds, which their 2 s DNS and connect budgets must not pay for.
  control(
    'FN-01',
    async ({ probes, deployment, run }) => {
      // A ring: every agent sends to the next, so each address sends once and receives once.
      const agents = deployment.agents;
      const ring = agents.map((from, i) => ({ from, to: agents[(i + 1) % agents.length]!, id: `ring-${i + 1}-of-${agents.length}` }));
      // The agents' kind of mail; the first one also near the deployment's message size limit (Postal's own MX enforces it).
      const nearLimitMb = deployment.thresholds.messageSizeMb;
      const messages = ring.map(({ from, to, id }, i) => ({
        id,
        fromAgentId: from.id,
        to: to.address,
        toAgentId: to.id,
        content: probeMessage(run.runToken, `FN-01 ${id} ${from.id} to ${to.id}`, i === 0 ? { nearLimitMb } : {}),
      }));
      const observed = await probes.mail.sendAsAgents(messages);
      const input = asDeliveryInput(observed);
      return {
        verdicts: [checkMessageDelivery(input)],
        facts: {
          ring: ring.map((r, i) => ({
            from: r.from.address,
            to: r.to.address,
            found: observed.fates[i]!.arrivals.some((a) => a.agentId === r.to.id),
            elapsedMs: observed.fates[i]!.arrivals[0]?.elapsedMs,
          })),
          nearLimit: {
            messageSizeMb: nearLimitMb,
            attachmentBytes: messages[0]!.content.attachments.reduce((n, a) => n + a.content.length, 0),
          },
        },
      };
    },
    { after: ['infrastructure', 'dns', 'security'] },
  );

  control('FN-02', async ({ probes, target }) => {
    const deliveries = await probes.seeds.deliveries();
    const arrived = deliveries.filter((d) => d.found);
    const identity = await probes.smtp.identity();
    const offered = new Map<string, boolean | undefined>();
    for (const d of arrived) {
      const domain = d.seed.address.split('@')[1]!;
      if (!offered.has(domain)) offered.set(domain, await probes.smtp.offersStarttls(domain));
    }
    const hops = arrived.map((d) => {
      const hop = hopFrom(headerFields(d.found!.raw), target.serverIp);
      return {
        copy: copyName(d),
        helo: hop.helo,
        tls: hop.line ? receivedShowsTls(hop.line) : undefined,
        offered: offered.get(d.seed.address.split('@')[1]!),
      };
    });
    const untried = probes.seeds.untried();
    return {
      verdicts: [
        checkMessageDelivery(seedDeliveryInput(deliveries)),
        ...arrived.map((d) => checkMessageHeaders({ copy: copyName(d), counts: fieldCounts(headerFields(d.found!.raw)) })),
        checkMailHostIdentity({
          mailHost: target.mailHost,
          ptrNames: await probes.seeds.reverseNames(target.serverIp).catch(() => []),
          banner: identity.banner,
          heloAnswer: identity.heloAnswer,
          hops,
        }),
        ...untried.map((u) =>
          verdictFrom({
            findings: [
              warn(
                u.reason,
                "Set POSTAL_SMTP_CREDENTIAL to an SMTP credential key of the mail server, so the agents' SMTP path is checked too",
              ),
            ],
            passSummary: '',
            evidence: [],
          }),
        ),
      ],
      facts: {
        paths: deliveries.map((d) => ({
          provider: d.seed.provider,
          path: d.path,
          arrived: Boolean(d.found),
          placement: d.found?.placement ?? null,
        })),
      },
    };
  });

  control('FN-03', async ({ probes }) => {
    const deliveries = await probes.seeds.deliveries();
    return {
      verdicts: [
        checkInboxPlacement(
          deliveries.filter((d) => !d.send.error).map((d) => ({ provider: copyName(d), mailbox: d.found?.placement ?? 'missing' })),
        ),
      ],
    };
  });

  control('FN-04', async ({ probes, deployment, target }) => {
    const deliveries = await probes.seeds.deliveries();
    const postalSelector = postalSelectorOf(target, deployment);
    const expected = postalSelector.learnt ? { expectedSelector: postalSelector.selector } : {};
    const verdicts = deliveries
      .filter((d) => !d.send.error)
      .flatMap((d) => {
        const { fromDomain, recorded, reverify } = authenticationOf(d);
        const provider = copyName(d);
        const fields = d.found ? headerFields(d.found.raw) : [];
        return [
          checkAuthenticationResults({ provider, authenticationResults: recorded, reverify, fromDomain }),
          checkDomainSignature({
            provider,
            fromDomain,
            ...expected,
            dkimIdentifier: deployment.postal.dkimIdentifier,
            signatures: reverify.dkim,
          }),
          ...(d.found
            ? [
                checkSignatureHygiene({
                  copy: provider,
                  signatures: fields.filter((f) => f.name === 'dkim-signature').map((f) => f.value),
                  receivedAtMs: hopFrom(fields, probes.target.serverIp).atMs,
                  present: [...new Set(fields.map((f) => f.name))],
                }),
              ]
            : []),
        ];
      });
    const authentication = deliveries.map((d) => ({
      provider: copyName(d),
      recorded: d.reverified?.authenticationResults ?? 'no message',
      reverified: d.reverified && {
        spf: d.reverified.spf.result,
        dkim: d.reverified.dkim.map((k) => `${k.result} d=${k.domain} s=${k.selector ?? '?'}`),
        dmarc: d.reverified.dmarc.result,
      },
    }));
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
          mailTester: {
            address: observation.address,
            reportUrl: observation.reportUrl,
            ...(report?.state === 'ready'
              ? { score: report.score, shown: report.shown, deductions: report.deductions, rules: report.rules }
              : { state: report?.state ?? 'unread' }),
          },
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
    const observed = await probes.mail.sendFromOutside({
      id,
      to: recipient.address,
      toAgentId: recipient.id,
      content: probeMessage(run.runToken, `FN-07 ${id}`),
    });
    return { verdicts: [checkMessageDelivery(asDeliveryInput(observed))], facts: { submission: observed.submission } };
  });
});

/** FN-05's formula (core/spam/spam-score-formula.ts) on each seed's copy: the verdict without mail-tester, an estimate beside it. */
async function seedEstimates(probes: Probes, threshold: number): Promise<{ verdicts: Verdict[]; scores: Array<Record<string, unknown>> }> {
  const verdicts: Verdict[] = [];
  const scores: Array<Record<string, unknown>> = [];
  // mail-tester's kind of score on the API path's copies (the other paths carry the same content).
  for (const d of (await probes.seeds.deliveries()).filter((s) => s.path === 'send/message')) {
    if (!d.found || !d.reverified) {
      verdicts.push({
        ...fail(`${d.seed.provider}: no message arrived to score`, 'Fix delivery first (see FN-02).'),
        evidence: [{ label: 'delivery', detail: d.send.error ?? d.readerError ?? 'not found in INBOX or Junk before the deadline' }],
      });
      continue;
    }
    const ip = d.reverified.envelope.ip ?? '';
    const input = spamScoreInput(
      d.reverified,
      await probes.seeds.spamScore(d.found.raw),
      await probes.seeds.forwardConfirmed(ip),
      threshold,
      ip !== '' && (await probes.blocklists.listsIp(ip)),
    );
    const scored = checkSpamScore(input);
    verdicts.push({ ...scored, summary: `${d.seed.provider}: ${scored.summary}` });
    scores.push({ provider: d.seed.provider, ...mailTesterScore(input), spamAssassinScore: input.spamAssassin.score });
  }
  return { verdicts, scores };
}

/** One seed copy in findings: "Gmail by send/raw". */
function copyName(d: SeedDelivery): string {
  return `${d.seed.provider} by ${d.path}`;
}
describe('DMARC aggregate reports', () => {
  control('FN-08', async ({ probes, deployment, target, run }) => {
    const dmarc = (await probes.dns.query(`_dmarc.${deployment.domain}`, 'TXT')).answers.find((a) => /^v=DMARC1/i.test(a.trim()));
    const rua = ruaAddressesOf(dmarc);
    // When this run's seed mail left, wait (DMARC_REPORTS_WAIT_S) for every seed provider's report on it.
    const since = Date.parse(run.startedAt ?? new Date().toISOString());
    const providers = new Set(target.seeds.map((s) => s.provider)).size;
    const covering = (reports: AggregateReport[]) =>
      new Set(
        reports.filter((r) => Date.parse(r.end) >= since && r.records.some((x) => x.sourceIp === target.serverIp)).map((r) => r.orgName),
      ).size;
    const seedsSent = priorOutcome(run, 'FN-02') === 'pass';
    const read = await probes.dmarc.reportsUntil(rua, (r) => !seedsSent || covering(r.reports) >= providers);
    const recent = read.reports.filter((r) => Date.parse(r.end) >= Date.now() - REPORT_WINDOW_DAYS * 86_400_000);
    const where =
      probes.dmarc.sources().join('; ') || 'no report source: set INBOX_LIST_URLS/COMMAND, DMARC_REPORTS_IMAP or DMARC_REPORTS_DIR';
    if (recent.length === 0 && read.refused.length === 0) {
      return {
        verdicts: [],
        skip: `no DMARC aggregate report for ${deployment.domain} has arrived in the last ${REPORT_WINDOW_DAYS} days (read from ${where}); receivers send them once a day`,
      };
    }
    const { verdict, summary } = checkDmarcReports({
      domain: deployment.domain,
      deploymentIps: [target.serverIp],
      reports: recent,
      refused: read.refused,
    });
    return {
      verdicts: [verdict],
      facts: {
        dmarcReports: {
          ...summary,
          rua,
          readFrom: where,
          windowDays: REPORT_WINDOW_DAYS,
          refused: read.refused,
          duplicates: read.duplicates,
          waitedMs: read.waitedMs,
        },
      },
    };
  });
});
