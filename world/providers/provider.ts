/**
 * A mailbox provider of the world (gmail.test, outlook.test): an MX that judges incoming mail like
 * a real one and seed mailboxes the harness reads over IMAP.
 *
 * On each message: mailauth authenticates it with the connecting IP, HELO and MAIL FROM against
 * the world's DNS; SpamAssassin scores it; the provider then refuses it (DMARC reject), files it to
 * Junk (DMARC quarantine, or spam) or to the Inbox, with Authentication-Results, Received-SPF,
 * X-Spam-* and Received prepended. Mail is stored in Maildir++ and served by Dovecot.
 *
 * Differences from Gmail/Outlook, on purpose: no reputation, no rate limits, no ARC sealing,
 * DMARC pct is treated as 100, and the spam threshold is SpamAssassin's 5.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authenticate } from 'mailauth';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { DnsEndpoint } from '../dns-server.ts';
import { startDovecot, type Dovecot } from '../imap/dovecot.ts';
import { deliverToMaildir } from '../imap/maildir.ts';
import type { SpamScorer, SpamVerdict } from '../../core/spam/spam-scorer.ts';
import type { WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { decideFiling, type DmarcOutcome } from './provider-decision.ts';
import { createDmarcReporter, type DmarcReporter, type RelayMail, type ReportStyle } from './dmarc-reporter.ts';
import { judgedMessage } from './dmarc-judged-message.ts';
import { listenSmtp, smtpError, closeSmtp, readMessage } from './smtp-listen.ts';
import { deliveredTo, normaliseHeaderBlock, receivedHeader, spamHeaders } from './trace-headers.ts';
import { reverseName, worldResolver } from './mailauth-resolver.ts';

export interface StartProviderOptions {
  /** e.g. gmail.test; the MX is mx.<domain> */
  domain: string;
  /** e.g. Gmail; shown in the banner and in Received lines */
  displayName: string;
  address: string;
  dnsServer: DnsEndpoint;
  ca: WorldCertificateAuthority;
  spamScorer: SpamScorer;
  /** local parts of the seed mailboxes, e.g. ["seed1", "seed2"] */
  seeds: string[];
  /** where the Maildirs live: `<dataDir>/<address>/Maildir`; must be traversable by the mail user */
  dataDir: string;
  /** connecting IPs the provider refuses (a later fault: a blocklisted sending IP) */
  blocklist?: string[];
  /** default 25 and 143; other ports only for unprivileged experiments */
  smtpPort?: number;
  imapPort?: number;
  /** SpamAssassin points from which mail goes to Junk; default 5 */
  spamThreshold?: number;
  /** biggest message accepted (advertised as SIZE); default 25 MB like Gmail */
  maxMessageBytes?: number;
  /** one line per SMTP transaction outcome, and Dovecot's log */
  onLog?: (line: string) => void;
  /** DMARC aggregate reports of the mail it judged, mailed to each domain's rua (as Google's or Outlook's); none when absent */
  dmarcReports?: { style: ReportStyle; periodMs?: number; caPem: string; smtpPort?: number; relay: RelayMail };
}

export interface SeedMailbox {
  /** the e-mail address, e.g. seed1@gmail.test */
  address: string;
  /** the IMAP login (the full address, as Gmail uses) */
  user: string;
  password: string;
}

/** What the provider did with one message for one recipient, or with a refused transaction. */
export interface ProviderReceipt {
  id: string;
  at: Date;
  /** the connecting IP (what SPF was checked against) */
  remoteAddress: string;
  helo: string;
  mailFrom: string;
  recipients: string[];
  tls: boolean;
  outcome: 'inbox' | 'junk' | 'rejected' | 'deferred';
  /** e.g. "550 5.7.26 …" for a refusal */
  response?: string;
  spf?: string;
  dkim?: string[];
  dmarc?: DmarcOutcome;
  spam?: SpamVerdict;
  reasons: string[];
}

export interface Provider {
  domain: string;
  displayName: string;
  mxHost: string;
  endpoints: { smtp: { address: string; port: number }; imap: { address: string; port: number } };
  seeds: SeedMailbox[];
  /** every message judged so far (oldest first), for world tests and logs; the harness reads IMAP */
  receipts(): ProviderReceipt[];
  /** replaces the set of refused client IPs (takes effect for the next connection) */
  setBlocklist(ips: string[]): void;
  /** its DMARC aggregate reporting, when it reports */
  dmarc?: DmarcReporter;
  /** stops SMTP and Dovecot; idempotent */
  stop(): Promise<void>;
}

const seedPassword = (): string =>
  randomBytes(12)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x');

export async function startProvider(options: StartProviderOptions): Promise<Provider> {
  const domain = options.domain.toLowerCase();
  const mxHost = `mx.${domain}`;
  const name = options.displayName;
  const smtpPort = options.smtpPort ?? 25;
  const spamThreshold = options.spamThreshold ?? 5;
  const log = options.onLog ?? (() => undefined);
  const seeds: SeedMailbox[] = options.seeds.map((local) => {
    const address = `${local.toLowerCase()}@${domain}`;
    return { address, user: address, password: seedPassword() };
  });
  const mailboxes = new Set(seeds.map((s) => s.address));
  let blocklist = new Set(options.blocklist ?? []);
  const receipts: ProviderReceipt[] = [];
  const { resolver, resolve } = worldResolver(options.dnsServer);
  const reports = options.dmarcReports;
  const dmarc = reports
    ? createDmarcReporter({
        relay: reports.relay,
        org: domain,
        style: reports.style,
        periodMs: reports.periodMs,
        localAddress: options.address,
        helo: mxHost,
        resolver,
        ca: reports.caPem,
        smtpPort: reports.smtpPort,
        onLog: log,
      })
    : undefined;

  mkdirSync(options.dataDir, { recursive: true });
  // The folder is handed to the provider: Dovecot's mail user must pass through it (a mkdtemp is 0700).
  chmodSync(options.dataDir, 0o711);
  const certificate = await options.ca.issue([mxHost, `imap.${domain}`, `smtp.${domain}`]);
  const dovecot: Dovecot = await startDovecot({
    name: domain.replace(/[^A-Za-z0-9-]/g, '-'),
    address: options.address,
    port: options.imapPort,
    maildirRoot: join(options.dataDir, 'mail'),
    users: seeds.map((s) => ({ user: s.user, password: s.password })),
    tls: { certPem: certificate.certificatePem, keyPem: certificate.privateKeyPem },
    onLog: (line) => log(`dovecot: ${line}`),
  });

  const judge = async (raw: Buffer, session: SMTPServerSession): Promise<void> => {
    const remoteAddress = session.remoteAddress.replace(/^::ffff:/, '');
    const helo = session.hostNameAppearsAs ?? '';
    const mailFrom = envelopeAddress(session.envelope.mailFrom);
    const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
    const receipt: ProviderReceipt = {
      id: session.id,
      at: new Date(),
      remoteAddress,
      helo,
      mailFrom,
      recipients,
      tls: Boolean(session.secure),
      outcome: 'deferred',
      reasons: [],
    };
    receipts.push(receipt);

    const auth = await authenticate(raw, { ip: remoteAddress, helo, sender: mailFrom, mta: mxHost, resolver: resolve, disableBimi: true });
    receipt.spf = auth.spf ? auth.spf.status.result : 'none';
    receipt.dkim = auth.dkim.results.map((r) => `${r.status.result} d=${r.signingDomain}`);
    receipt.dmarc = auth.dmarc
      ? { result: auth.dmarc.status.result, policy: auth.dmarc.policy, domain: auth.dmarc.domain }
      : { result: 'none' };

    const received = receivedHeader({
      helo,
      ip: remoteAddress,
      reverseName: await reverseName(resolver, remoteAddress),
      mx: mxHost,
      providerName: name,
      tls: receipt.tls,
      id: session.id,
      recipient: recipients.length === 1 ? recipients[0] : undefined,
      date: receipt.at,
    });

    let verdict: SpamVerdict;
    try {
      verdict = await options.spamScorer.check(Buffer.concat([Buffer.from(received), raw]));
    } catch (error) {
      receipt.response = '451 4.3.0 spam scanner unavailable, try again later';
      receipt.reasons.push(`spam scoring failed: ${(error as Error).message}`);
      log(`${name} ${session.id} from ${remoteAddress}: deferred (${(error as Error).message})`);
      throw smtpError(451, '4.3.0 Temporary local problem: spam scanner unavailable, try again later');
    }
    receipt.spam = verdict;

    const decision = decideFiling({ dmarc: receipt.dmarc, spam: verdict, spamThreshold, providerName: name });
    receipt.reasons = decision.reasons;
    const judged =
      dmarc && judgedMessage(auth, { sourceIp: remoteAddress, helo, mailFrom, envelopeTo: domain, rejected: decision.action === 'reject' });
    if (judged) dmarc.record(judged.policy, judged.message);
    if (decision.action === 'reject') {
      receipt.outcome = 'rejected';
      receipt.response = `${decision.code} ${decision.enhanced} ${decision.message}`;
      log(`${name} ${session.id} from ${remoteAddress} <${mailFrom}>: ${receipt.response}`);
      throw smtpError(decision.code, `${decision.enhanced} ${decision.message}`);
    }

    const trace = normaliseHeaderBlock(auth.headers) + spamHeaders(verdict, spamThreshold) + received;
    for (const recipient of recipients) {
      // The final delivery agent records the envelope sender as Return-Path (RFC 5321 §4.4), as Gmail does.
      const message = Buffer.concat([Buffer.from(`Return-Path: <${mailFrom}>\r\n` + deliveredTo(recipient) + trace), raw]);
      deliverToMaildir(dovecot.maildirOf(recipient), decision.folder === 'INBOX' ? 'INBOX' : 'Junk', message, dovecot.mailOwner);
    }
    receipt.outcome = decision.folder === 'INBOX' ? 'inbox' : 'junk';
    receipt.response = `250 2.0.0 OK ${session.id}`;
    log(
      `${name} ${session.id} from ${remoteAddress} <${mailFrom}> → ${recipients.join(', ')}: ${decision.folder} ` +
        `(spf=${receipt.spf} dkim=${receipt.dkim.join('/') || 'none'} dmarc=${receipt.dmarc.result} spam=${verdict.score})`,
    );
  };

  const server = new SMTPServer({
    name: mxHost,
    banner: `${name} ready`, // smtp-server writes "220 <name> ESMTP <banner>"
    key: certificate.privateKeyPem,
    cert: certificate.certificatePem,
    secure: false,
    // An MX takes mail from anyone; it authenticates the mail, not the client.
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: options.maxMessageBytes ?? 25 * 1024 * 1024,
    // Reverse DNS must come from the world's DNS, not the host's; it is looked up per message.
    disableReverseLookup: true,
    logger: false,
    socketTimeout: 60_000,
    closeTimeout: 2_000,
    onConnect(session, callback) {
      const ip = session.remoteAddress.replace(/^::ffff:/, '');
      if (blocklist.has(ip)) {
        receipts.push({
          id: session.id,
          at: new Date(),
          remoteAddress: ip,
          helo: '',
          mailFrom: '',
          recipients: [],
          tls: false,
          outcome: 'rejected',
          response: `554 5.7.1 ${ip} blocked`,
          reasons: [`${ip} is on ${name}'s blocklist`],
        });
        log(`${name} refused connection from blocklisted ${ip}`);
        return callback(smtpError(554, `5.7.1 Service unavailable; client host [${ip}] blocked by ${name}'s policy`));
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      const recipient = address.address.toLowerCase();
      if (!mailboxes.has(recipient)) {
        return callback(smtpError(550, `5.1.1 The email account that you tried to reach does not exist: <${address.address}>`));
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      readMessage(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) throw smtpError(552, '5.3.4 Message size exceeds fixed limit');
          await judge(raw, session);
          callback(null, `2.0.0 OK ${session.id} - ${name}`);
        })
        .catch((error: Error & { responseCode?: number }) => {
          if (error.responseCode) return callback(error);
          // Anything unplanned (a DNS library error, a full disk) is our fault: ask the sender to retry.
          log(`${name} ${session.id}: internal error: ${error.stack ?? error.message}`);
          callback(smtpError(451, `4.3.0 Temporary local problem (${error.message}), try again later`));
        });
    },
  });

  try {
    await listenSmtp(server, options.address, smtpPort);
  } catch (error) {
    await dovecot.stop();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    domain,
    displayName: name,
    mxHost,
    endpoints: { smtp: { address: options.address, port: smtpPort }, imap: dovecot.endpoint },
    seeds,
    receipts: () => [...receipts],
    setBlocklist(ips) {
      blocklist = new Set(ips);
    },
    ...(dmarc ? { dmarc } : {}),
    stop() {
      stopping ??= Promise.allSettled([dmarc?.stop(), closeSmtp(server), dovecot.stop()]).then(() => undefined);
      return stopping;
    },
  };
}

function envelopeAddress(from: SMTPServerAddress | false): string {
  return from ? from.address : '';
}
