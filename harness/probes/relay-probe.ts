/**
 * SEC-01's relay attempts as an outsider makes them: every form of relay-forms.ts, on a connection of
 * its own per context (without AUTH, after STARTTLS, after AUTH with a wrong password), RSET between
 * attempts like nmap's smtp-open-relay. An attempt the server accepts is carried through DATA (counted in
 * "mail sent by this run") and followed: to the outside mailbox (a seed the run reads over IMAP), or to
 * the catch-all agent's inbox. --read-only stops at RCPT.
 */
import { pollUntil } from '../../core/poll.ts';
import { SmtpDialogue } from '../../core/smtp/smtp-dialogue.ts';
import { listInbox } from '../clients/inbox-reader.ts';
import { findAllInSeedMailbox } from '../clients/seed-mailbox.ts';
import type { OpenRelayInput, RelayAttempt, RelayContext } from '../checks/open-relay-check.ts';
import { relayForms, type RelayForm } from '../checks/relay-forms.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';

export interface RelayProbe {
  attempts(): Promise<OpenRelayInput>;
}

const CONTEXTS: RelayContext[] = ['plain', 'starttls', 'failed-auth'];
/**
 * At most this many accepted attempts are carried through DATA in one run (an open relay would otherwise take
 * 69 and load the queue under the performance controls). A form whose last domain is foreign can only be
 * relayed once accepted: the first such is carried to prove the arrival, the rest are judged at RCPT.
 */
export const MAX_CARRIED = 4;

/** An attempt carried through DATA keeps the marker its message carries until it is found; a twin shares another's. */
type Followed = RelayAttempt & { marker?: string; twin?: Followed };

export function relayProbe(context: ProbeContext): RelayProbe {
  const { target, run } = context;
  const host = target.postal?.smtp.host ?? target.mailHost;
  const port = target.postal?.smtp.port ?? 25;
  const recipient = target.relayProbeRecipient;
  const seed = target.seeds.find((s) => s.address.toLowerCase() === recipient.toLowerCase());
  const marker = (n: number): string => `relay-${run.runToken}-${n}`;

  /** A connection prepared for one context; undefined with the reason when the context cannot be had. */
  async function open(
    relayContext: RelayContext,
  ): Promise<{ dialogue: SmtpDialogue; authReply?: { code: number; text: string } } | { skip: string }> {
    const { dialogue } = await SmtpDialogue.open({ host, port, lookup: context.lookup, timeoutMs: target.timeouts.connectMs });
    const { capabilities } = await dialogue.ehlo('relay-probe.postal-qa.invalid');
    if (relayContext === 'starttls') {
      if (!capabilities.includes('STARTTLS')) {
        dialogue.close();
        return { skip: 'the server offers no STARTTLS (SEC-03)' };
      }
      const { tls } = await dialogue.startTls({ servername: target.mailHost, ca: target.trustedCaPem });
      if (!tls?.ok) {
        dialogue.close();
        return { skip: `the STARTTLS handshake failed (${tls?.error ?? 'no answer'})` };
      }
      await dialogue.ehlo('relay-probe.postal-qa.invalid');
    }
    if (relayContext === 'failed-auth') {
      const wrong = `postal-qa-wrong-${run.runToken}`;
      const reply = await dialogue.command(`AUTH PLAIN ${Buffer.from(`\0relay-probe\0${wrong}`).toString('base64')}`, { mask: true });
      return { dialogue, authReply: { code: reply.code, text: reply.lines.join(' ') } };
    }
    return { dialogue };
  }

  function message(form: RelayForm, relayContext: RelayContext, tag: string): string {
    const from = form.from || `relay-probe-${run.runToken}@outside.invalid`;
    return [
      `From: <${from}>`,
      `To: <${recipient}>`,
      `Subject: [postal-qa ${run.runToken}] SEC-01 relay probe ${tag}`,
      `Message-ID: <${tag}@postal-qa.invalid>`,
      `Date: ${new Date(context.clock.now()).toUTCString()}`,
      '',
      `postal-qa SEC-01 relay probe ${tag}: ${form.label}, ${relayContext}.`,
      'An automated test of whether a mail server relays for strangers. If it reached you, that server is an open relay.',
    ].join('\r\n');
  }

  async function tryForms(
    relayContext: RelayContext,
    forms: RelayForm[],
    counter: { n: number; carried: number; first: Map<string, Followed>; foreignCarried?: string },
    carry: boolean,
  ): Promise<{ attempts: Followed[]; skip?: string; authReply?: { code: number; text: string } }> {
    const attempts: Followed[] = [];
    let session = await open(relayContext);
    if ('skip' in session) return { attempts, skip: session.skip };
    const { authReply } = session;
    for (const form of forms) {
      const tag = marker(++counter.n);
      const base = {
        form: form.id,
        label: form.label,
        context: relayContext,
        from: form.from,
        to: form.to,
        foreignIfAccepted: form.foreignIfAccepted,
      };
      try {
        const dialogue = session.dialogue;
        await dialogue.command('RSET');
        const mail = await dialogue.command(`MAIL FROM:<${form.from}>`);
        if (mail.code >= 300) {
          attempts.push({ ...base, stage: 'mail', code: mail.code, reply: mail.lines.join(' ') });
          continue;
        }
        const rcpt = await dialogue.command(`RCPT TO:<${form.to}>`);
        // A form accepted in an earlier context was carried once; this acceptance shares that message's fate.
        const twin = rcpt.code < 300 ? counter.first.get(form.id) : undefined;
        if (twin && carry) {
          attempts.push({ ...base, stage: 'rcpt', code: rcpt.code, reply: rcpt.lines.join(' '), sameAs: twin.context, twin });
          continue;
        }
        const foreignProven = form.foreignIfAccepted && counter.foreignCarried !== undefined;
        const capped = rcpt.code < 300 && carry && (counter.carried >= MAX_CARRIED || foreignProven);
        if (rcpt.code >= 300 || !carry || capped) {
          const notCarried = foreignProven
            ? `not carried through DATA: the ${counter.foreignCarried} form's message was`
            : `not carried through DATA: ${MAX_CARRIED} accepted attempts already were`;
          attempts.push({ ...base, stage: 'rcpt', code: rcpt.code, reply: rcpt.lines.join(' '), ...(capped ? { notCarried } : {}) });
          continue;
        }
        if (form.foreignIfAccepted) counter.foreignCarried = form.label;
        counter.carried++;
        const carriedAttempt: Followed = { ...base, stage: 'data', code: 0, reply: '' };
        context.willSend(1, `SEC-01 relay attempt ${form.id} carried through DATA to ${recipient}`);
        const data = await dialogue.command('DATA');
        const end = data.code === 354 ? await dialogue.command(`${message(form, relayContext, tag)}\r\n.`) : data;
        Object.assign(
          carriedAttempt,
          { code: end.code, reply: end.lines.join(' ') },
          end.code < 300 ? { arrival: 'unknown' as const, marker: tag } : {},
        );
        attempts.push(carriedAttempt);
        if (end.code < 300) counter.first.set(form.id, carriedAttempt);
      } catch (error) {
        attempts.push({ ...base, stage: 'rcpt', code: 0, reply: (error as Error).message });
        session.dialogue.close();
        const again = await open(relayContext);
        if ('skip' in again) return { attempts, skip: again.skip, authReply };
        session = again;
      }
    }
    session.dialogue.close();
    return { attempts, authReply };
  }

  /** Polls the outside mailbox and the catch-all's inbox until every carried attempt is found, or the deadline. */
  async function follow(carried: Followed[]): Promise<string | undefined> {
    const catchAll = run.deployment.catchAll;
    const reader = target.inboxReader;
    const common = `relay-${run.runToken}-`;
    let readerError: string | undefined;
    const look = async (): Promise<void> => {
      if (seed) {
        try {
          // The IMAP client resolves with the system's resolver: it is given the address, and the name for the certificate.
          const reading = { ...seed, imap: { ...seed.imap, host: await context.addressOf(seed.imap.host) } };
          const found = await findAllInSeedMailbox(
            {
              seed: reading,
              ca: target.trustedCaPem,
              servername: seed.imap.servername ?? seed.imap.host,
              timeoutMs: target.timeouts.connectMs,
            },
            common,
          );
          readerError = undefined;
          for (const a of carried)
            if (found.some((f) => f.raw.toString('utf8').includes(`${a.marker}@postal-qa.invalid`))) a.arrival = 'outside';
        } catch (error) {
          readerError = `${seed.address}: ${(error as Error).message}`;
        }
      }
      if (reader) {
        const entries = await listInbox(reader, catchAll, common, context.http, target.timeouts.connectMs).catch(() => []);
        for (const a of carried) {
          if (a.arrival !== 'outside' && entries.some((e) => [e.subject, e.snippet, e.plainBody].some((t) => t?.includes(a.marker!)))) {
            a.arrival = 'local';
            a.localAgent = catchAll;
          }
        }
      }
    };
    const settled = (): boolean => carried.every((a) => a.arrival === 'outside' || a.arrival === 'local');
    await awaiting(
      context,
      `${carried.length} accepted relay attempt(s) at ${recipient} or in ${catchAll}'s inbox`,
      target.timeouts.deliveryMs,
      () =>
        pollUntil(look, settled, { timeoutMs: target.timeouts.deliveryMs, intervalMs: 500, maxIntervalMs: 3_000, clock: context.clock }),
    );
    const unread = !seed
      ? `RELAY_PROBE_RECIPIENT ${recipient} is not a seed mailbox the run reads`
      : !reader
        ? 'no inbox reader for the catch-all (INBOX_LIST_COMMAND / INBOX_LIST_URLS)'
        : readerError
          ? `the outside mailbox could not be read: ${readerError}`
          : undefined;
    for (const a of carried) {
      if (a.arrival === 'unknown') a.arrival = unread ? 'unknown' : 'nowhere';
      delete a.marker;
    }
    return unread;
  }

  return {
    async attempts() {
      const forms = relayForms({
        recipient,
        domain: run.deployment.domain,
        mailHost: target.mailHost,
        serverIp: target.serverIp,
        outsideSender: `relay-probe-${run.runToken}@outside.invalid`,
        localSender: `${run.deployment.catchAll}@${run.deployment.domain}`,
      });
      const carry = !run.readOnly;
      const counter: { n: number; carried: number; first: Map<string, Followed>; foreignCarried?: string } = {
        n: 0,
        carried: 0,
        first: new Map<string, Followed>(),
      };
      const attempts: Followed[] = [];
      const skippedContexts: NonNullable<OpenRelayInput['skippedContexts']> = [];
      let failedAuthReply: OpenRelayInput['failedAuthReply'];
      for (const relayContext of CONTEXTS) {
        const result = await tryForms(relayContext, forms, counter, carry);
        attempts.push(...result.attempts);
        if (result.skip) skippedContexts.push({ context: relayContext, reason: result.skip });
        if (result.authReply) failedAuthReply = result.authReply;
      }
      const carried = attempts.filter((a) => a.arrival === 'unknown');
      const unread = carried.length > 0 ? await follow(carried) : undefined;
      for (const a of attempts) {
        if (!a.twin) continue;
        a.arrival = a.twin.arrival;
        if (a.twin.localAgent) a.localAgent = a.twin.localAgent;
        delete a.twin;
      }
      return {
        attempts,
        recipient,
        skippedContexts,
        ...(failedAuthReply ? { failedAuthReply } : {}),
        ...(run.readOnly
          ? { arrivalUnreadable: '--read-only: accepted attempts were not carried through DATA' }
          : unread
            ? { arrivalUnreadable: unread }
            : {}),
      };
    },
  };
}
