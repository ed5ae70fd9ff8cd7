/**
 * Postal's `smtp-server` process on port 25 (smtp-server underneath), following SMTPServer::Client:
 * banner `<smtp_hostname> ESMTP Postal/<trace id>`, EHLO with STARTTLS (only with postal.yml's
 * smtp_server.tls_enabled) and `AUTH CRAM-MD5 PLAIN LOGIN`,
 * AUTH without TLS (password = an SMTP credential key, username ignored), and RCPT decided in Postal's
 * order: return path → authenticated relay → route (local part or `*`) → `530 Authentication required`.
 */
import { constants as cryptoConstants } from 'node:crypto';
import type { Server as NetServer } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';
import type { ManifestRoute } from '../../core/artifacts/accounts-manifest.ts';
import { messageIdOf, messageSubject, parseHeaders, prependHeaders } from './mail-headers.ts';
import type { MessageStore, StoredMessage } from './message-store.ts';
import type { MetricsRegistry } from './metrics.ts';
import { POSTAL_DEFAULTS, type PostalConfig } from './postal-config.ts';
import { usePostalReplies } from './postal-replies.ts';
import { randomAlphanumeric } from './random-token.ts';
import { rfc2822 } from './compose-message.ts';
import { readPostalRcpt } from './postal-rcpt.ts';
import { relayedAddress } from './relay-faults.ts';
import { listenOn, trackConnections } from './server-lifecycle.ts';

type Recipient =
  { type: 'credential'; rcptTo: string } | { type: 'route'; rcptTo: string; route: ManifestRoute } | { type: 'bounce'; rcptTo: string };

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
  /** the address the listener is bound to (an IP literal `[address]` is one of its own names) */
  listenAddress?: string;
  /** the PTR name of an address, or the address (ReceivedHeader) */
  hostnameOf?(ip: string): Promise<string>;
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
      // client.rb:52 trace_id: SecureRandom.alphanumeric(8).upcase
      s = { trace: randomAlphanumeric(8, 'upper'), recipients: [] };
      sessions.set(session, s);
    }
    return s;
  };
  const granted = `${config.manifest.organization.permalink}/${config.manifest.server.permalink}`;
  const clientError = (error: string): void => metrics.inc('postal_smtp_server_client_errors', { error });
  const command = (name: string): void => metrics.inc('postal_smtp_server_commands_total', { command: name });

  const isOwn = (domain: string): boolean => {
    const d = domain.toLowerCase().replace(/\.$/, '');
    return d === config.domain || d === config.mailHost || d === `[${options.listenAddress ?? ''}]`;
  };

  /** SMTPServer::Client#rcpt_to, in Postal's order, with the injected relay holes in front (a front MTA). */
  function decideRcpt(line: string, session: SMTPServerSession, callback: (error?: Error | null) => void): void {
    command('RCPT TO');
    const read = readPostalRcpt(line);
    if (read.kind === 'reply') {
      clientError(read.code === 501 && read.message.includes('empty') ? 'empty-rcpt-to' : 'invalid-rcpt-to');
      callback(smtpError(read.code, read.message));
      return;
    }
    const { rcptTo, uname, domain } = read;
    const s = state(session);
    const holes = config.faults.relay;
    const relayed = holes?.forms ? relayedAddress(rcptTo, holes.forms, isOwn) : undefined;
    if (relayed) {
      // Fault: a front MTA decodes the routing syntax and relays to the address inside.
      s.recipients.push({ type: 'credential', rcptTo: relayed });
      callback();
      return;
    }
    if (domain === config.returnPathDomain || domain.startsWith(`${options.returnPathPrefix}.`)) {
      if (uname === undefined || uname.toLowerCase() !== options.serverToken.toLowerCase()) {
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
    const route = uname === undefined ? undefined : config.routeByNameAndDomain(uname, domain);
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
    // Fault: an open relay sends anything it cannot route onwards, for anyone (or for anyone who did STARTTLS).
    if (config.faults.openRelay || (holes?.afterStarttls && session.secure)) {
      s.recipients.push({ type: 'credential', rcptTo });
      callback();
      return;
    }
    clientError('authentication-required');
    callback(smtpError(530, 'Authentication required'));
  }

  // postal.yml's smtp_server TLS settings, read when the process starts (Postal reads its config at boot).
  const tls = config.smtpTls;
  const tlsOffered = tls.enabled && config.faults.starttls !== false;
  const server: SMTPServer = new SMTPServer({
    name: smtpHostname,
    key: tls.privateKeyPem ?? options.privateKeyPem,
    cert: tls.certificatePem ?? options.certificatePem,
    // Postal's image: OpenSSL 3 with Debian's MinProtocol TLSv1.2 and client-initiated renegotiation off.
    // Fault: smtp_server.ssl_version / tls_ciphers set to old values (TLS 1.0 and 1.1 offered).
    // Fault: smtp_server.ssl_version "TLSv1" (server.rb sets ssl_context.ssl_version): only TLS 1.0 is spoken.
    minVersion: config.faults.smtpLegacyTls || config.faults.smtpSslVersion === 'TLSv1' ? 'TLSv1' : 'TLSv1.2',
    ...(config.faults.smtpSslVersion === 'TLSv1' ? { maxVersion: 'TLSv1' as const } : {}),
    ...(config.faults.smtpLegacyTls || config.faults.smtpSslVersion === 'TLSv1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    secureOptions: cryptoConstants.SSL_OP_NO_RENEGOTIATION,
    // Postal's EHLO is "250-My capabilities are / 250-STARTTLS / 250 AUTH CRAM-MD5 PLAIN LOGIN": no SIZE,
    // PIPELINING, 8BITMIME, SMTPUTF8, DSN or enhanced status codes.
    heloResponse: 'My capabilities are',
    hidePIPELINING: true,
    hide8BITMIME: true,
    hideSMTPUTF8: true,
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    hideREQUIRETLS: true,
    // smtp_server.tls_enabled false (Postal's default; also the starttls-off fault): no STARTTLS in EHLO.
    hideSTARTTLS: !tlsOffered,
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
      usePostalReplies(
        (server as unknown as { connections?: unknown }).connections,
        session,
        { mailHost: smtpHostname, granted },
        { starttls: !tlsOffered ? 'unavailable' : tls.certificatePem && tls.privateKeyPem ? 'ready' : 'broken' },
        { rcpt: (line, done) => decideRcpt(line, session, done) },
      );
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
      // Fault: an authentication backend that answers yes to any password (PLAIN, LOGIN).
      const ok =
        config.faults.authAnyPassword && auth.method !== 'CRAM-MD5'
          ? true
          : auth.method === 'CRAM-MD5'
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
      // Reached only when the Postal command wrapper is not installed (postal-replies.ts): same decision.
      decideRcpt(`RCPT TO:<${address.address}>`, session, callback);
    },
    onData(stream, session, callback) {
      command('DATA');
      const chunks: Buffer[] = [];
      let size = 0;
      const ip = (session.remoteAddress ?? '').replace(/^::ffff:/, '');
      const hostname = options.hostnameOf ? options.hostnameOf(ip) : Promise.resolve(ip);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.once('error', (error) => callback(error));
      stream.once('end', () => {
        void hostname.then((name) => {
          try {
            callback(null, accept(session, Buffer.concat(chunks), size, name));
          } catch (error) {
            callback(error as Error);
          }
        });
      });
    },
  });
  server.on('error', () => metrics.inc('postal_smtp_server_exceptions_total'));

  function accept(session: SMTPServerSession, body: Buffer, size: number, clientHostname: string): string {
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
    // ReceivedHeader.generate (app/lib/received_header.rb): "from <helo> (<PTR of the IP, or the IP> [<ip>]) by
    // <smtp_hostname> with SMTP; <Time.now.utc.rfc2822>" — the SMTP server's time reads "-0000", as seen on a real 3.3.2.
    const ip = (session.remoteAddress ?? '').replace(/^::ffff:/, '');
    const helo = session.hostNameAppearsAs || ip;
    const received = `Received: from ${helo} (${clientHostname} [${ip}]) by ${smtpHostname} with SMTP; ${rfc2822(config.now(), '-0000')}`;
    const raw = prependHeaders(body, [received]);
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    // received_with_ssl is set only after STARTTLS (null otherwise, as a real 3.3.2's payloads and details show).
    const common = {
      mailFrom,
      raw,
      subject: messageSubject(headers),
      messageId: messageIdOf(headers),
      receivedWithSsl: session.secure ? true : null,
    };
    for (const recipient of s.recipients) {
      const type = recipient.type === 'credential' ? 'outgoing' : recipient.type === 'bounce' ? 'bounce' : 'incoming';
      metrics.inc('postal_smtp_server_messages_total', { type });
      if (recipient.type === 'credential') {
        options.enqueue(options.store.create({ ...common, scope: 'outgoing', rcptTo: recipient.rcptTo, credential: { type: 'SMTP' } }));
        continue;
      }
      const route = recipient.type === 'route' ? recipient.route : undefined;
      options.enqueue(
        options.store.create({ ...common, scope: 'incoming', rcptTo: recipient.rcptTo, bounce: recipient.type === 'bounce', route }),
      );
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
