import { createHash } from 'node:crypto';
import type { HttpClient } from './http-client.ts';

export type PostalRoute = 'send/message' | 'send/raw' | 'messages/message' | 'messages/deliveries';

export interface PostalAnswer<T = Record<string, unknown>> {
  /** "success", "error" or "parameter-error": Postal answers HTTP 200 either way. */
  status: string;
  httpStatus: number;
  data: T;
  time?: number;
}

/** What undici says when the server closed a kept-alive connection before it answered. */
const CLOSED_UNDER_US = /other side closed|socket hang up|ECONNRESET|UND_ERR_SOCKET/i;

/** A short, non-reversible name for a key, so evidence can show which key without showing it. */
export function keyFingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/**
 * Postal's HTTP API v1 (legacy API). The key goes only into the X-Server-API-Key header; anything
 * thrown or returned here is safe to put in evidence (Postal echoes a wrong key in data.token — removed).
 */
export function createPostalApi(http: HttpClient, baseUrl: string) {
  return {
    /** `timeoutMs`: for a large request (a message near the size limit), longer than one network step. */
    async call<T = Record<string, unknown>>(
      route: PostalRoute,
      apiKey: string,
      params: Record<string, unknown>,
      options: { timeoutMs?: number } = {},
    ): Promise<PostalAnswer<T>> {
      const url = `${baseUrl.replace(/\/$/, '')}/api/v1/${route}`;
      let response;
      const post = () =>
        http.request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-server-api-key': apiKey },
          body: JSON.stringify(params),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        });
      try {
        try {
          response = await post();
        } catch (error) {
          // A kept-alive connection the server closed as it was reused: the request never reached Postal, once more on a fresh one.
          if (!CLOSED_UNDER_US.test((error as Error).message)) throw error;
          response = await post();
        }
      } catch (error) {
        throw new Error(`POST ${url} failed: ${(error as Error).message}`, { cause: error });
      }
      // A redirect is never followed: the key would go to wherever it points (http → https, another host).
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.location;
        throw new Error(
          `POST ${url}: HTTP ${response.status} redirect${location ? ` to ${String(location).split('?')[0]}` : ''}, not followed (the API key is never sent on); set POSTAL_API_URL to the address Postal answers on`,
        );
      }
      let parsed: { status?: string; data?: Record<string, unknown> | unknown[]; time?: number };
      try {
        parsed = JSON.parse(response.body) as typeof parsed;
      } catch {
        throw new Error(`POST ${url}: HTTP ${response.status}, not a Postal JSON answer: ${response.body.slice(0, 120)}`);
      }
      // messages/deliveries answers an array; everything else an object (whose `token` may echo a wrong key).
      const data = Array.isArray(parsed.data) ? parsed.data : { ...(parsed.data ?? {}) };
      if (!Array.isArray(data) && typeof data.token === 'string' && data.token === apiKey) data.token = '[the key sent]';
      return { status: parsed.status ?? 'missing', httpStatus: response.status, data: data as T, time: parsed.time };
    },
  };
}

export type PostalApi = ReturnType<typeof createPostalApi>;
