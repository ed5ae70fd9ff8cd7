/**
 * Postal's `smtp-server` process on port 25 (smtp-server underneath), following SMTPServer::Client:
 * banner `<smtp_hostname> ESMTP Postal/<trace id>`, EHLO with STARTTLS and `AUTH CRAM-MD5 PLAIN LOGIN`,
 * AUTH without TLS (password = an SMTP credential key, username ignored), and RCPT decided in Postal's
 * order: return path → authenticated relay → route (local part or `*`) → `530 Authentication required`.
 */
import type { Server as NetServer } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';
import type { ManifestRoute } from '../../core/artifacts/accounts-manifest.ts';
import { domainOf, messageIdOf, messageSubject, parseHeaders, prependHeaders } from './mail-headers.ts';
import type { MessageStore, StoredMessage } from './message-store.ts';
import type { MetricsRegistry } from './metrics.ts';
import { POSTAL_DEFAULTS, type PostalConfig } from './postal-config.ts';
import { usePostalReplies } from './postal-replies.ts';
import { randomAlphanumeric } from './random-token.ts';
import { listenOn, trackConnections } from './server-lifecycle.ts';

type Recipient = { type: 'credential'; rcptTo: string } | { type: 'route'; rcptTo: string; route: ManifestRoute } | { type: 'bounce'; rcptTo: string };

interface PostalSession {
  trace: string;
  recipients: Recipient[];
}

export interface SmtpListenerOptions {
  config: PostalConfig;
  store: MessageStore;
  metrics: MetricsRegistry;
  enqueue(message: StoredMessage): void;
  certificatePem: string;
  privateKeyPem: string;
  /** server token (return-path local part) */
  serverToken: string;
  returnPathPrefix: string;
}

export interface SmtpListener {
  running: boolean;
  listen(address: string, port: number): Promise<void>;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

export function createSmtpListener(options: SmtpListenerOptions): SmtpListener {
  const { config, metrics } = options;
  // Fault hooks read postal.yml's values: smtp_server.max_message_size, postal.smtp_hostname.
  const maxMb = config.faults.maxMessageSizeMb ?? POSTAL_DEFAULTS.maxMessageSizeMb;
  const maxBytes = maxMb * 1024 * 1024;
  const smtpHostname = config.faults.smtpHostname ?? config.mailHost;
  const sessions = new WeakMap<SMTPServerSession, PostalSession>();
  const state = (session: SMTPServerSession): PostalSession => {
    let s = sessions.get(session);
    if (!s) {
      s = { trace: randomAlphanumeric(6, 'upper'), recipients: [] };
      sessions.set(session, s);
    }
    return s;
  };
  const granted = `${config.manifest.organization.permalink}/${config.manifest.server.permalink}`;
  const clientError = (error: string): void => metrics.inc('postal_smtp_server_client_errors', { error });
  const command = (name: string): void => metrics.inc('postal_smtp_server_commands_total', { command: name });

  const server: SMTPServer = new SMTPServer({
    name: smtpHostname,
    key: options.privateKeyPem,
    cert: options.certificatePem,
    // Postal's EHLO is "250-My capabilities are / 250-STARTTLS / 250 AUTH CRAM-MD5 PLAIN LOGIN": no SIZE,
    // PIPELINING, 8BITMIME, SMTPUTF8, DSN or enhanced status codes.
    heloResponse: 'My capabilities are',
    hidePIPELINING: true,
    hide8BITMIME: true,
    hideSMTPUTF8: true,
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    hideREQUIRETLS: true,
    // Fault: smtp_server.tls_enabled false.
    hideSTARTTLS: config.faults.starttls === false,
    // Fault: smtp_server.ssl_version "TLSv1" (server.rb sets ssl_context.ssl_version): only TLS 1.0 is spoken.
    ...(config.faults.smtpSslVersion === 'TLSv1' ? { minVersion: 'TLSv1' as const, maxVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    authMethods: ['CRAM-MD5', 'PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    authOptional: true,
    disableReverseLookup: true,
    socketTimeout: 60_000,
    closeTimeout: 2_000,
    logger: false,
    onConnect(session, callback) {
      // smtp-server reads the banner option right after this callback: one trace id per connection, as Postal.
      (server.options as { banner?: string }).banner = `Postal/${state(session).trace}`;
      usePostalReplies((server as unknown as { connections?: unknown }).connections, session, { mailHost: smtpHostname, granted });
      metrics.inc('postal_smtp_server_connections_total');
      metrics.inc('postal_smtp_server_connections_active', {}, 1);
      callback();
    },
    onClose() {
      metrics.inc('postal_smtp_server_connections_active', {}, -1);
    },
    onSecure(_socket, _session, callback) {
      metrics.inc('postal_smtp_server_tls_connections');
      command('STARTTLS');
      callback();
    },
    onAuth(auth: SMTPServerAuthentication, _session, callback) {
      command(`AUTH ${auth.method}`);
      const keys = config.smtpCredentialKeys();
      const ok =
        auth.method === 'CRAM-MD5'
          ? keys.some((key) => auth.validatePassword?.(key)) && /^[^/_]+[/_][^/_]+/.test(auth.username ?? '')
          : keys.includes(auth.password ?? '');
      if (!ok) {
        clientError('invalid-credentials');
        callback(smtpError(535, auth.method === 'CRAM-MD5' ? 'Denied' : 'Invalid credential'));
        return;
      }
      // Fault: the mail server is suspended (client.rb authenticate: "535 Mail server has been suspended").
      if (config.faults.serverSuspended) {
        callback(smtpError(535, 'Mail server has been suspended'));
        return;
      }
      callback(null, { user: granted });
    },
    onMailFrom(_address, session, callback) {
      command('MAIL FROM');
      state(session).recipients = [];
      callback();
    },
    onRcptTo(address, session, callback) {
      command('RCPT TO');
      const rcptTo = address.address;
      const at = rcptTo.lastIndexOf('@');
      if (at <= 0) {
        clientError('invalid-rcpt-to');
        callback(smtpError(501, 'Invalid RCPT TO'));
        return;
      }
      const uname = rcptTo.slice(0, at).split('+', 1)[0]!;
      const domain = domainOf(rcptTo);
      const s = state(session);
      if (domain === config.returnPathDomain || domain.startsWith(`${options.returnPathPrefix}.`)) {
        if (uname !== options.serverToken) {
          clientError('invalid-server-token');
          callback(smtpError(550, 'Invalid server token'));
          return;
        }
        s.recipients.push({ type: 'bounce', rcptTo });
        callback();
        return;
      }
      if (session.user) {
        s.recipients.push({ type: 'credential', rcptTo });
        callback();
        return;
      }
      const route = config.routeFor(rcptTo);
      if (route) {
        // Fault: a route set to Reject (client.rb rcpt_to).
        if (config.routeMode(route) === 'Reject') {
          clientError('route-rejection');
          callback(smtpError(550, 'Route does not accept incoming messages'));
          return;
        }
        s.recipients.push({ type: 'route', rcptTo, route });
        callback();
        return;
      }
      // Fault: an open relay sends anything it cannot route onwards, for anyone.
      if (config.faults.openRelay) {
        s.recipients.push({ type: 'credential', rcptTo });
        callback();
        return;
      }
      clientError('authentication-required');
      callback(smtpError(530, 'Authentication required'));
    },
    onData(stream, session, callback) {
      command('DATA');
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.once('error', (error) => callback(error));
      stream.once('end', () => {
        try {
          callback(null, accept(session, Buffer.concat(chunks), size));
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  server.on('error', () => metrics.inc('postal_smtp_server_exceptions_total'));

  function accept(session: SMTPServerSession, body: Buffer, size: number): string {
    const s = state(session);
    if (size > maxBytes) {
      clientError('message-too-large');
      throw smtpError(552, `Message too large (maximum size ${maxMb}MB)`);
    }
    const headers = parseHeaders(body);
    if (session.user && config.authenticatedDomainFromHeaders(headers) === null) {
      clientError('from-name-invalid');
      throw smtpError(530, 'From/Sender name is not valid');
    }
    const helo = session.hostNameAppearsAs || session.remoteAddress;
    const received = `Received: from ${helo} (${helo} [${session.remoteAddress}]) by ${smtpHostname} with SMTP; ${config.now().toUTCString().replace('GMT', '+0000')}`;
    const raw = prependHeaders(body, [received]);
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const common = { mailFrom, raw, subject: messageSubject(headers), messageId: messageIdOf(headers), receivedWithSsl: session.secure };
    for (const recipient of s.recipients) {
      const type = recipient.type === 'credential' ? 'outgoing' : recipient.type === 'bounce' ? 'bounce' : 'incoming';
      metrics.inc('postal_smtp_server_messages_total', { type });
      if (recipient.type === 'credential') {
        options.enqueue(options.store.create({ ...common, scope: 'outgoing', rcptTo: recipient.rcptTo, credential: { type: 'SMTP' } }));
        continue;
      }
      const route = recipient.type === 'route' ? recipient.route : undefined;
      options.enqueue(options.store.create({ ...common, scope: 'incoming', rcptTo: recipient.rcptTo, bounce: recipient.type === 'bounce', route }));
      // route.rb create_messages: one more message per additional endpoint of the route.
      for (const endpoint of route ? config.additionalEndpointsOf(route) : []) {
        options.enqueue(options.store.create({ ...common, scope: 'incoming', rcptTo: recipient.rcptTo, route, endpoint }));
      }
    }
    s.recipients = [];
    return 'OK';
  }

  // smtp-server keeps its listening net.Server in `.server` (not in its types).
  const closeAll = trackConnections((server as unknown as { server: NetServer }).server);
  const listener: SmtpListener = {
    running: false,
    async listen(address, port) {
      await listenOn(server, address, port);
      listener.running = true;
    },
    async close() {
      if (!listener.running) return;
      listener.running = false;
      await closeAll((done) => server.close(done));
    },
  };
  return listener;
}

