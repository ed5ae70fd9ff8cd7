/**
 * Mail from the deployment to the outside world's mailbox providers (Gmail, Outlook seeds): one message
 * per seed, sent once per spec worker and shared by FN-02…FN-05, found over IMAP in INBOX or Junk,
 * kept as an .eml (like mail-tester's "view source"), and re-verified with mailauth through the
 * target's DNS so no verdict rests on the provider's header alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../core/poll.ts';
import { scoreWithSpamd } from '../../core/spam/spamc-client.ts';
import type { SpamVerdict } from '../../core/spam/spam-scorer.ts';
import { createDnsClient } from '../clients/dns-client.ts';
import { reverifyMessage, type Reverified } from '../clients/mail-reverify.ts';
import { messageIdFor, postalDeliveryStatus } from '../clients/postal-delivery-status.ts';
import { checkSeedLogin, findInSeedMailbox, type FoundMessage } from '../clients/seed-mailbox.ts';
import type { ObservedMessage, SentMessage } from '../checks/message-delivery-check.ts';
import { normalisedBodyHash, probeBody, probeSubject } from '../controls/mail-probe.ts';
import type { SeedMailbox } from '../targets/target.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';
import { NO_SEEDS, NO_SPAM_SCORER, ProbeBlocked, ProbeUnavailable } from './probe-unavailable.ts';
import { textOf } from '../../core/text-of.ts';

export interface SeedDelivery {
  seed: SeedMailbox;
  from: string;
  subject: string;
  bodySha256: string;
  apiError?: string;
  postalId?: number;
  found?: FoundMessage;
  /** Why the mailbox could not be read at the last look. */
  readerError?: string;
  reverified?: Reverified;
  /** What Postal's delivery record says of a message that never arrived. */
  postalDelivery?: string;
}

export interface SeedMailboxProbe {
  /** The seed messages, sent and awaited once, then shared. */
  deliveries(): Promise<SeedDelivery[]>;
  /** SpamAssassin's view of a received message, as mail-tester would score it. */
  spamScore(raw: Buffer): Promise<SpamVerdict>;
  /** Whether the sending IP's PTR name resolves back to it (forward-confirmed reverse DNS). */
  forwardConfirmed(ip: string): Promise<boolean>;
}

export function seedMailboxProbe(context: ProbeContext): SeedMailboxProbe {
  const { target, run } = context;
  let sent: Promise<SeedDelivery[]> | undefined;

  async function sendAndFind(): Promise<SeedDelivery[]> {
    if (target.seeds.length === 0) throw new ProbeUnavailable(NO_SEEDS);
    // Before anything is sent: a seed whose mailbox cannot be read would make every seed control say
    // "did not arrive" and blame Postal. It blocks them instead, naming the login and the setting.
    await checkSeedLogins();
    const postal = context.postal();
    const sender = target.accounts[0];
    if (!sender) throw new Error('the target gives no agent API key');
    context.willSend(target.seeds.length, `one message to each seed mailbox: ${target.seeds.map((s) => s.provider).join(', ')}`);
    const deliveries: SeedDelivery[] = [];
    for (const seed of target.seeds) {
      const subject = probeSubject(run.runToken, `external to ${seed.provider}`);
      const body = probeBody(run.runToken, `external delivery to ${seed.provider}`);
      const delivery: SeedDelivery = { seed, from: sender.address, subject, bodySha256: normalisedBodyHash(body) };
      try {
        const answer = await postal.call('send/message', sender.apiKey, { to: [seed.address], from: sender.address, subject, plain_body: body });
        if (answer.status === 'success') delivery.postalId = messageIdFor(answer, seed.address);
        else delivery.apiError = `${answer.status} ${textOf(answer.data.code ?? answer.data.message)}`.trim();
      } catch (error) {
        delivery.apiError = `no answer from the API: ${(error as Error).message}`;
      }
      deliveries.push(delivery);
    }
    await Promise.all(
      deliveries.filter((d) => !d.apiError).map(async (d) => {
        const polled = await awaiting(context, `${d.seed.provider}'s INBOX or Junk over IMAP`, target.timeouts.deliveryMs, () =>
          pollUntil(
            async () => {
              try {
                const host = await context.addressOf(d.seed.imap.host);
                const seed = { ...d.seed, imap: { ...d.seed.imap, host } };
                const found = await findInSeedMailbox({ seed, ca: target.trustedCaPem, servername: d.seed.imap.servername ?? d.seed.imap.host, timeoutMs: target.timeouts.connectMs }, d.subject);
                d.readerError = undefined;
                return found;
              } catch (error) {
                d.readerError = `${d.seed.imap.host}:${d.seed.imap.port}: ${(error as Error).message}`;
                return undefined;
              }
            },
            (found) => found !== undefined,
            { timeoutMs: target.timeouts.deliveryMs, intervalMs: 250, maxIntervalMs: 5_000 },
          ),
        );
        d.found = polled.value;
        if (!d.found) {
          d.postalDelivery = await postalDeliveryStatus(postal, sender.apiKey, d.postalId);
          return;
        }
        mkdirSync(run.evidenceDir, { recursive: true });
        writeFileSync(join(run.evidenceDir, `${d.seed.provider.toLowerCase()}-${d.found.placement.toLowerCase()}.eml`), d.found.raw);
        d.reverified = await reverifyMessage(d.found.raw, target.hostResolver);
      }),
    );
    return deliveries;
  }

  async function checkSeedLogins(): Promise<void> {
    const refused: string[] = [];
    for (const seed of target.seeds) {
      const setting = `SEED_${seed.provider.toUpperCase()}`;
      try {
        const host = await context.addressOf(seed.imap.host);
        await checkSeedLogin({ seed: { ...seed, imap: { ...seed.imap, host } }, ca: target.trustedCaPem, servername: seed.imap.servername ?? seed.imap.host, timeoutMs: target.timeouts.connectMs });
      } catch (error) {
        const e = error as Error & { authenticationFailed?: boolean; response?: string };
        const said = (e.response || e.message).trim();
        refused.push(
          e.authenticationFailed
            ? `the ${seed.provider} seed refused the login of ${seed.imap.user} (${setting}_PASSWORD? ${setting}_USER?): ${said}`
            : `the ${seed.provider} seed's IMAP ${seed.imap.host}:${seed.imap.port} could not be read (${setting}_IMAP? ${setting}_IMAP_TLS?): ${said}`,
        );
      }
    }
    if (refused.length > 0) throw new ProbeBlocked(refused.join('; '));
  }

  return {
    deliveries: () => (sent ??= sendAndFind()),
    spamScore(raw) {
      if (!target.spamScorer) throw new ProbeUnavailable(NO_SPAM_SCORER);
      return scoreWithSpamd(target.spamScorer, raw, target.timeouts.connectMs);
    },
    async forwardConfirmed(ip) {
      const reverse = await createDnsClient({ server: target.dns.reverse.server, timeoutMs: target.timeouts.dnsMs }).reverse(ip);
      const forward = createDnsClient({ server: target.dns.primary.server, timeoutMs: target.timeouts.dnsMs });
      for (const name of reverse.answers) if ((await forward.query(name, 'A')).answers.includes(ip)) return true;
      return false;
    },
  };
}

/** The seed deliveries in the delivery check's terms (FN-02). */
export function seedDeliveryInput(deliveries: SeedDelivery[]): { expected: SentMessage[]; observed: ObservedMessage[] } {
  return {
    expected: deliveries.map((d) => ({ id: `${d.seed.provider}`, from: d.from, to: d.seed.address, subject: d.subject, bodySha256: d.bodySha256, postalDelivery: d.postalDelivery })),
    observed: deliveries.map((d) => ({
      id: `${d.seed.provider}`,
      to: d.seed.address,
      found: Boolean(d.found),
      subject: d.found ? d.subject : undefined,
      bodySha256: d.found ? d.bodySha256 : undefined,
      where: d.found ? `${d.seed.provider} ${d.found.placement}` : (d.apiError ?? (d.readerError ? `${d.seed.provider}'s mailbox could not be read: ${d.readerError}` : undefined)),
    })),
  };
}

/** What FN-04's two checks read from one seed delivery: the provider's header and our own re-verification. */
export function authenticationOf(d: SeedDelivery): { fromDomain: string; recorded: string; reverify: Pick<Reverified, 'spf' | 'dkim' | 'dmarc'> } {
  return {
    fromDomain: d.reverified?.fromDomain || d.from.split('@')[1]!,
    recorded: d.reverified?.authenticationResults ?? '',
    reverify: d.reverified ?? { spf: { result: 'none' }, dkim: [], dmarc: { result: 'none' } },
  };
}
