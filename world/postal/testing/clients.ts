/** Protocol clients for the stand-in's tests: HTTPS to the web host (world CA trusted) and a raw SMTP dialogue. */
import { request } from 'node:https';
import { createHostLookup } from '../../../core/dns/host-lookup.ts';
import { SmtpDialogue as CoreSmtpDialogue } from '../../../core/smtp/smtp-dialogue.ts';
import type { TestWorld } from './postal-test-world.ts';

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpsGet(
  world: TestWorld,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  const { web } = world.postal.endpoints;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: web.address,
        port: web.port,
        servername: web.host,
        ca: world.ca.certificatePem,
        path,
        method: init.method ?? 'GET',
        headers: {
          Host: web.host,
          ...(init.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(init.body)) } : {}),
          ...init.headers,
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(init.body);
  });
}

export async function api(
  world: TestWorld,
  action: string,
  params: unknown,
  key: string | null = 'default',
  method = 'POST',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whichever fields the JSON answer has
): Promise<{ status: string; time: number; flags: object; data: any }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key !== null) headers['X-Server-API-Key'] = key === 'default' ? world.manifest.credentials.find((c) => c.type === 'API')!.key : key;
  const answer = await httpsGet(world, `/api/v1/${action}`, { method, headers, body: JSON.stringify(params) });
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body);
}

/**
 * The shared SMTP dialogue (core/smtp) in the shape these tests read best: each command answers the
 * reply's text, lines joined by "\n", so an exact reply can be compared as one string.
 */
export class SmtpDialogue {
  private constructor(private readonly inner: CoreSmtpDialogue) {}

  static async open(host: string, port: number, localAddress?: string): Promise<{ dialogue: SmtpDialogue; greeting: string }> {
    const { dialogue, greeting } = await CoreSmtpDialogue.open({
      host,
      port,
      localAddress,
      lookup: createHostLookup('system', 1_000),
      timeoutMs: 10_000,
    });
    return { dialogue: new SmtpDialogue(dialogue), greeting: greeting.text };
  }

  async send(line: string): Promise<string> {
    return (await this.inner.command(line)).text;
  }

  /** Resolves with whether the chain and name were trusted; rejects when STARTTLS is refused or no handshake happens. */
  async startTls(servername: string, ca: string): Promise<{ authorized: boolean; subjectAltNames: string[] }> {
    const { reply, tls } = await this.inner.startTls({ servername, ca });
    if (reply.code !== 220) throw new Error(`STARTTLS refused: ${reply.text}`);
    if (!tls?.ok) throw new Error(`TLS handshake failed: ${tls?.error ?? 'no handshake'}`);
    return { authorized: tls.authorized, subjectAltNames: tls.subjectAltNames };
  }

  close(): void {
    this.inner.close();
  }
}
