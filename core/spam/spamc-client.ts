/**
 * A SPAMC/1.5 client over TCP: one connection per request, as spamd expects (it answers and closes).
 */
import { createConnection } from 'node:net';
import type { SpamScorer, SpamVerdict } from './spam-scorer.ts';
import { buildSpamcRequest, parseSpamdResponse, verdictFromReport, type SpamdResponse } from './spamc-protocol.ts';

export interface SpamdEndpoint {
  address: string;
  port: number;
}

export interface SpamcClientOptions extends SpamdEndpoint {
  /** whole-request deadline; spamd with local tests only answers in well under a second */
  timeoutMs?: number;
  /** spamd refuses nothing by size, but spamc's convention is 500 KB; larger mail is judged by its head */
  maxBytes?: number;
}

export class SpamcClient implements SpamScorer {
  readonly endpoint: SpamdEndpoint;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(options: SpamcClientOptions) {
    this.endpoint = { address: options.address, port: options.port };
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxBytes = options.maxBytes ?? 500 * 1024;
  }

  async check(raw: Buffer): Promise<SpamVerdict> {
    const message = raw.length > this.maxBytes ? raw.subarray(0, this.maxBytes) : raw;
    const response = await this.exchange(buildSpamcRequest('REPORT', message));
    return verdictFromReport(response);
  }

  /** true when spamd answers PONG */
  async ping(timeoutMs = 1000): Promise<boolean> {
    const response = await this.exchange(buildSpamcRequest('PING'), timeoutMs);
    return response.code === 0 && /PONG/.test(response.message);
  }

  private exchange(request: Buffer, timeoutMs = this.timeoutMs): Promise<SpamdResponse> {
    const { address, port } = this.endpoint;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = createConnection({ host: address, port });
      const fail = (error: Error): void => {
        socket.destroy();
        reject(new Error(`spamd ${address}:${port}: ${error.message}`, { cause: error }));
      };
      const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => {
        socket.write(request);
        // Half-close: spamd reads the body by Content-length, but older versions wait for EOF.
        socket.end();
      });
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.once('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      socket.once('close', () => {
        clearTimeout(timer);
        try {
          resolve(parseSpamdResponse(Buffer.concat(chunks)));
        } catch (error) {
          reject(new Error(`spamd ${address}:${port}: ${(error as Error).message}`, { cause: error }));
        }
      });
    });
  }
}

/** One-shot scoring for a spec: the target's spamd, addressed by host and port. */
export function scoreWithSpamd(spamd: { host: string; port: number }, raw: Buffer, timeoutMs: number): Promise<SpamVerdict> {
  return new SpamcClient({ address: spamd.host, port: spamd.port, timeoutMs }).check(raw);
}
