/**
 * The outside sender (sender.test): a mail service on the "Internet" that the harness uses to send
 * mail from outside into the deployment, exactly as it uses a Gmail seed's SMTP submission in live
 * mode. Submission on :587 (STARTTLS, then AUTH PLAIN/LOGIN); each accepted message gets a Received
 * line, a Date and Message-ID when missing, a DKIM signature with d=<domain>, and is relayed to
 * every recipient domain's MX from the sender's own address with HELO mx.<domain>.
 *
 * Simplification: relaying happens inside the SMTP transaction, so the submitting client sees the
 * receiving MX's answer (a 550 5.7.26 comes straight back) instead of a later bounce.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { DnsEndpoint } from '../dns-server.ts';
import { dkimSignatureFor } from '../dkim-sign.ts';
import { closeSmtp, listenSmtp, readMessage, smtpError } from '../providers/smtp-listen.ts';
import { worldResolver } from '../providers/mailauth-resolver.ts';
import type { WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { dkimKey } from './dkim-key.ts';
import { relayToDomain, type RelayResult } from './mx-relay.ts';

export interface StartOutsideSenderOptions {
  /** default sender.test */
  domain?: string;
  address: string;
  dnsServer: DnsEndpoint;
  ca: WorldCertificateAuthority;
  dkimSelector?: string;
  /** reuse a key so the published record stays the same across runs; default a fresh RSA 2048 key */
  dkimPrivateKeyPem?: string;
  /** default 587 */
  submissionPort?: number;
  /** port of the MX hosts relayed to; default 25 */
  relayPort?: number;
  /** default user@<domain> with a random password */
  credentials?: { user: string; password: string };
  onLog?: (line: string) => void;
}

export interface OutsideSender {
  domain: string;
  /** the TXT record to publish in the world DNS */
  dkimRecord: { name: string; value: string };
  endpoints: { submission: { address: string; port: number } };
  credentials: { user: string; password: string };
  /** every relay attempt so far (one per recipient domain per message) */
  relays(): RelayResult[];
  /**
   * Mail from this host straight to each recipient's MX with a From address it does not own (MAIL FROM
   * and DKIM stay its own): what a spoofer on the Internet sends as someone else's domain.
   */
  spoof(message: { from: string; to: string[]; subject: string; text: string }): Promise<RelayResult[]>;
  stop(): Promise<void>;
}

export async function startOutsideSender(options: StartOutsideSenderOptions): Promise<OutsideSender> {
  const domain = (options.domain ?? 'sender.test').toLowerCase();
  const selector = options.dkimSelector ?? 'mail';
  const helo = `mx.${domain}`;
  const port = options.submissionPort ?? 587;
  const log = options.onLog ?? (() => undefined);
  const credentials = options.credentials ?? { user: `user@${domain}`, password: randomBytes(12).toString('base64url') };
  const key = dkimKey(domain, selector, options.dkimPrivateKeyPem);
  const certificate = await options.ca.issue([helo, `smtp.${domain}`]);
  const { resolver } = worldResolver(options.dnsServer);
  const relays: RelayResult[] = [];

  const relayMessage = async (raw: Buffer, session: SMTPServerSession): Promise<string> => {
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const byDomain = new Map<string, string[]>();
    for (const { address } of session.envelope.rcptTo) {
      const rcptDomain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
      byDomain.set(rcptDomain, [...(byDomain.get(rcptDomain) ?? []), address]);
    }
    const prepared = Buffer.concat([Buffer.from(receivedLine(session, helo)), withRequiredHeaders(raw, domain)]);
    let signature: string;
    try {
      signature = await dkimSignatureFor(prepared, { signingDomain: domain, selector, privateKeyPem: key.privateKeyPem });
    } catch (error) {
      throw smtpError(451, `4.3.0 ${(error as Error).message}`);
    }
    const message = Buffer.concat([Buffer.from(signature), prepared]);

    const results = await Promise.all(
      [...byDomain].map(([rcptDomain, to]) =>
        relayToDomain(rcptDomain, { from, to }, message, {
          resolver,
          localAddress: options.address,
          helo,
          ca: options.ca.certificatePem,
          port: options.relayPort,
        }),
      ),
    );
    relays.push(...results);
    for (const r of results)
      log(
        `${domain} ${session.id} <${from}> → ${r.recipients.join(', ')} via ${r.mx ?? '-'} [${r.ip ?? '-'}]: ${r.response}${r.unverifiedTls ? ` (STARTTLS with a certificate not verified: ${r.unverifiedTls})` : ''}`,
      );
    const failed = results.find((r) => !r.accepted);
    if (failed) {
      const code = failed.code >= 500 ? 550 : 451;
      throw smtpError(code, `${failed.domain} answered: ${failed.response}`);
    }
    return results.map((r) => `${r.domain}: ${r.response}`).join('; ');
  };

  const server = new SMTPServer({
    name: helo,
    banner: `${domain} submission ready`,
    key: certificate.privateKeyPem,
    cert: certificate.certificatePem,
    secure: false,
    authMethods: ['PLAIN', 'LOGIN'],
    // Like every real submission service: credentials only inside TLS.
    allowInsecureAuth: false,
    disableReverseLookup: true,
    logger: false,
    size: 25 * 1024 * 1024,
    closeTimeout: 2_000,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) return callback(null, { user: auth.username });
      callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onMailFrom(address, _session, callback) {
      // A submission service sends only for its own domain; anything else would make it a relay for spoofing.
      const senderDomain = address.address.slice(address.address.lastIndexOf('@') + 1).toLowerCase();
      if (senderDomain !== domain) return callback(smtpError(553, `5.7.1 Sender address <${address.address}> is not a ${domain} address`));
      callback();
    },
    onData(stream, session, callback) {
      readMessage(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) throw smtpError(552, '5.3.4 Message size exceeds fixed limit');
          const summary = await relayMessage(raw, session);
          callback(null, `2.0.0 relayed: ${summary}`.slice(0, 400));
        })
        .catch((error: Error & { responseCode?: number }) => {
          if (error.responseCode) return callback(error);
          log(`${domain} ${session.id}: internal error: ${error.stack ?? error.message}`);
          callback(smtpError(451, `4.3.0 Temporary local problem (${error.message}), try again later`));
        });
    },
  });

  await listenSmtp(server, options.address, port);
  let stopping: Promise<void> | undefined;
  return {
    domain,
    dkimRecord: key.record,
    endpoints: { submission: { address: options.address, port } },
    credentials,
    relays: () => [...relays],
    async spoof(message) {
      const headers = [
        `From: ${message.from}`,
        `To: ${message.to.join(', ')}`,
        `Subject: ${message.subject}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
      ];
      const prepared = withRequiredHeaders(Buffer.from(`${headers.join('\r\n')}\r\n\r\n${message.text}\r\n`), domain);
      const signature = await dkimSignatureFor(prepared, { signingDomain: domain, selector, privateKeyPem: key.privateKeyPem });
      const raw = Buffer.concat([Buffer.from(signature), prepared]);
      const byDomain = new Map<string, string[]>();
      for (const to of message.to)
        byDomain.set(to.slice(to.lastIndexOf('@') + 1), [...(byDomain.get(to.slice(to.lastIndexOf('@') + 1)) ?? []), to]);
      const results = await Promise.all(
        [...byDomain].map(([rcptDomain, to]) =>
          relayToDomain(rcptDomain, { from: `bounces@${domain}`, to }, raw, {
            resolver,
            localAddress: options.address,
            helo,
            ca: options.ca.certificatePem,
            port: options.relayPort,
          }),
        ),
      );
      relays.push(...results);
      for (const r of results) log(`${domain} spoofing ${message.from} → ${r.recipients.join(', ')}: ${r.response}`);
      return results;
    },
    stop() {
      stopping ??= closeSmtp(server);
      return stopping;
    },
  };
}

function receivedLine(session: SMTPServerSession, by: string): string {
  const ip = session.remoteAddress.replace(/^::ffff:/, '');
  const date = new Date().toUTCString().replace('GMT', '+0000');
  return `Received: from ${session.hostNameAppearsAs || `[${ip}]`} ([${ip}])\r\n\tby ${by} with ESMTPSA id ${session.id};\r\n\t${date}\r\n`;
}

/** Adds Date and Message-ID when the submitted message lacks them, as submission services do (RFC 6409 §8). */
export function withRequiredHeaders(raw: Buffer, domain: string): Buffer {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end >= 0 ? text.slice(0, end) : text;
  const extra: string[] = [];
  if (!/^date:/im.test(head)) extra.push(`Date: ${new Date().toUTCString().replace('GMT', '+0000')}`);
  if (!/^message-id:/im.test(head)) extra.push(`Message-ID: <${randomUUID()}@${domain}>`);
  return extra.length === 0 ? raw : Buffer.concat([Buffer.from(extra.join('\r\n') + '\r\n'), raw]);
}
