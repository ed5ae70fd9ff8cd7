import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { LookupFunction } from '../dns/host-lookup.ts';

export interface SmtpReply {
  code: number;
  lines: string[];
  text: string;
}

export interface TlsOutcome {
  ok: boolean;
  authorized: boolean;
  error?: string;
  protocol?: string;
  /** the negotiated cipher suite (OpenSSL name) */
  cipher?: string;
  subjectAltNames: string[];
  validTo?: string;
  issuer?: string;
  /** the certificates the server presented, leaf first, DER in base64 (DANE matches them against TLSA) */
  chainDer?: string[];
}

/**
 * A hand-driven SMTP conversation: probes need the exact replies (banner, EHLO keywords, the code a
 * relay attempt gets) that a sending library hides. Keeps a transcript for evidence; AUTH data is masked.
 */
export class SmtpDialogue {
  readonly transcript: string[] = [];
  private socket: Socket | TLSSocket;
  private buffer = '';
  private waiting?: { resolve: (reply: SmtpReply) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
  private pending: SmtpReply[] = [];
  private failure?: Error;
  /** The TLS socket after STARTTLS (a probe may renegotiate on it). */
  secureSocket?: TLSSocket;

  private constructor(
    socket: Socket,
    private readonly timeoutMs: number,
    private readonly host: string,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  static async open(options: {
    host: string;
    port: number;
    lookup: LookupFunction;
    timeoutMs: number;
    localAddress?: string;
  }): Promise<{ dialogue: SmtpDialogue; greeting: SmtpReply }> {
    const socket = netConnect({ host: options.host, port: options.port, lookup: options.lookup, localAddress: options.localAddress });
    const dialogue = new SmtpDialogue(socket, options.timeoutMs, options.host);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no TCP connection to ${options.host}:${options.port} within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${options.host}:${options.port}: ${error.message}`));
      });
    });
    const greeting = await dialogue.read();
    return { dialogue, greeting };
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error: Error) => this.fail(error));
    socket.on('close', () => this.fail(new Error(`${this.host} closed the connection`)));
  }

  /** Lines of a multi-line reply read so far (each already in the transcript, logged once as it arrived). */
  private partial: string[] = [];

  private onData(chunk: string): void {
    this.buffer += chunk;
    let index: number;
    while ((index = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, index).replace(/\r$/, '');
      this.buffer = this.buffer.slice(index + 1);
      this.transcript.push(`S: ${line}`);
      this.partial.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const lines = this.partial;
        this.partial = [];
        this.deliver({ code: Number(line.slice(0, 3)), lines: lines.map((l) => l.slice(4)), text: lines.join('\n') });
      }
    }
  }

  private deliver(reply: SmtpReply): void {
    if (this.waiting) {
      clearTimeout(this.waiting.timer);
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(reply);
    } else this.pending.push(reply);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.waiting) {
      clearTimeout(this.waiting.timer);
      const { reject } = this.waiting;
      this.waiting = undefined;
      reject(error);
    }
  }

  read(): Promise<SmtpReply> {
    const next = this.pending.shift();
    if (next) return Promise.resolve(next);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`${this.host} did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting = { resolve, reject, timer };
    });
  }

  async command(line: string, options: { mask?: boolean } = {}): Promise<SmtpReply> {
    this.transcript.push(`C: ${options.mask ? `${line.split(' ').slice(0, 2).join(' ')} ****` : line}`);
    this.socket.write(`${line}\r\n`);
    return this.read();
  }

  async ehlo(name: string): Promise<{ reply: SmtpReply; capabilities: string[] }> {
    const reply = await this.command(`EHLO ${name}`);
    return { reply, capabilities: reply.code === 250 ? reply.lines.slice(1).map((l) => l.toUpperCase()) : [] };
  }

  /** STARTTLS and the handshake; the outcome says whether the chain and name were trusted. `tls` pins versions or suites (a version probe). */
  async startTls(options: {
    servername: string;
    ca?: string;
    tls?: Pick<ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;
  }): Promise<{ reply: SmtpReply; tls?: TlsOutcome }> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) return { reply };
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = tlsConnect({ ...options.tls, socket: plain, servername: options.servername, ca: options.ca, rejectUnauthorized: false });
    const tls = await new Promise<TlsOutcome>((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, authorized: false, error: `no TLS handshake within ${this.timeoutMs} ms`, subjectAltNames: [] }),
        this.timeoutMs,
      );
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(describeTls(secure));
      });
      secure.once('error', (error: Error) => {
        clearTimeout(timer);
        resolve({ ok: false, authorized: false, error: error.message, subjectAltNames: [] });
      });
    });
    this.transcript.push(
      `-- TLS ${tls.ok ? `${tls.protocol}, ${tls.authorized ? 'trusted' : `untrusted (${tls.error})`}` : `failed: ${tls.error}`}`,
    );
    this.socket = secure;
    this.secureSocket = secure;
    this.failure = undefined;
    this.attach(secure);
    return { reply, tls };
  }

  close(): void {
    if (!this.socket.destroyed) {
      this.socket.write('QUIT\r\n');
      this.socket.end();
      this.socket.destroy();
    }
  }
}

/** The presented chain, leaf first, as DER in base64 (a self-issued root ends it). */
function chainOf(socket: TLSSocket): string[] {
  const chain: string[] = [];
  let certificate: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (certificate?.raw && chain.length < 10) {
    chain.push(certificate.raw.toString('base64'));
    const issuer: DetailedPeerCertificate | undefined = certificate.issuerCertificate;
    if (!issuer || issuer === certificate || issuer.raw?.equals(certificate.raw)) break;
    certificate = issuer;
  }
  return chain;
}

export function describeTls(socket: TLSSocket): TlsOutcome {
  const certificate = socket.getPeerCertificate();
  const altNames = (certificate.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  return {
    ok: true,
    authorized: socket.authorized,
    error: authorizationError,
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    subjectAltNames: altNames,
    validTo: certificate.valid_to ? new Date(certificate.valid_to).toISOString() : undefined,
    issuer: certificate.issuer
      ? Object.entries(certificate.issuer)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : (v ?? '')}`)
          .join(', ')
      : undefined,
    chainDer: chainOf(socket),
  };
}
