/** Protocol clients for the stand-in's tests: HTTPS to the web host (world CA trusted) and a raw SMTP dialogue. */
import { request } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { TestWorld } from './postal-test-world.ts';

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpsGet(world: TestWorld, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsAnswer> {
  const { web } = world.postal.endpoints;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: web.address, port: web.port, servername: web.host, ca: world.ca.certificatePem, path, method: init.method ?? 'GET', headers: { Host: web.host, ...(init.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(init.body)) } : {}), ...init.headers }, timeout: 10_000 },
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

export async function api(world: TestWorld, action: string, params: unknown, key: string | null = 'default', method = 'POST'): Promise<{ status: string; time: number; flags: object; data: any }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key !== null) headers['X-Server-API-Key'] = key === 'default' ? world.manifest.credentials.find((c) => c.type === 'API')!.key : key;
  const answer = await httpsGet(world, `/api/v1/${action}`, { method, headers, body: JSON.stringify(params) });
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body);
}

/** A line-by-line SMTP client that can STARTTLS, for checking exact replies. */
export class SmtpDialogue {
  private socket: Socket | TLSSocket;
  private buffer = '';
  private waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  static async open(host: string, port: number, localAddress?: string): Promise<{ dialogue: SmtpDialogue; greeting: string }> {
    const socket = netConnect({ host, port, localAddress, timeout: 10_000 });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const dialogue = new SmtpDialogue(socket);
    return { dialogue, greeting: await dialogue.reply() };
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
  }

  /** Reads one complete (possibly multi-line) reply. */
  async reply(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buffer);
      if (match) {
        this.buffer = this.buffer.slice(match[0].length);
        return match[0].replace(/\r?\n$/, '').replace(/\r/g, '');
      }
      if (Date.now() > deadline) throw new Error(`no SMTP reply within ${timeoutMs} ms (buffer: ${JSON.stringify(this.buffer)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async send(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  async startTls(servername: string, ca: string): Promise<TLSSocket> {
    const reply = await this.send('STARTTLS');
    if (!reply.startsWith('220')) throw new Error(`STARTTLS refused: ${reply}`);
    this.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: this.socket as Socket, servername, ca });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    this.socket = secure;
    this.attach(secure);
    return secure;
  }

  close(): void {
    this.socket.destroy();
  }
}
