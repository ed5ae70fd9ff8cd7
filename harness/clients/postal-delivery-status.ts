import type { PostalLeg, PostalTrail } from '../checks/delivery-causes.ts';
import type { PostalApi } from './postal-api-client.ts';

export type { PostalTrail };

interface MessageDetails {
  status?: { status?: string; held?: boolean };
  details?: { message_id?: string | null; direction?: string; rcpt_to?: string };
}

type Delivery = { status?: string; details?: string; output?: string | null };

/** How far past the outgoing message the incoming one Postal's MX made of it is looked for (message ids are per server). */
const INBOUND_SEARCH = 200;
/** Ids past the newest message answer MessageNotFound: a few in a row end the search. */
const PAST_THE_END = 3;

/**
 * Postal's own record of messages, read through its API (messages/message, messages/deliveries): the
 * status and last attempt of a message, and — for mail between the agents, which Postal hands to its own
 * MX — the incoming message that hand-over made, found by its Message-ID among the ids that follow.
 * Safe for evidence: no key, no message content. One reader per probe keeps what it has looked up.
 */
export function postalRecords(postal: PostalApi) {
  const seen = new Map<number, MessageDetails | 'none'>();

  async function details(apiKey: string, id: number): Promise<MessageDetails | 'none'> {
    const known = seen.get(id);
    if (known && known !== 'none' && known.status?.status !== 'Pending') return known;
    const answer = await postal.call<MessageDetails & { code?: string }>('messages/message', apiKey, {
      id,
      _expansions: ['status', 'details'],
    });
    const value: MessageDetails | 'none' = answer.status === 'success' ? answer.data : 'none';
    if (answer.status !== 'success' && answer.data.code !== 'MessageNotFound')
      throw new Error(`messages/message ${id}: ${answer.status} ${String(answer.data.code ?? '')}`.trim());
    seen.set(id, value);
    return value;
  }

  async function leg(apiKey: string, id: number, direction: PostalLeg['direction']): Promise<PostalLeg> {
    const message = await details(apiKey, id);
    const deliveries = await postal.call<Delivery[]>('messages/deliveries', apiKey, { id });
    const attempts = Array.isArray(deliveries.data) ? deliveries.data : [];
    // After the last retry Postal's final record only says the attempts ran out; the cause is in the last SoftFail.
    const last = attempts.at(-1);
    const cause =
      last?.status === 'HardFail' && /Maximum number of delivery attempts/.test(last.details ?? '')
        ? ([...attempts].reverse().find((a) => a.status === 'SoftFail') ?? last)
        : last;
    const status = message === 'none' ? 'unknown' : (message.status?.status ?? 'unknown');
    return {
      id,
      direction,
      ...(message !== 'none' && message.details?.rcpt_to ? { rcptTo: message.details.rcpt_to } : {}),
      status,
      attempts: attempts.length,
      ...(cause?.details ? { details: cause.details } : {}),
      ...(cause?.output ? { output: String(cause.output) } : {}),
    };
  }

  /** The message with this Message-ID, recipient and direction, among the ids after `afterId`. */
  async function find(
    apiKey: string,
    messageIdHeader: string,
    rcptTo: string,
    afterId: number,
    direction: PostalLeg['direction'] = 'incoming',
  ): Promise<number | undefined> {
    const wanted = messageIdHeader.replace(/^<|>$/g, '');
    let pastTheEnd = 0;
    for (let id = afterId + 1; id <= afterId + INBOUND_SEARCH; id++) {
      const message = await details(apiKey, id);
      if (message === 'none') {
        if (++pastTheEnd >= PAST_THE_END) return undefined;
        continue;
      }
      pastTheEnd = 0;
      const d = message.details;
      if (
        d?.direction === direction &&
        d.message_id?.replace(/^<|>$/g, '') === wanted &&
        (d.rcpt_to ?? '').toLowerCase() === rcptTo.toLowerCase()
      )
        return id;
    }
    return undefined;
  }

  return {
    /**
     * What Postal recorded of one message it accepted: its own leg, and for a recipient on the deployment's
     * domain (`inbound`), the incoming message its MX made of it. Never throws: a failure to ask is recorded.
     */
    async trail(
      apiKey: string,
      messageId: number | undefined,
      inbound?: { messageIdHeader?: string; rcptTo: string },
    ): Promise<PostalTrail | undefined> {
      if (messageId === undefined) return undefined;
      try {
        const outgoing = await leg(apiKey, messageId, 'outgoing');
        const trail: PostalTrail = { outgoing, ...(inbound ? { inboundExpected: true } : {}) };
        if (inbound?.messageIdHeader && outgoing.status === 'Sent') {
          const id = await find(apiKey, inbound.messageIdHeader, inbound.rcptTo, messageId);
          if (id !== undefined) trail.inbound = await leg(apiKey, id, 'incoming');
        }
        return trail;
      } catch (error) {
        return { error: `could not ask Postal about message ${messageId}: ${(error as Error).message}` };
      }
    },

    /**
     * A message whose id Postal did not give us (SMTP submission, mail from outside): found by its Message-ID
     * among the ids after `afterId` (the newest this probe knows), with the direction Postal gave it.
     */
    async trailByMessageId(
      apiKey: string,
      messageIdHeader: string,
      rcptTo: string,
      afterId: number,
      direction: PostalLeg['direction'],
    ): Promise<PostalTrail | undefined> {
      try {
        const id = await find(apiKey, messageIdHeader, rcptTo, afterId, direction);
        if (id === undefined)
          return direction === 'incoming'
            ? { inboundExpected: true }
            : { error: `no ${direction} message with Message-ID ${messageIdHeader} among Postal's ${INBOUND_SEARCH} newest` };
        const found = await leg(apiKey, id, direction);
        return direction === 'incoming' ? { inbound: found, inboundExpected: true } : { outgoing: found };
      } catch (error) {
        return { error: `could not ask Postal about the message: ${(error as Error).message}` };
      }
    },
  };
}

export type PostalRecords = ReturnType<typeof postalRecords>;

/** The numeric message id Postal's send answer gives for one recipient. */
export function messageIdFor(answer: { data: Record<string, unknown> }, recipient: string): number | undefined {
  const messages = answer.data.messages as Record<string, { id?: number }> | undefined;
  const id = messages?.[recipient.toLowerCase()]?.id ?? messages?.[recipient]?.id;
  return typeof id === 'number' ? id : undefined;
}
