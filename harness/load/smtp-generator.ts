/**
 * The project's SMTP load generator: a fixed number of SMTP sessions kept open, each sending message
 * after message over the same connection (as Postfix's `smtp-source -d` does; RSET only after a refusal),
 * with STARTTLS and AUTH when the server asks for them (Postal's submission). Messages are sent as
 * prepared raw bytes, so the generator measures the server, not MIME composition.
 * Built on nodemailer's SMTPConnection (one dialogue per session); every step has a timeout.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

export interface SmtpGeneratorOptions {
  host: string;
  port: number;
  /** sessions kept open in parallel */
  sessions: number;
  timeoutMs: number;
  /** EHLO name */
  name?: string;
  auth?: { user: string; pass: string };
  /** STARTTLS required (Postal with AUTH); otherwise plain SMTP (smtp-sink) */
  requireTls?: boolean;
  ca?: string;
  servername?: string;
}

export interface Envelope {
  from: string;
  to: string[];
}

export interface SmtpGenerator {
  /** Sends one message on a free session; rejects with the server's reply when it is refused. */
  send(envelope: Envelope, raw: Buffer): Promise<void>;
  /** QUITs every session. */
  close(): Promise<void>;
}

const promised = <T = void>(run: (done: (error?: Error | null, value?: T) => void) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));

export function smtpGenerator(options: SmtpGeneratorOptions): SmtpGenerator {
  if (!Number.isInteger(options.sessions) || options.sessions < 1)
    throw new RangeError(`sessions must be a positive integer (got ${options.sessions})`);
  const idle: SMTPConnection[] = [];
  const waiting: Array<(connection: SMTPConnection | undefined) => void> = [];
  let open = 0;
  let closed = false;
  // Each session's 'error' event as a rejection, raced with every step: a dropped socket may never call back.
  const broken = new WeakMap<SMTPConnection, Promise<never>>();

  const connect = async (): Promise<SMTPConnection> => {
    const connection = new SMTPConnection({
      host: options.host,
      port: options.port,
      name: options.name ?? 'postal-qa-load',
      requireTLS: options.requireTls ?? false,
      ignoreTLS: !options.requireTls,
      tls: { ca: options.ca, servername: options.servername },
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
    // SMTPConnection reports a failed connect only as an 'error' event, never through connect's callback.
    const failed = new Promise<never>((_, reject) => connection.once('error', reject));
    failed.catch(() => {});
    try {
      await Promise.race([promised((done) => connection.connect((error) => done(error))), failed]);
      if (options.auth)
        await Promise.race([
          promised((done) => connection.login({ user: options.auth!.user, pass: options.auth!.pass }, (error) => done(error))),
          failed,
        ]);
    } catch (error) {
      connection.close();
      throw error;
    }
    broken.set(connection, failed);
    // A session the server (or our idle timeout) closes while it waits in the pool is dropped from it, so
    // it is never handed out dead; its slot frees for a fresh one.
    const drop = (): void => {
      const at = idle.indexOf(connection);
      if (at >= 0) {
        idle.splice(at, 1);
        open--;
      }
    };
    failed.catch(drop);
    connection.once('end', drop);
    return connection;
  };

  const acquire = async (): Promise<SMTPConnection> => {
    const free = idle.pop();
    if (free) return free;
    if (open < options.sessions) {
      open++;
      try {
        return await connect();
      } catch (error) {
        open--;
        throw error;
      }
    }
    const handed = await new Promise<SMTPConnection | undefined>((resolve) => waiting.push(resolve));
    return handed ?? acquire();
  };

  const release = (connection: SMTPConnection | undefined): void => {
    const next = waiting.shift();
    if (connection && !closed) {
      if (next) next(connection);
      else idle.push(connection);
      return;
    }
    // A broken session is dropped: the next waiter opens a fresh one.
    if (!connection) open--;
    next?.(undefined);
  };

  return {
    async send(envelope, raw) {
      if (closed) throw new Error('the SMTP generator is closed');
      const connection = await acquire();
      const failed = broken.get(connection)!;
      try {
        await Promise.race([promised((done) => connection.send(envelope, raw, (error) => done(error))), failed]);
      } catch (error) {
        const code = (error as { code?: string }).code;
        // The server refused this message and the session is fine (as nodemailer's pool does): RSET and keep it.
        if ((code === 'EENVELOPE' || code === 'EMESSAGE') && (error as { responseCode?: number }).responseCode !== 421) {
          const reset = await Promise.race([promised((done) => connection.reset((e) => done(e))), failed]).then(
            () => true,
            () => false,
          );
          if (reset) {
            release(connection);
            throw error;
          }
        }
        connection.close();
        release(undefined);
        throw error;
      }
      // After a completed transaction the next MAIL FROM may follow at once (RFC 5321 §4.1.4), as smtp-source -d does.
      release(connection);
    },
    close() {
      closed = true;
      for (const connection of idle.splice(0)) connection.quit();
      for (const resolve of waiting.splice(0)) resolve(undefined);
      return Promise.resolve();
    },
  };
}
