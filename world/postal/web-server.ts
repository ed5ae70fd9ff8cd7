/**
 * Postal's web process behind its TLS proxy, as a client sees it on `https://<webHost>/`: the legacy
 * HTTP API v1 (HTTP 200 always, the outcome in the body), `/login`, `/` → `/login`, and the JWKS of the
 * key that signs endpoint payloads.
 */
import { UnhandledServerError } from './api-result.ts';
import { constants as cryptoConstants } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiParamsError, readApiParams } from './api-params.ts';
import { apiError, renderApiResult, type ApiResult } from './api-result.ts';
import type { InstallSigner } from './install-signer.ts';
import { getDeliveries, getMessage } from './messages-api.ts';
import type { MessageStore, StoredMessage } from './message-store.ts';
import type { PostalConfig } from './postal-config.ts';
import { sendMessage, sendRaw } from './send-api.ts';
import { listenOn, trackConnections } from './server-lifecycle.ts';

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const TOO_LARGE = 'Request Entity Too Large';
const API_METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT']);
const API_ACTIONS = new Set(['send/message', 'send/raw', 'messages/message', 'messages/deliveries']);

export interface WebServerOptions {
  config: PostalConfig;
  store: MessageStore;
  signer: InstallSigner;
  enqueue: (message: StoredMessage) => void;
  certificatePem: string;
  privateKeyPem: string;
  /** the largest request body accepted; larger ones get 413 (default 64 MB) */
  maxBodyBytes?: number;
  /** the PTR name of an address, or the address (ReceivedHeader) */
  hostnameOf?: (ip: string) => Promise<string>;
}

export interface WebServer {
  server: Server;
  /** false while the web "container" is stopped: connections are refused */
  running: boolean;
  listen(address: string, port: number): Promise<void>;
  close(): Promise<void>;
}

export function createWebServer(options: WebServerOptions): WebServer {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res, options, maxBodyBytes).catch(() => {
      // What Rails serves for any unrescued exception in production: public/500.html.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(RAILS_500_PAGE);
    });
  };
  // The TLS proxy in front (Caddy): TLS 1.2+ only, no renegotiation.
  const server = createServer(
    {
      cert: options.certificatePem,
      key: options.privateKeyPem,
      minVersion: 'TLSv1.2',
      secureOptions: cryptoConstants.SSL_OP_NO_RENEGOTIATION,
    },
    onRequest,
  );
  // A client that asks before sending (Expect: 100-continue) a body over the limit hears 413 instead of
  // 100 Continue, and never sends it (RFC 9110 §10.1.1).
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (declaredLength(req) > maxBodyBytes) {
      res.writeHead(413, { 'Content-Type': 'text/plain', 'Content-Length': TOO_LARGE.length, Connection: 'close' });
      res.end(TOO_LARGE);
      return;
    }
    res.writeContinue();
    onRequest(req, res);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  // Caddy (the proxy in front of Postal web) keeps an idle client connection 5 minutes: the client, not the
  // server, closes it first, so a client never reuses a connection the server is closing.
  server.keepAliveTimeout = 300_000;
  const closeAll = trackConnections(server);
  server.on('tlsClientError', () => undefined);
  const web: WebServer = {
    server,
    running: false,
    async listen(address, port) {
      await listenOn(server, address, port);
      web.running = true;
    },
    async close() {
      web.running = false;
      if (server.listening) await closeAll((done) => server.close(done));
    },
  };
  return web;
}

const RAILS_500_PAGE =
  "<!DOCTYPE html>\n<html>\n<head>\n  <title>We're sorry, but something went wrong (500)</title>\n</head>\n<body>\n  <h1>We're sorry, but something went wrong.</h1>\n</body>\n</html>\n";

async function handle(req: IncomingMessage, res: ServerResponse, options: WebServerOptions, maxBodyBytes: number): Promise<void> {
  const url = new URL(req.url ?? '/', `https://${options.config.webHost}`);
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  // The TLS proxy's other site on this server: mta-sts.<domain>, serving the MTA-STS policy when one is published.
  if ((req.headers.host ?? '').split(':')[0]!.toLowerCase() === `mta-sts.${options.config.domain}`) {
    const policy = options.config.faults.mtaStsPolicy;
    const found = path === '/.well-known/mta-sts.txt' && policy !== undefined;
    res.writeHead(found ? 200 : 404, { 'Content-Type': 'text/plain' });
    res.end(found ? policy : 'Not Found');
    return;
  }

  const api = /^\/api\/v1\/([a-z_]+\/[a-z_]+)$/.exec(path);
  if (api && API_ACTIONS.has(api[1]!) && API_METHODS.has(method)) {
    const startedAt = performance.now();
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      res.writeHead(413, { 'Content-Type': 'text/plain', 'Content-Length': TOO_LARGE.length });
      res.end(TOO_LARGE);
      return;
    }
    const result = await runApi(api[1]!, req, body, url, options);
    if (result === 'bad-request') {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Bad Request');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'max-age=0, private, must-revalidate' });
    res.end(renderApiResult(result, startedAt));
    return;
  }
  req.resume();
  if (method === 'GET' && path === '/') {
    // ApplicationController#login_required (app/controllers/application_controller.rb:21):
    // redirect_to login_path(return_to: request.fullpath) — a real 3.3.2 answers /login?return_to=%2F.
    const location = `https://${options.config.webHost}/login?return_to=${encodeURIComponent(req.url ?? '/')}`;
    res.writeHead(302, { Location: location, 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<html><body>You are being <a href="${location.replace(/&/g, '&amp;')}">redirected</a>.</body></html>`);
    return;
  }
  if (method === 'GET' && path === '/login') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(loginPage(options.config));
    return;
  }
  if (method === 'GET' && path === '/.well-known/jwks.json') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(options.signer.jwks()));
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<html><body><h1>Page not found</h1></body></html>');
}

async function runApi(
  action: string,
  req: IncomingMessage,
  body: Buffer,
  url: URL,
  options: WebServerOptions,
): Promise<ApiResult | 'bad-request'> {
  // With MariaDB down every API call fails looking up its credential (Mysql2::Error, unrescued).
  if (options.config.faults?.databaseDown)
    throw new UnhandledServerError("Mysql2::Error::ConnectionError: Can't connect to server on '127.0.0.1'");
  const key = headerValue(req, 'x-server-api-key');
  if (key === undefined || key.trim() === '') return apiError('AccessDenied', { message: 'Must be authenticated as a server.' });
  // Only API credentials authenticate here; an SMTP credential's key is "not valid" like any unknown key.
  if (!options.config.apiCredential(key)) {
    return apiError('InvalidServerAPIKey', { message: 'The API token provided in X-Server-API-Key was not valid.', token: key });
  }
  // Fault: a suspended mail server (legacy_api/base_controller.rb).
  if (options.config.faults.serverSuspended) return apiError('ServerSuspended');
  let params;
  try {
    params = readApiParams(headerValue(req, 'content-type'), body, url.searchParams);
  } catch (error) {
    // A JSON body Rails cannot parse is its 400; invalid JSON in the `params` field is JSON::ParserError in the controller: 500.
    if (error instanceof ApiParamsError) {
      if (error.inParamsField) throw new UnhandledServerError(`JSON::ParserError: ${error.message}`);
      return 'bad-request';
    }
    throw error;
  }
  const ctx = {
    config: options.config,
    store: options.store,
    enqueue: options.enqueue,
    clientIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    credentialAgent: options.config.apiCredentialAgent(key),
    ...(options.hostnameOf ? { hostnameOf: options.hostnameOf } : {}),
  };
  switch (action) {
    case 'send/message':
      return sendMessage(params, ctx);
    case 'send/raw':
      return sendRaw(params, ctx);
    case 'messages/message':
      return getMessage(params, options.store, options.config.version);
    default:
      return getDeliveries(params, options.store);
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function declaredLength(req: IncomingMessage): number {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) ? length : 0;
}

/**
 * The request body, or 'too-large' once it passes `max` bytes (declared or counted). An oversized body
 * is still read to its end, unkept, so the 413 reaches a client that is still sending: closing early
 * would reset the connection under it and it would never see the answer.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declaredLength(req) > max;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > max) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function loginPage(config: PostalConfig): string {
  return `<!DOCTYPE html>
<html>
<head><title>Postal</title><meta name="csrf-param" content="authenticity_token"></head>
<body class="loginPage">
<div class="loginForm">
<h1 class="loginForm__title">Login to Postal</h1>
<form action="/login" accept-charset="UTF-8" method="post">
<input type="hidden" name="return_to" value="">
<p><input type="text" name="email_address" id="email_address" placeholder="Your e-mail address" autocomplete="username"></p>
<p><input type="password" name="password" id="password" placeholder="Your password" autocomplete="current-password"></p>
<p><input type="submit" name="commit" value="Login" class="button button--positive"></p>
</form>
</div>
<footer>Postal v${config.version}</footer>
</body>
</html>
`;
}
