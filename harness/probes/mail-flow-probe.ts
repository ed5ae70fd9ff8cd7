/**
 * Mail through the deployment, end to end: send as an agent through Postal's API (or from outside
 * through a submission service), then read the agents' inboxes until every message has arrived where
 * it should or the target's delivery deadline passes. What never arrived gets Postal's own delivery
 * record; an inbox that could not be read says why. Nothing here decides pass or fail.
 */
import { pollUntil } from '../../core/poll.ts';
import type { ObservedMessage, SentMessage } from '../checks/message-delivery-check.ts';
import { normalisedBodyHash } from '../controls/mail-probe.ts';
import { listInbox, type InboxEntry } from '../clients/inbox-reader.ts';
import { messageIdFor, postalDeliveryStatus } from '../clients/postal-delivery-status.ts';
import { submitMessage } from '../clients/smtp-submit.ts';
import { atPace } from './api-load-probe.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';
import { NO_INBOX_READER, NO_OUTSIDE_SENDER, ProbeBlocked, ProbeUnavailable } from './probe-unavailable.ts';
import { textOf } from '../../core/text-of.ts';

export interface AgentMessage {
  /** Names the message in evidence; unique within one call. */
  id: string;
  fromAgentId: string;
  to: string;
  /** The agent whose inbox it must reach. */
  toAgentId: string;
  subject: string;
  body: string;
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
  /** Postal's numeric id, from the send answer. */
  postalId?: number;
  /** Postal refused the send: its status and code. */
  apiError?: string;
  /** Every inbox it was found in. */
  arrivals: Arrival[];
  /** For a message that did not reach its agent: what Postal's delivery record says. */
  postalDelivery?: string;
}

export interface DeliveryObservation {
  fates: MessageFate[];
  /** Inboxes that could not be read at the last look, and why. */
  readerErrors: Record<string, string>;
  waitedMs: number;
}

export interface MailFlowProbe {
  /** Sends every message through the API as its agent, then waits for all in the watched inboxes. */
  sendAsAgents(messages: AgentMessage[], options?: { watchAgents?: string[]; deadlineMs?: number; intervalMs?: number }): Promise<DeliveryObservation>;
  /** Submits one message from outside the deployment (FN-07) and waits for it in the agent's inbox. */
  sendFromOutside(message: Omit<AgentMessage, 'fromAgentId'>): Promise<DeliveryObservation & { submission: string }>;
  /** Waits until `subject` shows in an agent's inbox (or the deadline), e.g. after a CLI sent it. */
  waitForSubject(agentId: string, subject: string): Promise<{ arrived: boolean; readerError?: string }>;
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

  async function waitFor(fates: MessageFate[], agents: string[], deadlineMs: number, what: string): Promise<DeliveryObservation> {
    const readerErrors: Record<string, string> = {};
    const settled = (fate: MessageFate) => fate.apiError !== undefined || fate.arrivals.some((a) => a.agentId === fate.message.toAgentId);
    const polled = await awaiting(context, what, deadlineMs, () =>
      pollUntil(
        async () => {
          const listed = await look(agents, readerErrors);
          for (const fate of fates) {
            fate.arrivals = [...listed].flatMap(([agentId, entries]) =>
              entries.filter((e) => e.subject === fate.message.subject).map((entry) => ({ agentId, entry, elapsedMs: entry.receivedAt ? Date.parse(entry.receivedAt) - fate.sentAt : undefined })),
            );
          }
          return fates.every(settled);
        },
        Boolean,
        { timeoutMs: deadlineMs, intervalMs: 200, maxIntervalMs: 2_000 },
      ),
    );
    return { fates, readerErrors, waitedMs: polled.elapsedMs };
  }

  return {
    async sendAsAgents(messages, options = {}) {
      const postal = context.postal();
      reader();
      context.willSend(messages.length, `${messages.length} message(s) between the agents through Postal's API`);
      const fates: MessageFate[] = [];
      // Each message at its own instant (all at once without an interval), every answer awaited.
      await atPace(messages.length, options.intervalMs ? 1000 / options.intervalMs : Infinity, async (i) => {
        const message = messages[i]!;
        const fate: MessageFate = { message, sentAt: Date.now(), arrivals: [] };
        fates[i] = fate;
        try {
          const answer = await postal.call('send/message', keyOf(message.fromAgentId), {
            to: [message.to],
            from: target.accounts.find((a) => a.agentId === message.fromAgentId)?.address,
            subject: message.subject,
            plain_body: message.body,
          });
          if (answer.status === 'success') fate.postalId = messageIdFor(answer, message.to);
          else fate.apiError = `${answer.status} ${textOf(answer.data.code ?? answer.data.message)}`.trim();
        } catch (error) {
          fate.apiError = `no answer from the API: ${(error as Error).message}`;
        }
      });
      const agents = options.watchAgents ?? [...new Set(messages.map((m) => m.toAgentId))];
      const observation = await waitFor(fates, agents, options.deadlineMs ?? target.timeouts.deliveryMs, `${messages.length} message(s) in ${agents.length} agent inbox(es)`);
      for (const fate of fates) {
        if (fate.apiError === undefined && !fate.arrivals.some((a) => a.agentId === fate.message.toAgentId)) {
          fate.postalDelivery = await postalDeliveryStatus(postal, keyOf(fate.message.fromAgentId), fate.postalId);
        }
      }
      return observation;
    },

    async sendFromOutside(message) {
      const outside = target.outsideSender;
      if (!outside) throw new ProbeUnavailable(NO_OUTSIDE_SENDER);
      reader();
      context.willSend(1, `one message from outside through ${outside.host}`);
      const fate: MessageFate = { message: { ...message, fromAgentId: 'outside' }, sentAt: Date.now(), arrivals: [] };
      let submission: string;
      try {
        const server = { ...outside, host: await context.addressOf(outside.host), servername: outside.servername ?? outside.host };
        submission = (await submitMessage(server, { from: outside.from, to: message.to, subject: message.subject, text: message.body }, { ca: target.trustedCaPem, timeoutMs: target.timeouts.connectMs })).response;
      } catch (error) {
        // The outside sender refusing our own login says nothing of Postal: FN-07 is blocked by it.
        if ((error as { code?: string }).code === 'EAUTH') throw new ProbeBlocked(`the outside sender ${outside.host}:${outside.port} refused the login of ${outside.user} (OUTSIDE_SMTP_PASSWORD? OUTSIDE_SMTP_USER?): ${(error as Error).message}`);
        fate.apiError = `the outside sender ${outside.host}:${outside.port} refused or failed: ${(error as Error).message}`;
        submission = fate.apiError;
      }
      const observation = await waitFor([fate], [message.toAgentId], target.timeouts.deliveryMs, `mail from outside in ${message.toAgentId}'s inbox`);
      return { ...observation, submission };
    },

    async waitForSubject(agentId, subject) {
      const fate: MessageFate = { message: { id: subject, fromAgentId: '?', to: agentId, toAgentId: agentId, subject, body: '' }, sentAt: Date.now(), arrivals: [] };
      const observation = await waitFor([fate], [agentId], target.timeouts.deliveryMs, `"${subject}" in ${agentId}'s inbox`);
      return { arrived: fate.arrivals.length > 0, readerError: observation.readerErrors[agentId] };
    },
  };
}

/** The observation in the terms of the delivery check: what was sent, what was found, and why not. */
export function asDeliveryInput(observation: DeliveryObservation): { expected: SentMessage[]; observed: ObservedMessage[] } {
  const expected: SentMessage[] = [];
  const observed: ObservedMessage[] = [];
  for (const fate of observation.fates) {
    const { message } = fate;
    const arrival = fate.arrivals.find((a) => a.agentId === message.toAgentId);
    const readerError = observation.readerErrors[message.toAgentId];
    expected.push({ id: message.id, from: message.fromAgentId, to: message.to, subject: message.subject, bodySha256: normalisedBodyHash(message.body), postalDelivery: fate.postalDelivery });
    observed.push({
      id: message.id,
      to: message.to,
      found: Boolean(arrival),
      subject: arrival?.entry.subject,
      bodySha256: arrival?.entry.plainBody !== undefined ? normalisedBodyHash(arrival.entry.plainBody) : undefined,
      elapsedMs: arrival?.elapsedMs,
      where: arrival ? `${message.toAgentId} inbox` : (fate.apiError ?? (readerError ? `${message.toAgentId}'s inbox could not be read: ${readerError}` : undefined)),
    });
  }
  return { expected, observed };
}
