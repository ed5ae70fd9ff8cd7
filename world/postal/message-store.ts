/**
 * The stand-in's message database: what Postal keeps per server in `postal-server-<id>` (messages and
 * deliveries), in memory. One message per recipient, numeric ids from 1, 16-alphanumeric tokens.
 */
import type { ManifestEndpoint, ManifestRoute } from '../../core/artifacts/accounts-manifest.ts';
import { randomAlphanumeric } from './random-token.ts';

export type MessageStatus = 'Pending' | 'Sent' | 'SoftFail' | 'HardFail' | 'Held' | 'Bounced' | 'Processed';
export type MessageScope = 'outgoing' | 'incoming';

export interface Delivery {
  id: number;
  status: MessageStatus;
  details: string;
  output: string | null;
  sent_with_ssl: boolean;
  log_id: string | null;
  /** seconds the attempt took */
  time: number | null;
  /** unix seconds (float) */
  timestamp: number;
}

export interface Inspection {
  inspected: boolean;
  spam: boolean;
  spamScore: number;
  threat: boolean;
  threatDetails: string | null;
}

export interface StoredMessage {
  id: number;
  token: string;
  scope: MessageScope;
  rcptTo: string;
  mailFrom: string;
  /** the message as Postal stores it (incoming: with the X-Postal-Spam* headers once inspected) */
  raw: Buffer;
  subject: string | null;
  /** Message-ID header without <> */
  messageId: string | null;
  /** unix seconds (float) */
  timestamp: number;
  bounce: boolean;
  tag: string | null;
  receivedWithSsl: boolean | null;
  status: MessageStatus;
  held: boolean;
  holdExpiry: number | null;
  lastDeliveryAttempt: number | null;
  inspection: Inspection;
  /** incoming only: the route it was accepted for */
  route?: ManifestRoute;
  /** incoming only: the endpoint when it is not the route's own (an additional route endpoint) */
  endpoint?: ManifestEndpoint;
  /** outgoing only: the credential it was sent with (API: the agent whose key it was; SMTP) */
  credential?: { type: 'API' | 'SMTP'; agentId?: string };
  deliveries: Delivery[];
  /** delivery attempts so far (for backoff) */
  attempts: number;
  /** unix ms when the message was queued (for the queue-latency metric) */
  queuedAt: number;
}

export interface NewMessage {
  scope: MessageScope;
  rcptTo: string;
  mailFrom: string;
  raw: Buffer;
  subject?: string | null;
  messageId?: string | null;
  bounce?: boolean;
  tag?: string | null;
  receivedWithSsl: boolean | null;
  route?: ManifestRoute;
  endpoint?: ManifestEndpoint;
  credential?: { type: 'API' | 'SMTP'; agentId?: string };
}

export class MessageStore {
  private nextMessageId = 1;
  private nextDeliveryId = 1;
  private readonly messages = new Map<number, StoredMessage>();

  create(input: NewMessage): StoredMessage {
    const now = Date.now();
    const message: StoredMessage = {
      id: this.nextMessageId++,
      token: randomAlphanumeric(16),
      scope: input.scope,
      rcptTo: input.rcptTo,
      mailFrom: input.mailFrom,
      raw: input.raw,
      subject: input.subject ?? null,
      messageId: input.messageId ?? null,
      timestamp: now / 1000,
      bounce: input.bounce ?? false,
      tag: input.tag ?? null,
      receivedWithSsl: input.receivedWithSsl,
      status: 'Pending',
      held: false,
      holdExpiry: null,
      lastDeliveryAttempt: null,
      inspection: { inspected: false, spam: false, spamScore: 0, threat: false, threatDetails: null },
      route: input.route,
      ...(input.endpoint ? { endpoint: input.endpoint } : {}),
      ...(input.credential ? { credential: input.credential } : {}),
      deliveries: [],
      attempts: 0,
      queuedAt: now,
    };
    this.messages.set(message.id, message);
    return message;
  }

  get(id: number): StoredMessage | undefined {
    return this.messages.get(id);
  }

  all(): StoredMessage[] {
    return [...this.messages.values()];
  }

  /** Outgoing messages sent (or being sent) since `sinceMs`: what Server#send_limit counts over the last hour. */
  outgoingSince(sinceMs: number): number {
    let n = 0;
    for (const m of this.messages.values()) if (m.scope === 'outgoing' && m.timestamp * 1000 >= sinceMs && m.status !== 'Held') n++;
    return n;
  }

  /** Records one attempt (or decision) and moves the message to that status, as Postal's `create_delivery` does. */
  addDelivery(message: StoredMessage, delivery: Omit<Delivery, 'id' | 'timestamp'>): Delivery {
    const record: Delivery = { id: this.nextDeliveryId++, timestamp: Date.now() / 1000, ...delivery };
    message.deliveries.push(record);
    message.status = delivery.status;
    message.held = delivery.status === 'Held';
    message.lastDeliveryAttempt = record.timestamp;
    return record;
  }
}
