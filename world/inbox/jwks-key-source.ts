/**
 * Postal's public signing keys, from its `/.well-known/jwks.json`, the way a webhook receiver
 * should hold them: fetched on first use, cached, fetched again once when a signature names a
 * kid we do not know (Postal rotated its key). A kid that is still unknown after that refetch is
 * remembered, so a stream of forged kids cannot turn every request into a JWKS download.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createHostLookup } from '../../core/dns/host-lookup.ts';

export interface JwksKeySourceOptions {
  url: string;
  /** PEM roots to trust for an https JWKS URL (the world CA); omitted → the system store. */
  ca?: string;
  /**
   * Connect to this address instead of resolving the URL's host, while TLS still verifies the
   * host name — the world's names live in the world's DNS, not the one node asks.
   */
  hostAddress?: string;
  /**
   * Resolve the URL's host through this DNS server ("address[:port]"): a receiver finds Postal's JWKS where
   * DNS says Postal is, so a Postal the world does not run (a real one) is found too.
   */
  dnsServer?: string;
  timeoutMs?: number;
}

export interface JwksKeySource {
  /** The candidate keys for a signature: the key with that kid, or every key when no kid is given. */
  keysFor(kid: string | undefined): Promise<KeyObject[]>;
  /** How many times the JWKS has been downloaded (for tests and the world's diagnostics). */
  readonly fetchCount: number;
}

const MAX_JWKS_BYTES = 256 * 1024;

function fetchText(options: JwksKeySourceOptions): Promise<string> {
  const url = new URL(options.url);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const request = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!request) return Promise.reject(new Error(`JWKS URL ${options.url} must be http or https`));
  const lookup: LookupFunction | undefined = options.hostAddress
    ? (_hostname, lookupOptions, callback) => {
        const address = options.hostAddress!;
        if ((lookupOptions as { all?: boolean }).all)
          (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]);
        else callback(null, address, 4);
      }
    : options.dnsServer
      ? createHostLookup(options.dnsServer, timeoutMs)
      : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json' },
        agent: false,
        timeout: timeoutMs,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(lookup ? { lookup } : {}),
      },
      (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`JWKS ${options.url} answered HTTP ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_JWKS_BYTES) req.destroy(new Error(`JWKS ${options.url} is larger than ${MAX_JWKS_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      },
    );
    // `timeout` only reports idleness; the request must be torn down for the promise to settle.
    req.on('timeout', () => req.destroy(new Error(`JWKS ${options.url} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function parseJwks(text: string, url: string): Map<string, KeyObject> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`JWKS ${url} is not JSON`);
  }
  const keys = (document as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new Error(`JWKS ${url} has no "keys" array`);
  const out = new Map<string, KeyObject>();
  keys.forEach((jwk: JsonWebKey & { kid?: string; use?: string }, index) => {
    if (jwk?.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) return;
    try {
      out.set(jwk.kid ?? `#${index}`, createPublicKey({ key: jwk, format: 'jwk' }));
    } catch {
      // One malformed entry must not hide the valid keys beside it.
    }
  });
  if (out.size === 0) throw new Error(`JWKS ${url} holds no usable RSA signing key`);
  return out;
}

const NEGATIVE_TTL_MS = 60_000;
const NEGATIVE_MAX = 1_000;

export function createJwksKeySource(options: JwksKeySourceOptions): JwksKeySource {
  let keys: Map<string, KeyObject> | undefined;
  let inFlight: Promise<Map<string, KeyObject>> | undefined;
  let fetchCount = 0;
  /** kid → until when it counts as unknown without asking again */
  const unknownUntil = new Map<string, number>();

  // Concurrent deliveries share one download.
  const refresh = (): Promise<Map<string, KeyObject>> => {
    inFlight ??= (async () => {
      try {
        fetchCount++;
        keys = parseJwks(await fetchText(options), options.url);
        return keys;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const rememberUnknown = (kid: string): void => {
    if (unknownUntil.size >= NEGATIVE_MAX) unknownUntil.clear();
    unknownUntil.set(kid, Date.now() + NEGATIVE_TTL_MS);
  };

  return {
    get fetchCount() {
      return fetchCount;
    },
    async keysFor(kid) {
      const fresh = keys === undefined;
      let current = keys ?? (await refresh());
      if (kid === undefined) return [...current.values()];
      let key = current.get(kid);
      if (!key && !fresh && (unknownUntil.get(kid) ?? 0) < Date.now()) {
        current = await refresh();
        key = current.get(kid);
      }
      if (!key) rememberUnknown(kid);
      else unknownUntil.delete(kid);
      return key ? [key] : [];
    },
  };
}
