/**
 * What every probe of one spec worker shares: the target's description, the run, and protocol clients
 * configured from the description alone (its resolver, its CA, its deadlines). A probe records what it
 * is waiting for, so a control that runs out of time can say what it waited for.
 */
import { isIP } from 'node:net';
import { createHostLookup, resolveHost, type LookupFunction } from '../../core/dns/host-lookup.ts';
import { systemClock, type Clock } from '../../core/poll.ts';
import { createHttpClient, type HttpClient } from '../clients/http-client.ts';
import { createPostalApi, type PostalApi } from '../clients/postal-api-client.ts';
import { postalRecords, type PostalRecords } from '../clients/postal-delivery-status.ts';
import type { RunContext } from '../config/run-context.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { NO_POSTAL_API, ProbeUnavailable, readOnlyRefusal } from './probe-unavailable.ts';

export interface ProbeContext {
  target: TargetDescriptor;
  run: RunContext;
  lookup: LookupFunction;
  /**
   * A host's address through the target's resolver, for clients that take no lookup function (IMAP,
   * nodemailer): they connect to the address and verify the certificate against the name.
   */
  addressOf(host: string): Promise<string>;
  http: HttpClient;
  /** Throws ProbeUnavailable when the target has no Postal API settings. */
  postal(): PostalApi;
  /** Postal's record of messages (messages/message, messages/deliveries), read once per message where it can. */
  records(): PostalRecords;
  /** Notes a message id Postal gave; a search by Message-ID (SMTP, mail from outside) starts after the newest. */
  sawPostalId(id: number): void;
  newestPostalId(): number;
  /**
   * Every probe calls this before it sends: --read-only refuses (the control is skipped, naming the
   * flag), otherwise the messages are counted for the report's "what this run sent".
   */
  willSend(count: number, what: string): void;
  /** Messages this worker's probes have sent (or tried to) so far. */
  sentCount(): number;
  /** What a probe is waiting for right now ("Gmail's INBOX over IMAP, until 12:00:03"). */
  awaiting: { what?: string };
  /** The time probes read and wait on: the system's, or a test's (core/poll.ts manualClock). */
  clock: Clock;
  close(): Promise<void>;
}

export function createProbeContext(target: TargetDescriptor, run: RunContext, clock: Clock = systemClock): ProbeContext {
  const lookup = createHostLookup(target.hostResolver, target.timeouts.dnsMs);
  const http = createHttpClient({ lookup, ca: target.trustedCaPem, timeoutMs: target.timeouts.connectMs });
  const postal = target.postal ? createPostalApi(http, target.postal.webUrl) : undefined;
  const records = postal ? postalRecords(postal) : undefined;
  let sent = 0;
  let newest = 0;
  return {
    willSend(count, what) {
      if (run.readOnly) throw new ProbeUnavailable(readOnlyRefusal(what));
      sent += count;
    },
    sentCount: () => sent,
    target,
    run,
    lookup,
    addressOf: (host) => (isIP(host) ? Promise.resolve(host) : resolveHost(lookup, host)),
    http,
    postal: () => {
      if (!postal) throw new ProbeUnavailable(NO_POSTAL_API);
      return postal;
    },
    records: () => {
      if (!records) throw new ProbeUnavailable(NO_POSTAL_API);
      return records;
    },
    sawPostalId: (id) => {
      newest = Math.max(newest, id);
    },
    newestPostalId: () => newest,
    awaiting: {},
    clock,
    close: () => http.close(),
  };
}

/** Records what is awaited for the span of `work`, with its deadline, for timeout evidence and progress lines. */
export async function awaiting<T>(context: ProbeContext, what: string, deadlineMs: number, work: () => Promise<T>): Promise<T> {
  const started = context.clock.now();
  const until = new Date(started + deadlineMs).toISOString().slice(11, 19);
  context.awaiting.what = `${what} (deadline ${until} UTC)`;
  // A wait longer than a few seconds says what it waits for, so nobody mistakes it for a hang.
  const progress = setInterval(() => {
    process.stderr.write(
      `postal-qa: waiting for ${what} — ${Math.round((context.clock.now() - started) / 1000)} s of ${Math.round(deadlineMs / 1000)} s\n`,
    );
  }, PROGRESS_EVERY_MS);
  progress.unref();
  try {
    return await work();
  } finally {
    clearInterval(progress);
    context.awaiting.what = undefined;
  }
}

const PROGRESS_EVERY_MS = 5_000;
