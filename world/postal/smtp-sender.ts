/**
 * Postal's SMTPSender for outgoing mail: MX of the recipient domain (else its A record) through the
 * world DNS, each server in priority order, connecting **from the stand-in's address** with HELO
 * `<mail host>`, STARTTLS when offered. Postal's "Auto" TLS mode does not verify the peer certificate;
 * the world CA is trusted anyway so a verified session can be reported.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { PostalConfig } from './postal-config.ts';
import { randomAlphanumeric } from './random-token.ts';
import type { SendResult } from './send-result.ts';
import type { PostalResolver } from './postal-resolver.ts';

export interface SmtpSenderOptions {
  config: PostalConfig;
  resolver: PostalResolver;
  localAddress: string;
  caPem: string;
  port?: number;
  timeoutMs?: number;
}

interface Target {
  host: string;
  ip: string;
}

interface Pooled {
  connection: SMTPConnection;
  dead: boolean;
  /** the current user's error handler (connect or send) */
  onError?: (error: Error & { responseCode?: number; response?: string }) => void;
  idleTimer?: NodeJS.Timeout;
}

type Attempt = Omit<SendResult, 'logId' | 'time'>;

const IDLE_MS = 2_000;
const MAX_IDLE_PER_TARGET = 32;

export class SmtpSender {
  /** Postal keeps an SMTP connection per destination open across messages; so does the stand-in (RSET between). */
  private readonly idle = new Map<string, Pooled[]>();
  private closed = false;

  constructor(private readonly options: SmtpSenderOptions) {}

  async send(envelope: { from: string; to: string }, raw: Buffer): Promise<SendResult> {
    const started = performance.now();
    const logId = randomAlphanumeric(8, 'upper');
    const domain = envelope.to.slice(envelope.to.lastIndexOf('@') + 1).toLowerCase();
    const elapsed = (): number => Math.round((performance.now() - started) / 10) / 100;
    let targets: Target[];
    try {
      // Fault: dns.resolv_conf_path names a resolver that does not answer.
      if (this.options.config.faults.resolverDown)
        throw new Error('getaddrinfo ETIMEOUT (no answer from the resolver in dns.resolv_conf_path)');
      targets = await this.targets(domain);
    } catch (error) {
      return {
        type: 'SoftFail',
        details: `DNS error looking up ${domain}: ${(error as Error).message}`,
        output: null,
        secure: false,
        logId,
        time: elapsed(),
        retry: true,
        connectError: true,
      };
    }
    const tried: string[] = [];
    for (const target of targets) {
      const attempt = await this.attempt(target, envelope, raw);
      if (attempt === 'connect-error') {
        tried.push(target.host);
        continue;
      }
      return { ...attempt, logId, time: elapsed() };
    }
    return {
      type: 'SoftFail',
      // app/senders/smtp_sender.rb:45-50: the endpoints' host names, uniq, as Rails' to_sentence.
      details: `No SMTP servers were available for ${domain}.${tried.length ? ` Tried ${toSentence([...new Set(tried)])}.` : ' No hosts to try.'}`,
      output: null,
      secure: false,
      logId,
      time: elapsed(),
      retry: true,
      connectError: true,
    };
  }

  /** Closes every idle connection; later sends open fresh ones only until this is called. */
  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const pooled of list) this.discard(pooled);
    this.idle.clear();
  }

  private async targets(domain: string): Promise<Target[]> {
    const { resolver } = this.options;
    const mx = (await resolver.mx(domain)).sort((a, b) => a.priority - b.priority);
    const hosts = mx.length > 0 ? mx.map((m) => m.exchange.replace(/\.$/, '')) : [domain];
    const targets: Target[] = [];
    for (const host of hosts) {
      for (const ip of await resolver.a(host).catch(() => [] as string[])) targets.push({ host, ip });
    }
    return targets;
  }

  private async attempt(target: Target, envelope: { from: string; to: string }, raw: Buffer): Promise<Attempt | 'connect-error'> {
    // Fault: the hosting provider drops outgoing port 25 to anyone but the server itself.
    if (this.options.config.faults.outboundBlocked && target.ip !== this.options.localAddress) return 'connect-error';
    const key = `${target.host}|${target.ip}`;
    const reused = this.checkout(key);
    if (reused) {
      const result = await this.transmit(reused, target, envelope, raw);
      // a kept-alive connection the server has since closed: try once more on a fresh one
      if (result !== 'lost') return this.finish(key, reused, result);
    }
    const fresh = await this.open(target);
    if (fresh === 'connect-error') return 'connect-error';
    const result = await this.transmit(fresh, target, envelope, raw);
    return this.finish(key, fresh, result === 'lost' ? 'connect-error' : result);
  }

  /** smtp_sender.rb connect_to_endpoint: an SSL error in "Auto" mode is retried once without TLS (allow_ssl: false). */
  private open(target: Target, allowSsl = true): Promise<Pooled | 'connect-error'> {
    const timeout = this.options.timeoutMs ?? 10_000;
    const connection = new SMTPConnection({
      host: target.ip,
      port: this.options.port ?? 25,
      // smtp_client/endpoint.rb default_helo_hostname: dns.helo_hostname, else postal.smtp_hostname, else "localhost".
      name: this.options.config.faults.heloHostname ?? this.options.config.faults.smtpHostname ?? this.options.config.mailHost,
      localAddress: this.options.localAddress,
      // Fault: the STARTTLS handshake fails and Postal retries without TLS (endpoint.rb allow_ssl false).
      ...(this.options.config.faults.outboundTls === false || !allowSsl ? { ignoreTLS: true } : { opportunisticTLS: true }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
      tls: { servername: target.host, ca: this.options.caPem, rejectUnauthorized: false },
    });
    const pooled: Pooled = { connection, dead: false };
    const lost = (error: Error): void => {
      pooled.dead = true;
      const handler = pooled.onError;
      pooled.onError = undefined;
      handler?.(error);
    };
    connection.on('error', lost);
    connection.on('end', () => lost(new Error('Connection closed')));
    return new Promise((resolve) => {
      pooled.onError = (error) => {
        this.discard(pooled);
        const sslError = (error as Error & { code?: string }).code === 'ETLS' || /SSL routines|alert protocol version/i.test(error.message);
        resolve(allowSsl && sslError ? this.open(target, false) : 'connect-error');
      };
      connection.connect(() => {
        pooled.onError = undefined;
        resolve(pooled);
      });
    });
  }

  private transmit(pooled: Pooled, target: Target, envelope: { from: string; to: string }, raw: Buffer): Promise<Attempt | 'lost'> {
    // SMTPClient::Endpoint#description (app/lib/smtp_client/endpoint.rb:24): "<ip>:<port> (<hostname>)".
    const where = `${target.ip}:${this.options.port ?? 25} (${target.host})`;
    return new Promise((resolve) => {
      let settled = false;
      const done = (value: Attempt | 'lost'): void => {
        if (settled) return;
        settled = true;
        pooled.onError = undefined;
        resolve(value);
      };
      pooled.onError = (error) => done(error.responseCode ? failure(error, where, pooled.connection.secure) : 'lost');
      pooled.connection.send({ from: envelope.from, to: [envelope.to] }, raw, (error, info) => {
        if (error) done(failure(error, where, pooled.connection.secure));
        else
          done({
            type: 'Sent',
            details: `Message for ${envelope.to} accepted by ${where}`,
            output: info.response ?? null,
            secure: pooled.connection.secure,
            retry: false,
            connectError: false,
          });
      });
    });
  }

  private finish(key: string, pooled: Pooled, result: Attempt | 'connect-error'): Attempt | 'connect-error' {
    if (result === 'connect-error' || result.type !== 'Sent' || pooled.dead || this.closed) {
      this.discard(pooled);
      return result;
    }
    pooled.connection.reset((error) => {
      if (error || pooled.dead || this.closed) {
        this.discard(pooled);
        return;
      }
      const list = this.idle.get(key) ?? [];
      if (list.length >= MAX_IDLE_PER_TARGET) {
        this.discard(pooled);
        return;
      }
      pooled.onError = () => this.remove(key, pooled);
      pooled.idleTimer = setTimeout(() => {
        this.remove(key, pooled);
        this.discard(pooled);
      }, IDLE_MS);
      list.push(pooled);
      this.idle.set(key, list);
    });
    return result;
  }

  private checkout(key: string): Pooled | undefined {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const pooled = list.pop()!;
      clearTimeout(pooled.idleTimer);
      pooled.onError = undefined;
      if (!pooled.dead) return pooled;
    }
    return undefined;
  }

  private remove(key: string, pooled: Pooled): void {
    clearTimeout(pooled.idleTimer);
    const list = this.idle.get(key);
    if (list)
      this.idle.set(
        key,
        list.filter((p) => p !== pooled),
      );
  }

  private discard(pooled: Pooled): void {
    clearTimeout(pooled.idleTimer);
    pooled.onError = undefined;
    if (pooled.dead) {
      pooled.connection.close();
      return;
    }
    pooled.dead = true;
    try {
      pooled.connection.quit();
    } catch {
      pooled.connection.close();
    }
  }
}

function failure(
  error: Error & { responseCode?: number; response?: string },
  where: string,
  secure: boolean,
): Omit<SendResult, 'logId' | 'time'> {
  const code = error.responseCode ?? 0;
  const output = error.response ?? error.message;
  if (code >= 500)
    return {
      type: 'HardFail',
      details: `Permanent SMTP delivery error when sending to ${where}`,
      output,
      secure,
      retry: false,
      connectError: false,
    };
  return {
    type: 'SoftFail',
    details: `Temporary SMTP delivery error when sending to ${where}`,
    output,
    secure,
    retry: true,
    connectError: code === 0,
  };
}

/** Rails' Array#to_sentence: "a", "a and b", "a, b, and c". */
export function toSentence(words: string[]): string {
  if (words.length <= 2) return words.join(' and ');
  return `${words.slice(0, -1).join(', ')}, and ${words.at(-1)}`;
}
