/**
 * Postal's `worker` process in-process: a queue of messages, each processed like MessageDequeuer's
 * outgoing and incoming processors, one delivery record per attempt, retries with backoff.
 *
 * Limitation: Postal retries after 5 min × 1.3^attempts for 18 attempts; the stand-in's default is
 * 200 ms × 1.3^attempts for 5 attempts, so a retry is observable within a test's deadline.
 *
 * Pickup: by default a queued message is processed at once. With `poll`, as Postal's worker does
 * (app/lib/worker/process.rb:141-146, jobs/process_queued_messages_job.rb:45-51): each of `threads` loops takes one
 * message per tick and ticks again at once after work, or after `workSleepMs` (Postal: 5 s) when it found none —
 * so a message queued to an idle worker waits up to 5 s.
 */
import type { ManifestRoute } from '../../core/artifacts/accounts-manifest.ts';
import type { SpamScorer } from '../../core/spam/spam-scorer.ts';
import { hashPayload, rawMessagePayload } from './hash-payload.ts';
import { rewriteContent, stripNonAscii, trackLinks } from './rewrite-content.ts';
import { postToEndpoint, type HttpSenderOptions } from './http-sender.ts';
import { parseHeaders, lastHeader, prependHeaders } from './mail-headers.ts';
import type { MessageStore, StoredMessage } from './message-store.ts';
import type { MetricsRegistry } from './metrics.ts';
import type { OutgoingIdentity } from './outgoing-identity.ts';
import { POSTAL_DEFAULTS, type PostalConfig } from './postal-config.ts';
import type { SendResult } from './send-result.ts';
import type { SmtpSender } from './smtp-sender.ts';

export interface RetryPolicy {
  baseDelayMs: number;
  factor: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 200, factor: 1.3, maxAttempts: 5 };

export interface WorkerOptions {
  config: PostalConfig;
  store: MessageStore;
  metrics: MetricsRegistry;
  identity: OutgoingIdentity;
  smtpSender: SmtpSender;
  http: HttpSenderOptions;
  /** Absent when Postal has no spamd/rspamd configured (its default). */
  spamScorer?: SpamScorer;
  retry: RetryPolicy;
  /** messages processed at once (Postal: 2 threads per worker; higher here so the world is never the bottleneck) */
  concurrency?: number;
  /** Postal's polling worker (see above); absent: each message is picked up as soon as it is queued */
  poll?: WorkerPoll;
}

export interface WorkerPoll {
  /** postal.yml worker.threads (default 2) */
  threads: number;
  /** how long an idle thread sleeps before it looks again (Postal: work_sleep_time 5 s) */
  workSleepMs: number;
}

/** Postal 3.3.2's worker: 2 threads (config_schema.rb:134-137 worker.threads), 5 s between idle ticks (process.rb:49). */
export const POSTAL_WORKER_POLL: WorkerPoll = { threads: 2, workSleepMs: 5_000 };

const JOB = 'ProcessQueuedMessagesJob';

export class Worker {
  private readonly ready: StoredMessage[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private active = true;
  private readonly idleWaiters: Array<() => void> = [];
  /** poll mode: wakes the threads' sleeps on stop or resume */
  private wake: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: WorkerOptions) {
    if (options.poll) for (let i = 0; i < options.poll.threads; i++) void this.thread(options.poll.workSleepMs);
  }

  /** One of Postal's work threads: one message per tick; the next tick at once after work, after the sleep without. */
  private async thread(workSleepMs: number): Promise<void> {
    while (!this.stopped) {
      const message = this.active ? this.ready.shift() : undefined;
      if (message) {
        this.inFlight++;
        try {
          await this.process(message);
        } finally {
          this.inFlight--;
          if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = this.wake.filter((w) => w !== done);
          resolve();
        }, workSleepMs);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.wake.push(done);
      });
    }
  }

  get running(): boolean {
    return this.active;
  }

  enqueue(message: StoredMessage, delayMs = 0): void {
    if (delayMs <= 0) {
      this.ready.push(message);
      this.pump();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(message);
      this.pump();
    }, delayMs);
    this.timers.add(timer);
  }

  /** Stops taking messages from the queue (in-flight ones finish); queued messages wait. */
  pause(): void {
    this.active = false;
  }

  resume(): void {
    this.active = true;
    // A restarted worker's threads tick at once.
    this.wake.splice(0).forEach((w) => w());
    this.pump();
  }

  /** Stops for good: clears retry timers and waits for in-flight work. */
  async stop(): Promise<void> {
    this.active = false;
    this.stopped = true;
    this.wake.splice(0).forEach((w) => w());
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    // Polling threads find the message at their next tick.
    if (this.options.poll) return;
    const limit = this.options.concurrency ?? 32;
    while (this.active && this.inFlight < limit && this.ready.length > 0) {
      const message = this.ready.shift()!;
      this.inFlight++;
      void this.process(message).finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
        this.pump();
      });
    }
  }

  private async process(message: StoredMessage): Promise<void> {
    const { metrics } = this.options;
    const started = performance.now();
    if (message.attempts === 0) metrics.observe('postal_message_queue_latency', (Date.now() - message.queuedAt) / 1000);
    try {
      if (message.scope === 'outgoing') await this.processOutgoing(message);
      else await this.processIncoming(message);
      metrics.inc('postal_message_queue_processed');
    } catch (error) {
      metrics.inc('postal_worker_errors', { error: (error as Error).name || 'Error' });
      message.attempts++;
      this.options.store.addDelivery(message, {
        status: 'SoftFail',
        details: `An internal error occurred while sending this message: ${(error as Error).message}`,
        output: null,
        sent_with_ssl: false,
        log_id: null,
        time: null,
      });
      this.scheduleRetry(message);
    } finally {
      metrics.inc('postal_worker_job_executions', { job: JOB });
      metrics.observe('postal_worker_job_runtime', (performance.now() - started) / 1000, { job: JOB });
    }
  }

  private async processOutgoing(message: StoredMessage): Promise<void> {
    const { config, store, identity } = this.options;
    const { faults } = config;
    const decide = (status: 'Held' | 'HardFail', details: string): void => {
      store.addDelivery(message, { status, details, output: null, sent_with_ssl: false, log_id: null, time: null });
    };
    if (!message.tag) message.tag = lastHeader(parseHeaders(message.raw), 'x-postal-tag');
    // outgoing_message_processor.rb, in its order: credential hold, suppression list, parse_content (click
    // tracking), inspect/fail_if_spam, add_outgoing_headers (signed once, stored with the message: a retry keeps
    // that signature), check_send_limits, development mode.
    if (
      message.credential?.type === 'API' &&
      message.credential.agentId &&
      faults.holdCredentialsOf?.includes(message.credential.agentId)
    ) {
      decide('Held', 'Credential is configured to hold all messages authenticated by it.');
      return;
    }
    if (faults.suppressedRecipients?.some((r) => r.toLowerCase() === message.rcptTo.toLowerCase())) {
      decide('Held', `Recipient (${message.rcptTo}) is on the suppression list (reason: too many hard fails)`);
      return;
    }
    const signedBefore = /^X-Postal-MsgID:/im.test(message.raw.subarray(0, headerEnd(message.raw)).toString('latin1'));
    if (!signedBefore) {
      if (faults.stripNonAsciiOutgoing) message.raw = await rewriteContent(message.raw, { text: stripNonAscii, html: stripNonAscii });
      if (faults.clickTracking) message.raw = await rewriteContent(message.raw, { html: trackLinks(faults.clickTracking, message.token) });
    }
    if (faults.outboundSpamThreshold !== undefined) {
      // No inspector configured: Postal's inspection has no checks and scores 0 (message_inspection.rb).
      const verdict = this.options.spamScorer
        ? await this.options.spamScorer
            .check(message.raw, { mailFrom: message.mailFrom, rcptTo: message.rcptTo, queueId: message.token })
            .catch(() => undefined)
        : { score: 0 };
      if (verdict && verdict.score >= faults.outboundSpamThreshold) {
        decide('HardFail', `Message is likely spam. Threshold is ${faults.outboundSpamThreshold} and the message scored ${verdict.score}.`);
        return;
      }
    }
    // Fault: an SMTP credential of a second mail server, whose copy of the domain never passed Postal's DNS check.
    const dkim = message.credential?.type === 'SMTP' && faults.smtpCredentialOnUncheckedServer ? identity.fallbackDkim() : identity.dkim();
    if (!signedBefore) message.raw = identity.sign(message.raw, dkim, message.token);
    if (faults.sendLimitPerHour !== undefined && this.options.store.outgoingSince(Date.now() - 3_600_000) > faults.sendLimitPerHour) {
      decide('Held', `Message held because send limit (${faults.sendLimitPerHour}) has been reached.`);
      return;
    }
    if (config.manifest.server.mode === 'Development') {
      decide('Held', 'Server is in development mode.');
      return;
    }
    const mailFrom = identity.mailFrom(message.bounce);
    // Resent-Sender goes on after signing, so the signature does not cover it (smtp_sender.rb).
    const signed = prependHeaders(message.raw, [`Resent-Sender: ${mailFrom}`]);
    const result = await this.options.smtpSender.send({ from: mailFrom, to: message.rcptTo }, signed);
    this.record(message, result);
  }

  private async processIncoming(message: StoredMessage): Promise<void> {
    const { config, store } = this.options;
    const held = (details: string, status: 'Held' | 'HardFail' = 'Held'): void => {
      store.addDelivery(message, { status, details, output: null, sent_with_ssl: false, log_id: null, time: null });
    };
    if (message.bounce && !message.route) {
      held("This message was a bounce but we couldn't link it with any outgoing message and there was no route for it.", 'HardFail');
      return;
    }
    if (!message.inspection.inspected) await this.inspect(message);
    if (message.inspection.spamScore >= POSTAL_DEFAULTS.spamFailureThreshold) {
      held(
        `Message's spam score is higher than the failure threshold for this server. Threshold is currently ${POSTAL_DEFAULTS.spamFailureThreshold}.`,
        'HardFail',
      );
      return;
    }
    if (config.manifest.server.mode === 'Development') {
      held('Server is in development mode.');
      return;
    }
    const route: ManifestRoute | undefined = message.route;
    if (!route) {
      held('Message does not have a route and/or endpoint available for delivery.', 'HardFail');
      return;
    }
    if (message.inspection.spam && route.spamMode === 'Quarantine') {
      held('Message placed into quarantine.');
      return;
    }
    if (message.inspection.spam && route.spamMode === 'Fail') {
      held('Message is spam and the route specifies it should be failed.', 'HardFail');
      return;
    }
    // incoming_message_processor.rb: accept_mail_without_endpoints, hold_messages, bounce_messages.
    const mode = config.routeMode(route);
    if (mode === 'Accept') {
      store.addDelivery(message, {
        status: 'Processed',
        details: 'Message has been accepted but not sent to any endpoints.',
        output: null,
        sent_with_ssl: false,
        log_id: null,
        time: null,
      });
      return;
    }
    if (mode === 'Hold') {
      held('Message has been accepted but not sent to any endpoints.');
      return;
    }
    if (mode === 'Bounce' || mode === 'Reject') {
      held('Message has been bounced because the route asks for this.', 'HardFail');
      return;
    }
    const endpoint = message.endpoint ?? config.endpointFor(route);
    if (!endpoint) {
      held('Message does not have a route and/or endpoint available for delivery.', 'HardFail');
      return;
    }
    const settings = config.faults.endpointSettings?.[endpoint.agentId] ?? {};
    const payload =
      settings.format === 'RawMessage'
        ? rawMessagePayload(message)
        : await hashPayload(message, endpoint, { mojibake: config.faults.webhookMojibake === true });
    const url = settings.port ? Object.assign(new URL(endpoint.url), { port: String(settings.port) }).toString() : endpoint.url;
    const result = await postToEndpoint(url, payload, endpoint.timeout || 5, {
      ...this.options.http,
      formData: settings.encoding === 'FormData',
    });
    this.record(message, result);
  }

  /** Scores the message and adds Postal's X-Postal-Spam* headers on top; a scorer failure leaves it uninspected. */
  private async inspect(message: StoredMessage): Promise<void> {
    const { config } = this.options;
    // Without spamd/rspamd Postal still "inspects" with no inspectors: score 0, and the four headers all the same
    // (incoming_message_processor.rb, message.rb#inspect_message).
    let verdict = { score: 0 };
    if (this.options.spamScorer) {
      try {
        verdict = await this.options.spamScorer.check(message.raw, {
          mailFrom: message.mailFrom,
          rcptTo: message.rcptTo,
          queueId: message.token,
        });
      } catch {
        this.options.metrics.inc('postal_worker_errors', { error: 'SpamCheckFailed' });
        return;
      }
    }
    const threshold = config.faults.spamThreshold ?? POSTAL_DEFAULTS.spamThreshold;
    const spam = verdict.score > threshold;
    message.inspection = { inspected: true, spam, spamScore: verdict.score, threat: false, threatDetails: null };
    message.raw = prependHeaders(message.raw, [
      `X-Postal-Spam: ${spam ? 'yes' : 'no'}`,
      `X-Postal-Spam-Threshold: ${rubyFloat(threshold)}`,
      `X-Postal-Spam-Score: ${this.options.spamScorer ? rubyFloat(verdict.score) : '0'}`,
      `X-Postal-Threat: no`,
    ]);
  }

  private record(message: StoredMessage, result: SendResult): void {
    message.attempts++;
    this.options.store.addDelivery(message, {
      status: result.type,
      details: result.details,
      output: result.output,
      sent_with_ssl: result.secure,
      log_id: result.logId,
      time: result.time,
    });
    if (result.retry) this.scheduleRetry(message);
  }

  private scheduleRetry(message: StoredMessage): void {
    const { retry, store } = this.options;
    if (message.attempts >= retry.maxAttempts) {
      store.addDelivery(message, {
        status: 'HardFail',
        details: `Maximum number of delivery attempts (${retry.maxAttempts}) has been reached.`,
        output: null,
        sent_with_ssl: false,
        log_id: null,
        time: null,
      });
      return;
    }
    this.enqueue(message, retry.baseDelayMs * retry.factor ** message.attempts);
  }
}

/** Where the header block ends (the first empty line), or the whole message. */
function headerEnd(raw: Buffer): number {
  const at = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [at, lf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : raw.length;
}

/** Ruby's Float#to_s for the values Postal prints: 5 → "5.0", 1.25 → "1.25". */
function rubyFloat(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}
