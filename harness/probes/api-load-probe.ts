/**
 * Load on Postal's send API at a set pace (PERF-01): every message at its own scheduled instant, each
 * answer counted, then the recipient's inbox read until every accepted message arrived or the deadline
 * passed; what did not arrive gets Postal's record (Held by a send limit, still queued, bounced). The pace
 * is the plan's, the count the run's cap: a capped run says so in its facts.
 */
import { pollUntil } from '../../core/poll.ts';
import type { PostalTrail } from '../checks/delivery-causes.ts';
import { listInbox } from '../clients/inbox-reader.ts';
import { sendMessage } from '../clients/postal-send.ts';
import { probeBody, probeSubject } from '../messages/probe-message.ts';
import { atPace } from '../load/at-pace.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';
import { NO_INBOX_READER, ProbeUnavailable } from './probe-unavailable.ts';

export interface LoadOutcome {
  sent: number;
  errors: Array<{ status: string; code?: string }>;
  elapsedMs: number;
  /** Accepted messages found in the recipient's inbox. */
  arrived: number;
  /** First to last arrival, by the receiver's stamps. */
  arrivalWindowMs?: number;
  /** Accepted messages that did not arrive, with Postal's record of each. */
  notArrived: Array<{ trail?: PostalTrail }>;
}

export interface ApiLoadProbe {
  /** Sends `count` messages at `perSecond` from the first agent to `to` (the inbox of `toAgentId`), tagged as load. */
  sendAtPace(count: number, perSecond: number, to: string, toAgentId: string): Promise<LoadOutcome>;
}

const LOAD_LABEL = /PERF-01 (\d+)\//;
/** How many missing messages Postal is asked about. */
const MAX_LOOKUPS = 50;

export function apiLoadProbe(context: ProbeContext): ApiLoadProbe {
  return {
    async sendAtPace(count, perSecond, to, toAgentId) {
      const { target, run } = context;
      const postal = context.postal();
      const reader = target.inboxReader;
      if (!reader) throw new ProbeUnavailable(NO_INBOX_READER);
      const sender = target.accounts[0];
      if (!sender) throw new Error('the target gives no agent API key');
      context.willSend(count, `${count} load messages at ${perSecond}/s`);
      const errors: LoadOutcome['errors'] = [];
      const accepted = new Map<number, { postalId?: number }>();
      const elapsedMs = await atPace(count, perSecond, async (i) => {
        // Short messages, the routing probe's kind: the rate of messages, not of bytes (FN-01 carries the large ones).
        const subject = probeSubject(run.runToken, `PERF-01 ${i + 1}/${count}`);
        const outcome = await sendMessage(postal, sender.apiKey, {
          from: sender.address,
          to,
          content: { subject, text: probeBody(run.runToken, `throughput ${i + 1}`), html: '', attachments: [] },
          tag: 'postal-qa-load',
        });
        if (outcome.error !== undefined) {
          const [status, ...code] = outcome.error.split(' ');
          errors.push({ status: status!, code: code.join(' ') });
        } else {
          accepted.set(i + 1, { postalId: outcome.postalId });
          if (outcome.postalId !== undefined) context.sawPostalId(outcome.postalId);
        }
      });
      const arrivedAt = new Map<number, number>();
      await awaiting(context, `${accepted.size} load message(s) in ${toAgentId}'s inbox`, target.timeouts.deliveryMs, () =>
        pollUntil(
          async () => {
            for (const entry of await listInbox(reader, toAgentId, run.runToken, context.http, target.timeouts.connectMs).catch(() => [])) {
              const n = Number(LOAD_LABEL.exec(entry.subject ?? '')?.[1]);
              if (accepted.has(n) && !arrivedAt.has(n)) arrivedAt.set(n, entry.receivedAt ? Date.parse(entry.receivedAt) : Date.now());
            }
            return arrivedAt.size >= accepted.size;
          },
          Boolean,
          { timeoutMs: target.timeouts.deliveryMs, intervalMs: 500, maxIntervalMs: 2_000 },
        ),
      );
      const notArrived: LoadOutcome['notArrived'] = [];
      for (const [n, { postalId }] of accepted) {
        if (arrivedAt.has(n)) continue;
        // Postal is asked about the first ones; the rest are counted, unnamed.
        notArrived.push(notArrived.length < MAX_LOOKUPS ? { trail: await context.records().trail(sender.apiKey, postalId) } : {});
      }
      const times = [...arrivedAt.values()];
      return {
        sent: accepted.size,
        errors,
        elapsedMs,
        arrived: arrivedAt.size,
        ...(times.length > 1 ? { arrivalWindowMs: Math.max(...times) - Math.min(...times) } : {}),
        notArrived,
      };
    },
  };
}
