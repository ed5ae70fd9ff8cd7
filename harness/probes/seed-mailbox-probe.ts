/**
 * Mail from the deployment to the outside world's mailbox providers (Gmail, Outlook seeds), by every path
 * the agents send by — Postal's send/message, send/raw, and SMTP submission with Postal's SMTP credential —
 * one message per path and seed, sent once per spec worker and shared by FN-02…FN-05. Each is found over
 * IMAP in INBOX or Junk (all its copies counted), kept as an .eml (like mail-tester's "view source"),
 * decoded part by part for the delivery check, and re-verified with mailauth through the target's DNS so
 * no verdict rests on the provider's header alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../core/poll.ts';
import { scoreWithSpamd } from '../../core/spam/spamc-client.ts';
import type { SpamVerdict } from '../../core/spam/spam-scorer.ts';
import { createDnsClient } from '../clients/dns-client.ts';
import { reverifyMessage, type Reverified } from '../clients/mail-reverify.ts';
import { SEND_PATHS, sendMessage, sendRaw, sendSmtp, type SendOutcome, type SendPath } from '../clients/postal-send.ts';
import { checkSeedLogin, findInSeedMailbox, type FoundMessage } from '../clients/seed-mailbox.ts';
import type { ReceivedContent } from '../checks/content-comparison.ts';
import type { PostalTrail } from '../checks/delivery-causes.ts';
import type { ObservedMessage, SentMessage } from '../checks/message-delivery-check.ts';
import { expectedContent, probeMessage, sha256, type ProbeContent } from '../messages/probe-message.ts';
import type { SeedMailbox } from '../targets/target.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';
import { NO_SEEDS, NO_SPAM_SCORER, ProbeBlocked, ProbeUnavailable } from './probe-unavailable.ts';

export interface SeedDelivery {
  seed: SeedMailbox;
  /** How the agent handed it to Postal. */
  path: SendPath;
  from: string;
  content: ProbeContent;
  send: SendOutcome;
  sentAt: number;
  found?: FoundMessage;
  /** The provider's copy, decoded. */
  received?: ReceivedContent;
  /** Why the mailbox could not be read at the last look. */
  readerError?: string;
  reverified?: Reverified;
  /** Postal's record of a message that never arrived. */
  trail?: PostalTrail;
}

/** A path that could not be tried on this target (no SMTP credential given), and why. */
export interface UntriedPath {
  path: SendPath;
  reason: string;
}

export interface SeedMailboxProbe {
  /** The seed messages, sent and awaited once, then shared. */
  deliveries(): Promise<SeedDelivery[]>;
  /** Paths the agents use that this target gives no means to try. */
  untried(): UntriedPath[];
  /** SpamAssassin's view of a received message, as mail-tester would score it. */
  spamScore(raw: Buffer): Promise<SpamVerdict>;
  /** Whether the sending IP's PTR name resolves back to it (forward-confirmed reverse DNS). */
  forwardConfirmed(ip: string): Promise<boolean>;
  /** The PTR names of an IP, through the target's reverse resolver. */
  reverseNames(ip: string): Promise<string[]>;
}

const pathLabel = (path: SendPath): string => path.replace('/', '-');

/** The provider's copy as the delivery check compares it: every part decoded. */
export async function receivedContentOf(raw: Buffer): Promise<ReceivedContent> {
  // Loaded on the first copy read: only the worker that reads seeds pays for it.
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(raw);
  return {
    subject: parsed.subject ?? null,
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', sha256: sha256(a.content), size: a.content.length })),
  };
}

export function seedMailboxProbe(context: ProbeContext): SeedMailboxProbe {
  const { target, run } = context;
  let sent: Promise<SeedDelivery[]> | undefined;
  const smtpCredential = target.postal?.smtpCredential;
  const paths = SEND_PATHS.filter((p) => p !== 'SMTP' || smtpCredential);

  async function send(path: SendPath, delivery: SeedDelivery, apiKey: string): Promise<SendOutcome> {
    const message = { from: delivery.from, to: delivery.seed.address, content: delivery.content };
    if (path === 'send/message') return sendMessage(context.postal(), apiKey, message);
    if (path === 'send/raw') return sendRaw(context.postal(), apiKey, message);
    const smtp = target.postal!.smtp;
    const server = { host: await context.addressOf(smtp.host), port: smtp.port, servername: target.mailHost, credential: smtpCredential! };
    return sendSmtp(server, message, { ca: target.trustedCaPem, timeoutMs: target.timeouts.connectMs });
  }

  async function sendAndFind(): Promise<SeedDelivery[]> {
    if (target.seeds.length === 0) throw new ProbeUnavailable(NO_SEEDS);
    // Before anything is sent: a seed whose mailbox cannot be read would make every seed control say
    // "did not arrive" and blame Postal. It blocks them instead, naming the login and the setting.
    await checkSeedLogins();
    const sender = target.accounts[0];
    if (!sender) throw new Error('the target gives no agent API key');
    context.willSend(
      target.seeds.length * paths.length,
      `one message to each seed mailbox (${target.seeds.map((s) => s.provider).join(', ')}) by each path (${paths.join(', ')})`,
    );
    const since = context.newestPostalId();
    const deliveries: SeedDelivery[] = [];
    for (const seed of target.seeds) {
      for (const path of paths) {
        const content = probeMessage(run.runToken, `external ${seed.provider} by ${pathLabel(path)}`);
        const delivery: SeedDelivery = { seed, path, from: sender.address, content, send: {}, sentAt: Date.now() };
        delivery.send = await send(path, delivery, sender.apiKey);
        if (delivery.send.postalId !== undefined) context.sawPostalId(delivery.send.postalId);
        deliveries.push(delivery);
      }
    }
    await Promise.all(
      deliveries
        .filter((d) => !d.send.error)
        .map(async (d) => {
          const polled = await awaiting(
            context,
            `${d.seed.provider}'s INBOX or Junk over IMAP (${d.path})`,
            target.timeouts.deliveryMs,
            () =>
              pollUntil(
                async () => {
                  try {
                    const host = await context.addressOf(d.seed.imap.host);
                    const seed = { ...d.seed, imap: { ...d.seed.imap, host } };
                    const found = await findInSeedMailbox(
                      {
                        seed,
                        ca: target.trustedCaPem,
                        servername: d.seed.imap.servername ?? d.seed.imap.host,
                        timeoutMs: target.timeouts.connectMs,
                      },
                      d.content.subjectKey,
                    );
                    d.readerError = undefined;
                    return found;
                  } catch (error) {
                    d.readerError = `${d.seed.imap.host}:${d.seed.imap.port}: ${(error as Error).message}`;
                    return undefined;
                  }
                },
                (found) => found !== undefined,
                { timeoutMs: target.timeouts.deliveryMs, intervalMs: 250, maxIntervalMs: 5_000, clock: context.clock },
              ),
          );
          d.found = polled.value;
          if (!d.found) {
            d.trail =
              d.send.postalId !== undefined
                ? await context.records().trail(sender.apiKey, d.send.postalId)
                : d.send.messageIdHeader
                  ? await context.records().trailByMessageId(sender.apiKey, d.send.messageIdHeader, d.seed.address, since, 'outgoing')
                  : undefined;
            return;
          }
          mkdirSync(run.evidenceDir, { recursive: true });
          writeFileSync(
            join(run.evidenceDir, `${d.seed.provider.toLowerCase()}-${pathLabel(d.path)}-${d.found.placement.toLowerCase()}.eml`),
            d.found.raw,
          );
          d.received = await receivedContentOf(d.found.raw);
          d.reverified = await reverifyMessage(d.found.raw, target.hostResolver);
        }),
    );
    return deliveries;
  }

  const reverse = (ip: string) => createDnsClient({ server: target.dns.reverse.server, timeoutMs: target.timeouts.dnsMs }).reverse(ip);
  async function checkSeedLogins(): Promise<void> {
    const refused: string[] = [];
    for (const seed of target.seeds) {
      const setting = `SEED_${seed.provider.toUpperCase()}`;
      try {
        const host = await context.addressOf(seed.imap.host);
        await checkSeedLogin({
          seed: { ...seed, imap: { ...seed.imap, host } },
          ca: target.trustedCaPem,
          servername: seed.imap.servername ?? seed.imap.host,
          timeoutMs: target.timeouts.connectMs,
        });
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
    untried: () =>
      smtpCredential ? [] : [{ path: 'SMTP', reason: "no POSTAL_SMTP_CREDENTIAL: the agents' SMTP submission path was not tried" }],
    spamScore(raw) {
      if (!target.spamScorer) throw new ProbeUnavailable(NO_SPAM_SCORER);
      return scoreWithSpamd(target.spamScorer, raw, target.timeouts.connectMs);
    },
    async forwardConfirmed(ip) {
      const names = (await reverse(ip)).answers;
      const forward = createDnsClient({ server: target.dns.primary.server, timeoutMs: target.timeouts.dnsMs });
      for (const name of names) if ((await forward.query(name, 'A')).answers.includes(ip)) return true;
      return false;
    },
    async reverseNames(ip) {
      return (await reverse(ip)).answers;
    },
  };
}

/** The seed deliveries in the delivery check's terms (FN-02). */
export function seedDeliveryInput(deliveries: SeedDelivery[]): { expected: SentMessage[]; observed: ObservedMessage[] } {
  const id = (d: SeedDelivery) => `${d.seed.provider} by ${d.path}`;
  return {
    expected: deliveries.map((d) => ({
      id: id(d),
      from: d.from,
      to: d.seed.address,
      path: d.path,
      content: expectedContent(d.content),
      ...(d.send.error !== undefined ? { sendError: d.send.error } : {}),
      ...(d.trail ? { trail: d.trail } : {}),
    })),
    observed: deliveries.map((d) => ({
      id: id(d),
      to: d.seed.address,
      found: Boolean(d.found),
      ...(d.found ? { copies: d.found.copies, where: `${d.seed.provider} ${d.found.placement}` } : {}),
      ...(d.received ? { content: d.received } : {}),
      ...(d.readerError && !d.found ? { readerError: d.readerError } : {}),
    })),
  };
}

/** What FN-04's checks read from one seed delivery: the provider's header and our own re-verification. */
export function authenticationOf(d: SeedDelivery): {
  fromDomain: string;
  recorded: string;
  reverify: Pick<Reverified, 'spf' | 'dkim' | 'dmarc'>;
} {
  return {
    fromDomain: d.reverified?.fromDomain || d.from.split('@')[1]!,
    recorded: d.reverified?.authenticationResults ?? '',
    reverify: d.reverified ?? { spf: { result: 'none' }, dkim: [], dmarc: { result: 'none' } },
  };
}
