import { Agent, request } from 'undici';
import type { LookupFunction } from '../../core/dns/host-lookup.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpClient {
  request(
    url: string,
    options?: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
  ): Promise<HttpResponse>;
  close(): Promise<void>;
}

/**
 * HTTP(S) through undici, resolving names with the target's DNS and trusting the target's CA
 * (the world's root in embedded mode, the system store live). Every request has a deadline.
 */
export function createHttpClient(options: { lookup: LookupFunction; ca?: string; timeoutMs: number; connections?: number }): HttpClient {
  const agent = new Agent({
    connect: { lookup: options.lookup, ca: options.ca, timeout: options.timeoutMs },
    connections: options.connections ?? 16,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  return {
    async request(url, init = {}) {
      const timeoutMs = init.timeoutMs ?? options.timeoutMs;
      const response = await request(url, {
        method: (init.method ?? 'GET') as 'GET',
        headers: init.headers,
        body: init.body,
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
    },
    close: () => agent.close(),
  };
}
