import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../core/poll.ts';
import { smtpGenerator } from './smtp-generator.ts';

let server: SMTPServer | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function sink(
  onData: (raw: string) => string | undefined,
  socketTimeout?: number,
): Promise<{ port: number; sessions: Set<string>; closed: Set<string>; received: string[] }> {
  const sessions = new Set<string>();
  const closed = new Set<string>();
  const received: string[] = [];
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    ...(socketTimeout ? { socketTimeout } : {}),
    onConnect(session, callback) {
      sessions.add(session.id);
      callback();
    },
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        const refusal = onData(raw);
        if (refusal) {
          const error = new Error(refusal) as Error & { responseCode: number };
          error.responseCode = 550;
          callback(error);
          return;
        }
        received.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, sessions, closed, received };
}

const raw = (i: number) => Buffer.from(`From: a@x.test\r\nTo: b@y.test\r\nSubject: m${i}\r\n\r\nbody ${i}\r\n`);

describe('smtpGenerator', () => {
  it('sends every message over no more sessions than asked, reusing them', async () => {
    const s = await sink(() => undefined);
    const generator = smtpGenerator({ host: '127.0.0.1', port: s.port, sessions: 3, timeoutMs: 5_000 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => generator.send({ from: 'a@x.test', to: ['b@y.test'] }, raw(i))));
    await generator.close();
    expect(s.received).toHaveLength(30);
    expect(s.sessions.size).toBeLessThanOrEqual(3);
    expect(s.received.some((r) => r.includes('Subject: m29'))).toBe(true);
  });

  it("rejects a refused message with the server's reply and keeps sending the others", async () => {
    const s = await sink((data) => (data.includes('Subject: m1\r\n') ? 'no thanks' : undefined));
    const generator = smtpGenerator({ host: '127.0.0.1', port: s.port, sessions: 2, timeoutMs: 5_000 });
    const outcomes = await Promise.allSettled([0, 1, 2, 3].map((i) => generator.send({ from: 'a@x.test', to: ['b@y.test'] }, raw(i))));
    await generator.close();
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/550.*no thanks/);
    expect(s.received).toHaveLength(3);
  });

  it('drops a session the server closed while it was idle, and sends the next message on a fresh one', async () => {
    const s = await sink(() => undefined, 300);
    const generator = smtpGenerator({ host: '127.0.0.1', port: s.port, sessions: 1, timeoutMs: 5_000 });
    await generator.send({ from: 'a@x.test', to: ['b@y.test'] }, raw(0));
    // The server's idle timeout ends the session: poll (with a deadline) until the server says it closed it.
    const closed = await pollUntil(
      () => Promise.resolve(s.closed.size),
      (n) => n === 1,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(closed.settled).toBe(true);
    await generator.send({ from: 'a@x.test', to: ['b@y.test'] }, raw(1));
    await generator.close();
    expect(s.received).toHaveLength(2);
    expect(s.sessions.size).toBe(2);
  });

  it('fails fast when nothing listens, and refuses a session count that is not a positive integer', async () => {
    const generator = smtpGenerator({ host: '127.0.0.1', port: 1, sessions: 1, timeoutMs: 2_000 });
    await expect(generator.send({ from: 'a@x.test', to: ['b@y.test'] }, raw(0))).rejects.toThrow(/ECONNREFUSED/);
    expect(() => smtpGenerator({ host: '127.0.0.1', port: 1, sessions: 0, timeoutMs: 1 })).toThrow(/sessions/);
  });
});
