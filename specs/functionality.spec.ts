/**
 * Functionality — internal and external delivery, inbox placement, SPF/DKIM/DMARC, spam score,
 * the MailGoat CLI and mail from outside. Every message carries the run token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { checkAuthenticationResults } from '../harness/checks/authentication-results-check.ts';
import { checkDomainSignature } from '../harness/checks/domain-signature-check.ts';
import { checkCliContract } from '../harness/checks/cli-contract-check.ts';
import { checkInboxPlacement, type InboxPlacement } from '../harness/checks/inbox-placement-check.ts';
import { checkMessageDelivery, type ObservedMessage, type SentMessage } from '../harness/checks/message-delivery-check.ts';
import { checkSpamScore, mailTesterScore, SPAM_SCORE_FORMULA, type ScoreDeduction } from '../harness/checks/spam-score-check.ts';
import type { Verdict } from '../harness/checks/verdict.ts';
import { createDnsClient } from '../harness/clients/dns-client.ts';
import { listInbox } from '../harness/clients/inbox-reader.ts';
import { reverifyMessage, type Reverified } from '../harness/clients/mail-reverify.ts';
import { runMailgoatContract } from '../harness/clients/mailgoat-cli.ts';
import { messageIdFor, postalDeliveryStatus } from '../harness/clients/postal-delivery-status.ts';
import { findInSeedMailbox, type FoundMessage } from '../harness/clients/seed-mailbox.ts';
import { scoreWithSpamd } from '../core/spam/spamc-client.ts';
import { submitMessage } from '../harness/clients/smtp-submit.ts';
import { control } from '../harness/controls/control.ts';
import { normalisedBodyHash, probeBody, probeSubject } from '../harness/controls/mail-probe.ts';
import { currentRun, currentTarget } from '../harness/controls/run-context.ts';
import { NO_INBOX_READER } from '../harness/controls/skip-reasons.ts';
import { clientsFor, requirePostal } from '../harness/controls/target-clients.ts';
import { pollUntil } from '../core/poll.ts';
import type { SeedMailbox, TargetDescriptor } from '../harness/targets/target.ts';

const target = currentTarget();
const run = currentRun();
const clients = clientsFor(target);
afterAll(() => clients.close());

/**
 * Sends to an agent through the API as `from` and waits for each message in its recipient's inbox; for a
 * message that never arrives, records what Postal's own delivery record says (postalDelivery).
 */
async function deliverToAgents(messages: Array<SentMessage & { fromKey: string; toAgentId: string }>): Promise<ObservedMessage[]> {
  const postal = requirePostal(clients);
  const sentAt = new Map<string, number>();
  const errors = new Map<string, string>();
  const postalIds = new Map<string, number | undefined>();
  for (const m of messages) {
    sentAt.set(m.id, Date.now());
    const answer = await postal.call('send/message', m.fromKey, { to: [m.to], from: m.from, subject: m.subject, plain_body: probeBody(run.runToken, m.id) });
    if (answer.status !== 'success') errors.set(m.id, `${answer.status} ${String(answer.data.code ?? answer.data.message ?? '')}`);
    else postalIds.set(m.id, messageIdFor(answer, m.to));
  }
  const reader = target.inboxReader!;
  const observe = async (): Promise<ObservedMessage[]> => {
    const observed: ObservedMessage[] = [];
    const byAgent = new Map<string, Awaited<ReturnType<typeof listInbox>>>();
    for (const agentId of new Set(messages.map((m) => m.toAgentId))) {
      byAgent.set(agentId, await listInbox(reader, agentId, run.runToken, clients.http, target.timeouts.connectMs).catch(() => []));
    }
    for (const m of messages) {
      const entry = byAgent.get(m.toAgentId)?.find((e) => e.subject === m.subject);
      const arrivedAt = entry?.receivedAt ? Date.parse(entry.receivedAt) : undefined;
      observed.push({
        id: m.id,
        to: m.to,
        found: Boolean(entry),
        subject: entry?.subject,
        bodySha256: entry?.plainBody !== undefined ? normalisedBodyHash(entry.plainBody) : undefined,
        elapsedMs: arrivedAt ? arrivedAt - (sentAt.get(m.id) ?? arrivedAt) : undefined,
        where: entry ? `${m.toAgentId} inbox` : errors.get(m.id),
      });
    }
    return observed;
  };
  const polled = await pollUntil(observe, (o) => o.every((m) => m.found || errors.has(m.id)), { timeoutMs: target.timeouts.deliveryMs, intervalMs: 200 });
  // For what never arrived, Postal's own delivery record says why.
  for (const m of messages) {
    if (!polled.value.find((o) => o.id === m.id)?.found) m.postalDelivery = errors.get(m.id) ?? (await postalDeliveryStatus(postal, m.fromKey, postalIds.get(m.id)));
  }
  return polled.value;
}

/** External mail, sent once for FN-02…FN-05 and read back from every seed mailbox. */
interface SeedDelivery {
  seed: SeedMailbox;
  sent: SentMessage;
  apiError?: string;
  /** Postal's numeric id for this message, to ask its delivery record when it does not arrive. */
  postalId?: number;
  found?: FoundMessage;
  reverified?: Reverified;
}
let external: Promise<SeedDelivery[]> | undefined;

function externalDeliveries(t: TargetDescriptor): Promise<SeedDelivery[]> {
  external ??= (async () => {
    const postal = requirePostal(clients);
    const sender = t.accounts[0];
    if (!sender) throw new Error('the target gives no agent API key');
    const deliveries: SeedDelivery[] = [];
    for (const seed of t.seeds) {
      const subject = probeSubject(run.runToken, `external to ${seed.provider}`);
      const body = probeBody(run.runToken, `external delivery to ${seed.provider}`);
      const sent = { id: `${run.runToken}-${seed.provider}`, from: sender.address, to: seed.address, subject, bodySha256: normalisedBodyHash(body) };
      const answer = await postal.call('send/message', sender.apiKey, { to: [seed.address], from: sender.address, subject, plain_body: body });
      deliveries.push({ seed, sent, postalId: messageIdFor(answer, seed.address), apiError: answer.status === 'success' ? undefined : `${answer.status} ${String(answer.data.code ?? answer.data.message ?? '')}` });
    }
    await Promise.all(
      deliveries.filter((d) => !d.apiError).map(async (d) => {
        const polled = await pollUntil(
          () => findInSeedMailbox({ seed: d.seed, ca: t.trustedCaPem, servername: d.seed.imap.servername, timeoutMs: t.timeouts.connectMs }, d.sent.subject).catch(() => undefined),
          (found) => found !== undefined,
          { timeoutMs: t.timeouts.deliveryMs, intervalMs: 250 },
        );
        d.found = polled.value;
        if (!d.found) d.sent.postalDelivery = await postalDeliveryStatus(postal, sender.apiKey, d.postalId);
        if (d.found) {
          // The message as the provider stored it, like mail-tester's "view the source".
          mkdirSync(run.evidenceDir, { recursive: true });
          writeFileSync(join(run.evidenceDir, `${d.seed.provider.toLowerCase()}-${d.found.placement.toLowerCase()}.eml`), d.found.raw);
          d.reverified = await reverifyMessage(d.found.raw, t.hostResolver);
        }
      }),
    );
    return deliveries;
  })();
  return external;
}

describe('Mail flow', () => {
  control('FN-01', async ({ target: t, deployment, run: r }) => {
    if (!t.inboxReader) return { verdicts: [], skip: NO_INBOX_READER };
    const agents = deployment.agents;
    const messages = agents.map((from, i) => {
      const to = agents[(i + 1) % agents.length]!;
      const key = t.accounts.find((a) => a.agentId === from.id)?.apiKey;
      if (!key) throw new Error(`the target gives no API key for ${from.id}`);
      const id = `ring-${i + 1}-of-${agents.length}`;
      return { id, from: from.address, to: to.address, toAgentId: to.id, fromKey: key, subject: probeSubject(r.runToken, `FN-01 ${id} ${from.id} to ${to.id}`), bodySha256: normalisedBodyHash(probeBody(r.runToken, id)) };
    });
    const observed = await deliverToAgents(messages);
    return {
      verdicts: [checkMessageDelivery({ expected: messages, observed })],
      facts: { ring: messages.map((m, i) => ({ from: m.from, to: m.to, found: observed[i]?.found ?? false, elapsedMs: observed[i]?.elapsedMs })) },
    };
  });

  control('FN-02', async ({ target: t }) => {
    if (t.seeds.length === 0) return { verdicts: [], skip: 'the target has no seed mailboxes (Gmail/Outlook) configured' };
    const deliveries = await externalDeliveries(t);
    return {
      verdicts: [
        checkMessageDelivery({
          expected: deliveries.map((d) => d.sent),
          observed: deliveries.map((d) => ({
            id: d.sent.id,
            to: d.seed.address,
            found: Boolean(d.found),
            subject: d.found ? d.sent.subject : undefined,
            bodySha256: d.found ? d.sent.bodySha256 : undefined,
            where: d.found ? `${d.seed.provider} ${d.found.placement}` : d.apiError,
          })),
        }),
      ],
    };
  });

  control('FN-03', async ({ target: t }) => {
    if (t.seeds.length === 0) return { verdicts: [], skip: 'the target has no seed mailboxes configured' };
    const deliveries = await externalDeliveries(t);
    const placements: InboxPlacement[] = deliveries.map((d) => ({ provider: d.seed.provider, mailbox: d.found?.placement ?? 'missing' }));
    return { verdicts: [checkInboxPlacement(placements)] };
  });

  control('FN-04', async ({ target: t, deployment }) => {
    if (t.seeds.length === 0) return { verdicts: [], skip: 'the target has no seed mailboxes configured' };
    const deliveries = await externalDeliveries(t);
    const verdicts: Verdict[] = deliveries.flatMap((d) => {
      const fromDomain = d.reverified?.fromDomain || d.sent.from.split('@')[1]!;
      return [
        checkAuthenticationResults({
          provider: d.seed.provider,
          authenticationResults: d.reverified?.authenticationResults ?? '',
          reverify: d.reverified ?? { spf: { result: 'none' }, dkim: [], dmarc: { result: 'none' } },
          fromDomain,
        }),
        checkDomainSignature({ provider: d.seed.provider, fromDomain, expectedSelector: deployment.dns.dkim.selector, signatures: d.reverified?.dkim ?? [] }),
      ];
    });
    return {
      verdicts,
      facts: {
        authentication: deliveries.map((d) => ({
          provider: d.seed.provider,
          recorded: d.reverified?.authenticationResults ?? 'no message',
          reverified: d.reverified ? { spf: d.reverified.spf.result, dkim: d.reverified.dkim.map((k) => `${k.result} d=${k.domain} s=${k.selector ?? '?'}`), dmarc: d.reverified.dmarc.result } : undefined,
        })),
      },
    };
  });

  control('FN-05', async ({ target: t, deployment }) => {
    if (t.seeds.length === 0) return { verdicts: [], skip: 'the target has no seed mailboxes configured' };
    if (!t.spamScorer) return { verdicts: [], skip: 'the target has no SpamAssassin (spamd) to score with; set SPAMD_HOST' };
    const deliveries = await externalDeliveries(t);
    const verdicts: Verdict[] = [];
    const scores: Array<{ provider: string; score: number; spamAssassinScore: number; deductions: ScoreDeduction[] }> = [];
    for (const d of deliveries) {
      if (!d.found || !d.reverified) {
        verdicts.push({
          outcome: 'fail',
          summary: `${d.seed.provider}: no message arrived to score`,
          evidence: [{ label: 'delivery', detail: d.apiError ?? 'not found in INBOX or Junk before the deadline' }],
          remediation: 'Fix delivery first (see FN-02).',
        });
        continue;
      }
      const spam = await scoreWithSpamd(t.spamScorer, d.found.raw, t.timeouts.connectMs);
      const ptrOk = d.reverified.envelope.ip ? await forwardConfirmed(t, d.reverified.envelope.ip) : false;
      const passing = d.reverified.dkim.filter((k) => k.result === 'pass');
      const scoreInput = {
          spamAssassin: { score: spam.score, rules: spam.rules },
          spf: d.reverified.spf.result,
          dkim: passing.length ? 'pass' : (d.reverified.dkim[0]?.result ?? 'none'),
          dmarc: d.reverified.dmarc.result,
          aligned: passing.some((k) => k.aligned !== false && k.aligned !== undefined && k.aligned !== ''),
          ptrOk,
          hasMessageId: d.reverified.hasMessageId,
          hasDate: d.reverified.hasDate,
          threshold: deployment.thresholds.spamScoreMin,
      };
      const scored = checkSpamScore(scoreInput);
      verdicts.push({ ...scored, summary: `${d.seed.provider}: ${scored.summary}` });
      scores.push({ provider: d.seed.provider, ...mailTesterScore(scoreInput), spamAssassinScore: spam.score });
    }
    return { verdicts, facts: { spamScores: scores, formula: SPAM_SCORE_FORMULA, threshold: deployment.thresholds.spamScoreMin } };
  });

  control('FN-06', async ({ target: t, deployment, run: r }) => {
    const outcome = checkCliContract(await runMailgoatContract({ command: process.env.MAILGOAT_CLI, target: t, deployment, runToken: r.runToken, http: clients.http }));
    return outcome.skipped ? { verdicts: [], skip: outcome.reason } : { verdicts: [outcome.verdict] };
  });

  control('FN-07', async ({ target: t, deployment, run: r }) => {
    const outside = t.outsideSender;
    if (!outside) return { verdicts: [], skip: 'the target has no outside sender (SMTP submission) configured' };
    const recipient = deployment.agents.find((a) => a.id !== deployment.catchAll) ?? deployment.agents[0]!;
    const id = `outside-to-${recipient.id}`;
    const subject = probeSubject(r.runToken, `FN-07 ${id}`);
    const body = probeBody(r.runToken, id);
    const sent = { id, from: outside.from, to: recipient.address, toAgentId: recipient.id, subject, bodySha256: normalisedBodyHash(body) };
    const submitted = await submitMessage(outside, { from: outside.from, to: recipient.address, subject, text: body }, { ca: t.trustedCaPem, timeoutMs: t.timeouts.connectMs });
    const reader = t.inboxReader;
    if (!reader) return { verdicts: [], skip: NO_INBOX_READER };
    const polled = await pollUntil(
      async () => (await listInbox(reader, recipient.id, r.runToken, clients.http, t.timeouts.connectMs).catch(() => [])).find((e) => e.subject === subject),
      (entry) => entry !== undefined,
      { timeoutMs: t.timeouts.deliveryMs, intervalMs: 200 },
    );
    const entry = polled.value;
    return {
      verdicts: [
        checkMessageDelivery({
          expected: [sent],
          observed: [{ id, to: recipient.address, found: Boolean(entry), subject: entry?.subject, bodySha256: entry?.plainBody !== undefined ? normalisedBodyHash(entry.plainBody) : undefined, where: entry ? `${recipient.id} inbox` : `submitted: ${submitted.response}` }],
        }),
      ],
    };
  });
});

/** PTR of the sending IP resolves to a name whose A record gives the IP back. */
async function forwardConfirmed(t: TargetDescriptor, ip: string): Promise<boolean> {
  const reverse = await createDnsClient({ server: t.dns.reverse.server, timeoutMs: t.timeouts.dnsMs }).reverse(ip);
  const forward = createDnsClient({ server: t.dns.primary.server, timeoutMs: t.timeouts.dnsMs });
  for (const name of reverse.answers) {
    if ((await forward.query(name, 'A')).answers.includes(ip)) return true;
  }
  return false;
}
