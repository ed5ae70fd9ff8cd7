/**
 * What a capacity run asks of a target: send one load message through Postal's HTTP API as an agent,
 * or through its SMTP service with an SMTP credential, and read the agents' inboxes for a step's
 * messages with the receiver's arrival stamp. The same protocols the controls use; nothing here judges.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { LookupFunction } from '../../core/dns/host-lookup.ts';
import { listInbox } from '../clients/inbox-reader.ts';
import { createHttpClient } from '../clients/http-client.ts';
import { createPostalApi } from '../clients/postal-api-client.ts';
import type { LoadMessage } from '../load/load-corpus.ts';
import { smtpGenerator, type SmtpGenerator } from '../load/smtp-generator.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import type { ProbeContext } from './probe-context.ts';
import { textOf } from '../../core/text-of.ts';

export interface CapacityProbe {
  /** Resolves once Postal accepted the message; throws with Postal's code or the transport error. */
  sendApi(message: LoadMessage): Promise<void>;
  /** An SMTP sender on Postal's SMTP service, or why there is none. */
  smtp(
    credentialKey: string | undefined,
    sessions: number,
  ): Promise<{ send(message: LoadMessage, raw?: Buffer): Promise<void>; close(): Promise<void> } | { unavailable: string }>;
  /** The arrival instants of messages whose subject carries `token`, by subject, in the recipients' inboxes. */
  arrivals(token: string, recipients: string[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** RFC 5322 bytes of a load message, built before a step so composition never slows the sending. */
export function composeLoadMessage(message: LoadMessage): Promise<Buffer> {
  return new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  })
    .compile()
    .build();
}

export function capacityProbe(context: ProbeContext, options: { connections: number }): CapacityProbe {
  const { target } = context;
  // Its own pool: a ramp keeps many requests in flight, more than the controls' shared client allows. Names
  // are resolved once per run: a load test measures the mail server, not its DNS (and in the world the DNS
  // server shares the overloaded process, so per-connection lookups would fail at the knee for the wrong reason).
  const http = createHttpClient({
    lookup: rememberingLookup(context.lookup),
    ca: target.trustedCaPem,
    timeoutMs: target.timeouts.connectMs * 2,
    connections: options.connections,
  });
  const postal = target.postal ? createPostalApi(http, target.postal.webUrl) : undefined;
  const keys = new Map(target.accounts.map((a) => [a.address.toLowerCase(), a.apiKey]));
  const agentOf = new Map(target.accounts.map((a) => [a.address.toLowerCase(), a.agentId]));
  const generators: SmtpGenerator[] = [];

  return {
    async sendApi(message) {
      if (!postal) throw new Error('the target has no Postal API');
      const key = keys.get(message.from.toLowerCase());
      if (!key) throw new Error(`no API key for ${message.from}`);
      const answer = await postal.call('send/message', key, {
        to: [message.to],
        from: message.from,
        subject: message.subject,
        plain_body: message.text,
        tag: 'postal-qa-capacity',
        attachments: message.attachments.map((a) => ({
          name: a.filename,
          content_type: a.contentType,
          data: a.content.toString('base64'),
        })),
      });
      if (answer.status !== 'success') throw new Error(`send/message: ${answer.status} ${textOf(answer.data.code)}`.trim());
    },

    async smtp(credentialKey, sessions) {
      if (!target.postal) return { unavailable: 'the target has no Postal SMTP service' };
      if (!credentialKey) return { unavailable: 'no SMTP credential: set POSTAL_SMTP_KEY to an SMTP credential key of the server' };
      const address = await resolveHost(context, target, target.postal.smtp.host);
      const generator = smtpGenerator({
        host: address,
        port: target.postal.smtp.port,
        sessions,
        timeoutMs: target.timeouts.connectMs * 2,
        requireTls: true,
        ca: target.trustedCaPem,
        servername: target.postal.smtp.host,
        // Postal takes the credential's key as the password; the user name is not checked.
        auth: { user: 'postal-qa', pass: credentialKey },
      });
      generators.push(generator);
      return {
        send: async (message, raw) => generator.send({ from: message.from, to: [message.to] }, raw ?? (await composeLoadMessage(message))),
        close: () => generator.close(),
      };
    },

    async arrivals(token, recipients) {
      const reader = target.inboxReader;
      if (!reader) throw new Error('the target cannot list the agents’ inboxes');
      const found = new Map<string, number>();
      await Promise.all(
        recipients.map(async (address) => {
          const agentId = agentOf.get(address.toLowerCase());
          if (!agentId) return;
          for (const entry of await listInbox(reader, agentId, token, http, target.timeouts.connectMs * 2)) {
            const at = entry.receivedAt ? Date.parse(entry.receivedAt) : NaN;
            if (entry.subject && Number.isFinite(at)) found.set(entry.subject, at);
          }
        }),
      );
      return found;
    },

    async close() {
      await Promise.all(generators.map((g) => g.close()));
      await http.close();
    },
  };
}

/** The first good answer for each name, reused for the rest of the run. */
export function rememberingLookup(lookup: LookupFunction): LookupFunction {
  const known = new Map<string, unknown[]>();
  return ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const key = `${hostname} ${JSON.stringify(options)}`;
    const answer = known.get(key);
    if (answer) {
      process.nextTick(() => callback(null, ...answer));
      return;
    }
    (lookup as (h: string, o: unknown, cb: (...args: unknown[]) => void) => void)(
      hostname,
      options,
      (error: unknown, ...rest: unknown[]) => {
        if (!error) known.set(key, rest);
        callback(error, ...rest);
      },
    );
  }) as LookupFunction;
}

async function resolveHost(context: ProbeContext, target: TargetDescriptor, host: string): Promise<string> {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  return new Promise((resolve, reject) =>
    context.lookup(host, {}, (error, address) => {
      if (error) reject(new Error(`cannot resolve ${host} with ${target.hostResolver}: ${error.message}`));
      else resolve(Array.isArray(address) ? address[0]!.address : address);
    }),
  );
}
