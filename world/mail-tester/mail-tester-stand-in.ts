/**
 * The world's mail-tester: an MX for mail-tester.test that takes mail for any address there, judges
 * each message the way FN-05's formula does (mailauth against the world's DNS, SpamAssassin, forward-
 * confirmed PTR, Spamhaus ZEN through the world's blocklist zone, Message-ID and Date), and a web host
 * www.mail-tester.test that answers `GET /<id>&format=json` (or `?format=json`) in mail-tester's shape.
 *
 * Differences from mail-tester.com, on purpose: the points are the documented formula's, there are no
 * accounts or quotas (any local part is a test id), and a report is kept until the world stops.
 */
import { createServer, type Server } from 'node:https';
import { authenticate } from 'mailauth';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { BLOCKLISTS, blocklistQuery } from '../../core/dnsbl/blocklists.ts';
import type { SpamScorer } from '../../core/spam/spam-scorer.ts';
import type { DnsEndpoint } from '../dns-server.ts';
import { parseHeaders } from '../postal/mail-headers.ts';
import { receivedHeader } from '../providers/trace-headers.ts';
import { closeSmtp, listenSmtp, readMessage, smtpError } from '../providers/smtp-listen.ts';
import { reverseName, worldResolver } from '../providers/mailauth-resolver.ts';
import type { WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { mailTesterJson, notReceivedJson, onlyTest } from './mail-tester-json.ts';

export interface StartMailTesterOptions {
  address: string;
  dnsServer: DnsEndpoint;
  ca: WorldCertificateAuthority;
  spamScorer: SpamScorer;
  /** default mail-tester.test: the MX is mx.<domain>, the reports are at https://www.<domain>/ */
  domain?: string;
  smtpPort?: number;
  httpsPort?: number;
  onLog?: (line: string) => void;
}

export interface MailTesterStandIn {
  domain: string;
  mxHost: string;
  /** https://www.<domain> (with the port when it is not 443) */
  webUrl: string;
  endpoints: { smtp: DnsEndpoint; https: DnsEndpoint };
  /** The test ids that have a report, for world tests. */
  received(): string[];
  stop(): Promise<void>;
}

const ZEN = BLOCKLISTS.find((list) => list.zone === 'zen.spamhaus.org')!;

export async function startMailTester(options: StartMailTesterOptions): Promise<MailTesterStandIn> {
  const domain = (options.domain ?? 'mail-tester.test').toLowerCase();
  const mxHost = `mx.${domain}`;
  const webHost = `www.${domain}`;
  const smtpPort = options.smtpPort ?? 25;
  const httpsPort = options.httpsPort ?? 443;
  const log = options.onLog ?? (() => undefined);
  const { resolver, resolve } = worldResolver(options.dnsServer);
  const reports = new Map<string, Record<string, unknown>>();

  async function forwardConfirmed(ip: string): Promise<boolean> {
    const name = await reverseName(resolver, ip);
    if (!name) return false;
    const forward = await resolver.resolve4(name).catch(() => [] as string[]);
    return forward.includes(ip);
  }

  async function listedOnZen(ip: string): Promise<boolean> {
    const answers = await resolver.resolve4(blocklistQuery(ZEN, ip)).catch(() => [] as string[]);
    // 127.0.0.x is a listing; Spamhaus's 127.255.255.x are refusals, not listings.
    return answers.some((a) => a.startsWith('127.0.0.'));
  }

  async function judge(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const ip = session.remoteAddress.replace(/^::ffff:/, '');
    const helo = session.hostNameAppearsAs ?? '';
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const auth = await authenticate(raw, {
      ip,
      helo,
      sender: mailFrom,
      mta: mxHost,
      resolver: resolve,
      disableBimi: true,
      disableArc: true,
    });
    const passing = auth.dkim.results.filter((r) => r.status.result === 'pass');
    const received = receivedHeader({
      helo,
      ip,
      reverseName: await reverseName(resolver, ip),
      mx: mxHost,
      providerName: 'mail-tester',
      tls: Boolean(session.secure),
      id: session.id,
      date: new Date(),
    });
    // Scored as delivered: the final delivery agent records the envelope sender as Return-Path (RFC 5321 §4.4),
    // which SpamAssassin's envelope rules (e.g. HEADER_FROM_DIFFERENT_DOMAINS) read.
    const spam = await options.spamScorer.check(Buffer.concat([Buffer.from(`Return-Path: <${mailFrom}>\r\n${received}`), raw]));
    const [ptrOk, listed] = await Promise.all([forwardConfirmed(ip), listedOnZen(ip)]);
    const headers = parseHeaders(raw);
    const facts = {
      spamAssassin: { score: spam.score, rules: spam.rules.map((r) => ({ rule: r.rule, points: r.points, description: r.description })) },
      spf: (auth.spf ? auth.spf.status.result : 'none').toLowerCase(),
      dkim: passing.length > 0 ? 'pass' : (auth.dkim.results[0]?.status.result ?? 'none').toLowerCase(),
      dmarc: (auth.dmarc ? auth.dmarc.status.result : 'none').toLowerCase(),
      aligned: passing.some((r) => Boolean((r.status as { aligned?: string | boolean }).aligned)),
      ptrOk,
      hasMessageId: Boolean(headers.get('message-id')?.[0]),
      hasDate: Boolean(headers.get('date')?.[0]),
      blocklisted: listed,
    };
    for (const rcpt of session.envelope.rcptTo) {
      const id = rcpt.address.split('@')[0]!.toLowerCase();
      reports.set(
        id,
        mailTesterJson({
          id,
          subject: headers.get('subject')?.[0] ?? '',
          receivedAt: new Date(),
          bounceAddress: mailFrom,
          facts,
          ...(listed ? { listedOn: { name: ZEN.name, zone: ZEN.zone } } : {}),
        }),
      );
      log(`mail-tester ${session.id} from ${ip} <${mailFrom}> → ${id}: ${String(reports.get(id)!.displayedMark)}`);
    }
  }

  const smtpCertificate = await options.ca.issue([mxHost]);
  const smtp = new SMTPServer({
    name: mxHost,
    banner: 'mail-tester ready',
    key: smtpCertificate.privateKeyPem,
    cert: smtpCertificate.certificatePem,
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: 10 * 1024 * 1024,
    disableReverseLookup: true,
    logger: false,
    socketTimeout: 60_000,
    closeTimeout: 2_000,
    onRcptTo(address, _session, callback) {
      if (address.address.toLowerCase().endsWith(`@${domain}`)) return callback();
      callback(smtpError(550, `5.1.1 <${address.address}>: mail-tester takes mail for @${domain} only`));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      readMessage(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) throw smtpError(552, '5.3.4 Message size exceeds fixed limit');
          await judge(raw, session);
          callback(null, `2.0.0 OK ${session.id} - mail-tester`);
        })
        .catch((error: Error & { responseCode?: number }) => {
          if (error.responseCode) return callback(error);
          log(`mail-tester ${session.id}: internal error: ${error.stack ?? error.message}`);
          callback(smtpError(451, `4.3.0 Temporary local problem (${error.message}), try again later`));
        });
    },
  });

  const webCertificate = await options.ca.issue([webHost]);
  const web: Server = createServer({ key: webCertificate.privateKeyPem, cert: webCertificate.certificatePem }, (req, res) => {
    // mail-tester's own form is /<id>&format=json; /<id>?format=json is read the same way.
    const rest = decodeURIComponent((req.url ?? '/').slice(1));
    const [id = '', ...pairs] = rest.split(/[&?]/);
    const params = new URLSearchParams(pairs.join('&'));
    if (req.method !== 'GET' || !id || params.get('format') !== 'json') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Ask for /<test id>&format=json\n');
      return;
    }
    const report = reports.get(id.toLowerCase());
    const body = report ? onlyTest(report, params.get('test') ?? '') : notReceivedJson(id);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });

  await listenSmtp(smtp, options.address, smtpPort);
  try {
    await new Promise<void>((resolveListen, reject) => {
      web.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen for HTTPS on ${options.address}:${httpsPort}: ${error.code ?? error.message}`, { cause: error })),
      );
      web.listen(httpsPort, options.address, () => resolveListen());
    });
  } catch (error) {
    await closeSmtp(smtp);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    domain,
    mxHost,
    webUrl: `https://${webHost}${httpsPort === 443 ? '' : `:${httpsPort}`}`,
    endpoints: { smtp: { address: options.address, port: smtpPort }, https: { address: options.address, port: httpsPort } },
    received: () => [...reports.keys()],
    stop() {
      stopping ??= Promise.allSettled([closeSmtp(smtp), new Promise<void>((done) => web.close(() => done()))]).then(() => undefined);
      web.closeAllConnections();
      return stopping;
    },
  };
}
