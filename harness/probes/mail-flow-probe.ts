/**
 * Mail through the deployment, end to end: send as an agent through Postal's API (or from outside
 * through a submission service), then read the agents' inboxes until every message has arrived where
 * it should or the target's delivery deadline passes. Past the deadline, a message Postal says is still
 * on its way (queued, or handed to its own MX with no incoming message yet) is waited for once more —
 * late, with its time, is not lost. What never arrived gets Postal's own record: the outgoing message
 * and, for mail between the agents, the incoming message its MX made of it. An inbox that could not be
 * read says why. Nothing here decides pass or fail.
 */
import { pollUntil } from '../../core/poll.ts';
import type { ReceivedContent } from '../checks/content-comparison.ts';
import { stillInFlight, type PostalTrail } from '../checks/delivery-causes.ts';
import type { ObservedMessage, SentMessage } from '../checks/message-delivery-check.ts';
import { expectedContent, probeBody, type ProbeContent } from '../messages/probe-message.ts';
import { listInbox, type InboxEntry } from '../clients/inbox-reader.ts';
import { sendMessage, sendTimeoutMs, type SendOutcome } from '../clients/postal-send.ts';
import { submitMessage } from '../clients/smtp-submit.ts';
import { atPace } from '../load/at-pace.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';
import { NO_INBOX_READER, NO_OUTSIDE_SENDER, ProbeBlocked, ProbeUnavailable } from './probe-unavailable.ts';

export interface AgentMessage {
  /** Names the message in evidence; unique within one call. */
  id: string;
  fromAgentId: string;
  to: string;
  /** The agent whose inbox it must reach. */
  toAgentId: string;
  content: ProbeContent;
}

export interface Arrival {
  agentId: string;
  entry: InboxEntry;
  /** The receiver's own arrival stamp minus the send time, when the receiver stamps. */
  elapsedMs?: number;
}

export interface MessageFate {
  message: AgentMessage;
  sentAt: number;
  /** What Postal answered when it was sent (its id, the Message-ID, or the refusal). */
  send: SendOutcome;
  /** Every inbox entry that is this message (two in one inbox: delivered twice). */
  arrivals: Arrival[];
  /** Postal's record, for a message that did not reach its agent by the deadline. */
  trail?: PostalTrail;
}

export interface DeliveryObservation {
  fates: MessageFate[];
  /** Inboxes that could not be read at the last look, and why. */
  readerErrors: Record<string, string>;
  waitedMs: number;
  /** The delivery deadline the wait was measured against (a later arrival is late). */
  deadlineMs: number;
}

export interface MailFlowProbe {
  /** Sends every message through the API as its agent, then waits for all in the watched inboxes. */
  sendAsAgents(
    messages: AgentMessage[],
    options?: { watchAgents?: string[]; deadlineMs?: number; intervalMs?: number },
  ): Promise<DeliveryObservation>;
  /** Submits one message from outside the deployment (FN-07) and waits for it in the agent's inbox. */
  sendFromOutside(message: Omit<AgentMessage, 'fromAgentId'>): Promise<DeliveryObservation & { submission: string }>;
  /** Waits until `subject` shows in an agent's inbox (or the deadline), e.g. after a CLI sent it. */
  waitForSubject(agentId: string, subject: string): Promise<{ arrived: boolean; readerError?: string }>;
}

/** An attachment this large makes a message "large": it is sent alone, after the others. */
const LARGE_BYTES = 1024 * 1024;

/** A routing probe's small plain message (INF-05): its text, no HTML, no attachment. */
export function plainProbe(runToken: string, label: string, subject: string): ProbeContent {
  return { subject, subjectKey: subject, text: probeBody(runToken, label), html: '', attachments: [] };
}

/** The inbox entry is this message: its subject starts with the message's key, or its text with the probe line. */
export function isArrivalOf(entry: InboxEntry, content: ProbeContent): boolean {
  const subject = entry.subject ?? '';
  if (subject === content.subjectKey || subject.startsWith(`${content.subjectKey} `)) return true;
  const firstLine = content.text.split('\n')[0]!;
  return (entry.plainBody ?? '').replace(/\r/g, '').split('\n')[0] === firstLine;
}

export function mailFlowProbe(context: ProbeContext): MailFlowProbe {
  const { target, run } = context;
  const reader = () => {
    if (!target.inboxReader) throw new ProbeUnavailable(NO_INBOX_READER);
    return target.inboxReader;
  };
  const keyOf = (agentId: string): string => {
    const key = target.accounts.find((a) => a.agentId === agentId)?.apiKey;
    if (!key) throw new Error(`the target gives no API key for ${agentId}`);
    return key;
  };
  const ownDomain = (address: string): boolean => address.split('@')[1]?.toLowerCase() === target.domain.toLowerCase();

  /** One look at every watched inbox; a reader's failure is kept, never swallowed. */
  async function look(agents: string[], readerErrors: Record<string, string>): Promise<Map<string, InboxEntry[]>> {
    const listed = new Map<string, InboxEntry[]>();
    for (const agentId of agents) {
      try {
        listed.set(agentId, await listInbox(reader(), agentId, run.runToken, context.http, target.timeouts.connectMs));
        delete readerErrors[agentId];
      } catch (error) {
        readerErrors[agentId] = (error as Error).message;
      }
    }
    return listed;
  }

  const settled = (fate: MessageFate) => fate.send.error !== undefined || fate.arrivals.some((a) => a.agentId === fate.message.toAgentId);

  async function pollArrivals(
    fates: MessageFate[],
    agents: string[],
    readerErrors: Record<string, string>,
    until: number,
    what: string,
  ): Promise<void> {
    const deadlineMs = Math.max(0, until - Date.now());
    await awaiting(context, what, deadlineMs, () =>
      pollUntil(
        async () => {
          const listed = await look(agents, readerErrors);
          for (const fate of fates) {
            fate.arrivals = [...listed].flatMap(([agentId, entries]) =>
              entries
                .filter((e) => isArrivalOf(e, fate.message.content))
                .map((entry) => ({ agentId, entry, elapsedMs: entry.receivedAt ? Date.parse(entry.receivedAt) - fate.sentAt : undefined })),
            );
          }
          return fates.every(settled);
        },
        Boolean,
        { timeoutMs: deadlineMs, intervalMs: 200, maxIntervalMs: 2_000, clock: context.clock },
      ),
    );
  }

  /**
   * Waits until the deadline; then asks Postal about what is missing, and waits once more (as long again)
   * for what it says is still on its way. A message that arrives then is late, not lost.
   */
  async function waitFor(
    fates: MessageFate[],
    agents: string[],
    deadlineMs: number,
    what: string,
    trailOf: (fate: MessageFate) => Promise<PostalTrail | undefined>,
  ): Promise<DeliveryObservation> {
    const readerErrors: Record<string, string> = {};
    const started = Math.min(...fates.map((f) => f.sentAt), Date.now());
    await pollArrivals(fates, agents, readerErrors, started + deadlineMs, what);
    const askPostal = async (): Promise<MessageFate[]> => {
      const missing = fates.filter((f) => !settled(f));
      for (const fate of missing) fate.trail = await trailOf(fate);
      return missing.filter((f) => stillInFlight(f.trail));
    };
    const onTheirWay = await askPostal();
    if (onTheirWay.length > 0) {
      await pollArrivals(
        onTheirWay,
        agents,
        readerErrors,
        Date.now() + deadlineMs,
        `${onTheirWay.length} late message(s) Postal says are still on their way`,
      );
      await askPostal();
    }
    // One last look: what arrived while Postal was being asked is not lost.
    const unsettled = fates.filter((f) => !settled(f));
    if (unsettled.length > 0) await pollArrivals(unsettled, agents, readerErrors, Date.now(), 'a last look at the inboxes');
    return { fates, readerErrors, waitedMs: Date.now() - started, deadlineMs };
  }

  return {
    async sendAsAgents(messages, options = {}) {
      const postal = context.postal();
      reader();
      context.willSend(messages.length, `${messages.length} message(s) between the agents through Postal's API`);
      const fates: MessageFate[] = [];
      const send = async (i: number): Promise<void> => {
        const message = messages[i]!;
        const fate: MessageFate = { message, sentAt: Date.now(), send: {}, arrivals: [] };
        fates[i] = fate;
        const from = target.accounts.find((a) => a.agentId === message.fromAgentId)?.address ?? message.fromAgentId;
        fate.send = await sendMessage(
          postal,
          keyOf(message.fromAgentId),
          { from, to: message.to, content: message.content },
          { timeoutMs: sendTimeoutMs(target.timeouts.connectMs, message.content) },
        );
        if (fate.send.postalId !== undefined) context.sawPostalId(fate.send.postalId);
      };
      // Each message at its own instant (all at once without an interval), every answer awaited; a large one
      // (near the size limit) after the others, alone, as an agent's upload would go.
      const large = messages
        .map((m, i) => ({ m, i }))
        .filter(({ m }) => m.content.attachments.some((a) => a.content.length > LARGE_BYTES))
        .map(({ i }) => i);
      const ordinary = messages.map((_, i) => i).filter((i) => !large.includes(i));
      await atPace(ordinary.length, options.intervalMs ? 1000 / options.intervalMs : Infinity, (n) => send(ordinary[n]!));
      for (const i of large) await send(i);
      const agents = options.watchAgents ?? [...new Set(messages.map((m) => m.toAgentId))];
      return waitFor(
        fates,
        agents,
        options.deadlineMs ?? target.timeouts.deliveryMs,
        `${messages.length} message(s) in ${agents.length} agent inbox(es)`,
        (fate) =>
          context
            .records()
            .trail(
              keyOf(fate.message.fromAgentId),
              fate.send.postalId,
              ownDomain(fate.message.to) ? { messageIdHeader: fate.send.messageIdHeader, rcptTo: fate.message.to } : undefined,
            ),
      );
    },

    async sendFromOutside(message) {
      const outside = target.outsideSender;
      if (!outside) throw new ProbeUnavailable(NO_OUTSIDE_SENDER);
      reader();
      context.willSend(1, `one message from outside through ${outside.host}`);
      const fate: MessageFate = { message: { ...message, fromAgentId: 'outside' }, sentAt: Date.now(), send: {}, arrivals: [] };
      const since = context.newestPostalId();
      let submission: string;
      try {
        const server = { ...outside, host: await context.addressOf(outside.host), servername: outside.servername ?? outside.host };
        const { content } = message;
        const sent = await submitMessage(
          server,
          {
            from: outside.from,
            to: message.to,
            subject: content.subject,
            text: content.text,
            ...(content.html ? { html: content.html } : {}),
            attachments: content.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
          },
          { ca: target.trustedCaPem, timeoutMs: target.timeouts.connectMs },
        );
        submission = sent.response;
        fate.send = { messageIdHeader: sent.messageId.replace(/^<|>$/g, ''), response: sent.response };
      } catch (error) {
        // The outside sender refusing our own login says nothing of Postal: FN-07 is blocked by it.
        if ((error as { code?: string }).code === 'EAUTH')
          throw new ProbeBlocked(
            `the outside sender ${outside.host}:${outside.port} refused the login of ${outside.user} (OUTSIDE_SMTP_PASSWORD? OUTSIDE_SMTP_USER?): ${(error as Error).message}`,
          );
        fate.send = { error: `the outside sender ${outside.host}:${outside.port} refused or failed: ${(error as Error).message}` };
        submission = fate.send.error!;
      }
      const apiKey = target.accounts[0]?.apiKey;
      const observation = await waitFor(
        [fate],
        [message.toAgentId],
        target.timeouts.deliveryMs,
        `mail from outside in ${message.toAgentId}'s inbox`,
        async (f) =>
          apiKey && f.send.messageIdHeader && target.postal
            ? context.records().trailByMessageId(apiKey, f.send.messageIdHeader, message.to, since, 'incoming')
            : undefined,
      );
      return { ...observation, submission };
    },

    async waitForSubject(agentId, subject) {
      const content: ProbeContent = { subject, subjectKey: subject, text: '', html: '', attachments: [] };
      const fate: MessageFate = {
        message: { id: subject, fromAgentId: '?', to: agentId, toAgentId: agentId, content },
        sentAt: Date.now(),
        send: {},
        arrivals: [],
      };
      const observation = await waitFor([fate], [agentId], target.timeouts.deliveryMs, `"${subject}" in ${agentId}'s inbox`, () =>
        Promise.resolve(undefined),
      );
      return { arrived: fate.arrivals.length > 0, readerError: observation.readerErrors[agentId] };
    },
  };
}

/** An agent inbox entry as the delivery check compares it: every part the listing shows. */
export function receivedFromEntry(entry: InboxEntry): ReceivedContent {
  return {
    subject: entry.subject ?? null,
    text: entry.plainBody === undefined ? undefined : entry.plainBody,
    html: entry.htmlBody === undefined ? undefined : entry.htmlBody,
    attachments: Array.isArray(entry.attachments) ? entry.attachments : undefined,
    ...(typeof entry.attachmentQuantity === 'number' ? { attachmentQuantity: entry.attachmentQuantity } : {}),
  };
}

/** The observation in the terms of the delivery check: what was sent, what was found, and why not. */
export function asDeliveryInput(observation: DeliveryObservation): {
  expected: SentMessage[];
  observed: ObservedMessage[];
  deadlineMs: number;
} {
  const expected: SentMessage[] = [];
  const observed: ObservedMessage[] = [];
  for (const fate of observation.fates) {
    const { message } = fate;
    const atRecipient = fate.arrivals.filter((a) => a.agentId === message.toAgentId);
    const elsewhere = fate.arrivals.filter((a) => a.agentId !== message.toAgentId);
    expected.push({
      id: message.id,
      from: message.fromAgentId,
      to: message.to,
      toAgent: message.toAgentId,
      content: expectedContent(message.content),
      ...(fate.send.error !== undefined ? { sendError: fate.send.error } : {}),
      ...(fate.trail ? { trail: fate.trail } : {}),
    });
    const first = atRecipient[0];
    observed.push({
      id: message.id,
      to: message.to,
      found: Boolean(first),
      ...(first ? { copies: atRecipient.length, content: receivedFromEntry(first.entry), where: `${message.toAgentId} inbox` } : {}),
      ...(first?.elapsedMs !== undefined ? { elapsedMs: first.elapsedMs } : {}),
      ...(observation.readerErrors[message.toAgentId] ? { readerError: observation.readerErrors[message.toAgentId] } : {}),
    });
    for (const other of elsewhere) observed.push({ id: message.id, to: other.agentId, found: true, where: `${other.agentId} inbox` });
  }
  return { expected, observed, deadlineMs: observation.deadlineMs };
}
