/**
 * One agent's inbox receiver, like MailGoat's `inbox serve`: an HTTP server that takes Postal's
 * Hash POSTs, refuses any whose signature does not verify against Postal's JWKS, and serves the
 * stored messages back. It can be told to fail, so the stand-in's SoftFail/retry path runs for real.
 *
 * The agent's host may run its own `mailgoat inbox serve` (FN-06 starts the CLI's there): when something
 * listens at `backend` (the agent host's address, the receiver's port), each POST is passed to it as it came
 * — headers, signature and body untouched — and its answer goes back to Postal; the message is listed here
 * too once the CLI accepted it (2xx). With nothing listening there, the receiver answers itself.
 *
 *   POST <path>            Postal's delivery → 200 stored | 401 bad signature | 400 bad payload | <failing status>
 *                          (or the agent's own `inbox serve` answer, when one listens at the backend)
 *   GET  /messages         listing (?token=, ?since=<ISO or 15m/2h/1d>, ?unread=1, ?limit=N), newest first
 *   GET  /messages/<id>    one message with Postal's full payload (marks it read)
 *   POST /_world/fail      {"status": 503 | null}: answer deliveries with that status until cleared
 *   GET  /_world/stats     counters: stored, duplicates, rejected signatures, forwarded, …
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InboxStore, toListEntry, type InboxQuery } from './inbox-store.ts';
import type { JwksKeySource } from './jwks-key-source.ts';
import { request as httpRequest } from 'node:http';
import { postalHashPayloadSchema } from './postal-hash-payload.ts';
import { verifyPostalSignature } from './postal-signature.ts';

export interface InboxReceiverOptions {
  agentId: string;
  /** the agent's email address */
  address: string;
  host: string;
  /** 0 picks a free port */
  port: number;
  /** where Postal POSTs, e.g. /webhooks/postal */
  path: string;
  keySource: JwksKeySource;
  /** The agent's host: its own `mailgoat inbox serve`, when it runs, listens there on this receiver's port. */
  backendHost?: string;
  /** Postal's 14 MB message limit, base64-inflated attachments and JSON around it fit in this */
  maxBodyBytes?: number;
  maxMessages?: number;
}

export interface InboxReceiverStats {
  stored: number;
  duplicates: number;
  /** deliveries refused with 401: missing, malformed or non-matching signature */
  rejectedSignatures: number;
  invalidPayloads: number;
  /** deliveries answered with the configured failure status */
  failedOnPurpose: number;
  /** deliveries answered 503 because Postal's JWKS could not be fetched */
  keyUnavailable: number;
  /** deliveries passed to the agent's own `inbox serve` at the backend, and what it answered */
  forwarded: number;
  forwardAccepted: number;
}

export interface InboxReceiver {
  agentId: string;
  address: string;
  url: string;
  port: number;
  store: InboxStore;
  readonly stats: InboxReceiverStats;
  readonly failingStatus: number | null;
  setFailing(status: number | null): void;
  /** Every delivery takes this long before it is stored and answered (an agent's slow webhook handler). */
  setDelay(ms: number): void;
  stop(): Promise<void>;
}

const DEFAULT_MAX_BODY = 48 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function validateFailingStatus(status: unknown): number | null {
  if (status === null) return null;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return status;
  throw new HttpError(400, 'status must be an HTTP error status (400-599) or null');
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `body larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const RELATIVE_SINCE = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseInboxQuery(params: URLSearchParams, now = Date.now()): InboxQuery {
  const query: InboxQuery = {};
  const token = params.get('token');
  if (token) query.token = token;
  const since = params.get('since');
  if (since) {
    const relative = RELATIVE_SINCE.exec(since);
    const at = relative ? now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS] : Date.parse(since);
    if (Number.isNaN(at))
      throw new HttpError(400, 'since must be an ISO 8601 instant (e.g. 2025-01-31T12:00:00Z) or an age like 15m, 2h, 1d');
    query.since = new Date(at);
  }
  const unread = params.get('unread');
  if (unread === '1' || unread === 'true') query.unread = true;
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^[1-9]\d*$/.test(limit)) throw new HttpError(400, 'limit must be a positive integer');
    query.limit = Number(limit);
  }
  return query;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const parseJson = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
};

/** Headers a hop passes on (Postal's, the signature's among them); hop-by-hop ones are the proxy's own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

/**
 * Passes one POST to the agent's own `inbox serve`; undefined when nothing listens there (the receiver
 * answers itself). A backend that accepts the connection but never answers is a 504 after 30 s.
 */
function forward(
  backend: { host: string; port: number },
  path: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | undefined> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = req.rawHeaders[i + 1]!;
    }
    headers['Content-Length'] = String(body.length);
    let connected = false;
    const request = httpRequest(
      { host: backend.host, port: backend.port, path, method: 'POST', headers, agent: false, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            headers: { 'content-type': String(res.headers['content-type'] ?? 'text/plain') },
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', () =>
          resolve({
            status: 502,
            headers: { 'content-type': 'text/plain' },
            body: Buffer.from("the agent's inbox serve broke off its answer"),
          }),
        );
      },
    );
    request.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === 'ECONNREFUSED' || error.code === 'EADDRNOTAVAIL')) resolve(undefined);
      else
        resolve({
          status: error.message === 'timeout' ? 504 : 502,
          headers: { 'content-type': 'text/plain' },
          body: Buffer.from(`the agent's inbox serve: ${error.code ?? error.message}`),
        });
    });
    request.end(body);
  });
}

export async function startInboxReceiver(options: InboxReceiverOptions): Promise<InboxReceiver> {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const store = new InboxStore(options.maxMessages);
  const stats: InboxReceiverStats = {
    stored: 0,
    duplicates: 0,
    rejectedSignatures: 0,
    invalidPayloads: 0,
    failedOnPurpose: 0,
    keyUnavailable: 0,
    forwarded: 0,
    forwardAccepted: 0,
  };
  let failingStatus: number | null = null;
  let delayMs = 0;

  async function deliver(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, maxBody);
    // A world fault: the agent's handler works on the message before it stores it and answers.
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (failingStatus === null && options.backendHost) {
      // On this receiver's own port (bound before any request comes).
      const answer = await forward({ host: options.backendHost, port }, options.path, req, body);
      if (answer) {
        stats.forwarded++;
        if (answer.status >= 200 && answer.status < 300) {
          stats.forwardAccepted++;
          // Listed here as well, for whoever watches the agent's mail arrive (the harness's mail-flow probe).
          const parsed = postalHashPayloadSchema.safeParse(parseJson(body));
          if (parsed.success) store.add(parsed.data);
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
    }
    if (failingStatus !== null) {
      stats.failedOnPurpose++;
      send(res, failingStatus, { error: `receiver for ${options.address} is failing on purpose (world fault)` });
      return;
    }
    let verdict;
    try {
      verdict = await verifyPostalSignature(body, req.headers, options.keySource);
    } catch (error) {
      // Not the sender's fault: a 5xx makes Postal retry instead of bouncing a genuine message.
      stats.keyUnavailable++;
      send(res, 503, { error: `cannot verify the signature now: ${(error as Error).message}` });
      return;
    }
    if (!verdict.valid) {
      stats.rejectedSignatures++;
      send(res, 401, { error: verdict.reason });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      stats.invalidPayloads++;
      send(res, 400, { error: 'body is not JSON' });
      return;
    }
    // Format "Delivered as the raw message" (RawMessage): the agent's inbox reads Hash payloads only.
    if (
      typeof json === 'object' &&
      json !== null &&
      (json as { base64?: unknown }).base64 === true &&
      typeof (json as { message?: unknown }).message === 'string'
    ) {
      stats.invalidPayloads++;
      send(res, 400, {
        error: 'not a Postal Hash payload: a RawMessage payload (the endpoint delivers the raw message; set its format to Hash)',
      });
      return;
    }
    const parsed = postalHashPayloadSchema.safeParse(json);
    if (!parsed.success) {
      stats.invalidPayloads++;
      const issue = parsed.error.issues[0];
      send(res, 400, { error: `not a Postal Hash payload: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    const outcome = store.add(parsed.data);
    stats[outcome === 'stored' ? 'stored' : 'duplicates']++;
    send(res, 200, { status: outcome, id: parsed.data.id });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    const route = `${req.method} ${url.pathname}`;
    if (req.method === 'POST' && url.pathname === options.path) return deliver(req, res);
    if (route === 'GET /messages') return send(res, 200, store.list(parseInboxQuery(url.searchParams)));
    const one = /^\/messages\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const message = store.get(Number(one[1]));
      if (!message) return send(res, 404, { error: `no message ${one[1]} in ${options.address}'s inbox` });
      store.markRead(message.id);
      return send(res, 200, { ...toListEntry(message), payload: message.payload });
    }
    if (route === 'POST /_world/fail') {
      let status: unknown;
      try {
        status = (JSON.parse((await readBody(req, 4096)).toString('utf8')) as { status?: unknown }).status;
      } catch {
        throw new HttpError(400, 'body must be JSON like {"status":503} or {"status":null}');
      }
      failingStatus = validateFailingStatus(status === undefined ? null : status);
      return send(res, 200, { agentId: options.agentId, failingStatus });
    }
    if (route === 'GET /_world/stats')
      return send(res, 200, { agentId: options.agentId, address: options.address, failingStatus, messages: store.size, ...stats });
    if (route === 'GET /health') return send(res, 200, { status: 'ok', agentId: options.agentId });
    throw new HttpError(404, `no route for ${route}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent) send(res, status, { error: (error as Error).message });
      else res.destroy();
    });
  });
  // A stalled client must not hold a socket (and `stop()`) forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new Error(`inbox receiver for ${options.address} cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`),
      );
    };
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    agentId: options.agentId,
    address: options.address,
    url: `http://${options.host}:${port}${options.path}`,
    port,
    store,
    get stats() {
      return { ...stats };
    },
    get failingStatus() {
      return failingStatus;
    },
    setFailing(status) {
      failingStatus = validateFailingStatus(status);
    },
    setDelay(ms) {
      delayMs = Math.max(0, ms);
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
