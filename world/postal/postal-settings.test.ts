/**
 * The Postal settings and states the named faults of issue 21 set, as Postal 3.3.2 behaves under them
 * (each line of the fidelity ledger that names this file): route modes, credential hold, the suppression
 * list, the send limit, smtp_server.max_message_size, postal.smtp_hostname and dns.helo_hostname,
 * additional route endpoints, the subject Postal keeps (decoded, at most 200 characters), and
 * smtp_server.ssl_version with Postal's retry without SSL when its STARTTLS to an MX fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, SmtpDialogue } from './testing/clients.ts';
import { eventually, KEYS, startTestWorld, type TestWorld } from './testing/postal-test-world.ts';

let world: TestWorld;
let limited: TestWorld;
beforeAll(async () => {
  [world, limited] = await Promise.all([
    startTestWorld({
      slot: 5,
      postal: {
        faults: {
          routeModes: { qa: 'Hold', team: 'Reject' },
          holdCredentialsOf: ['qa'],
          suppressedRecipients: ['held@gmail.test'],
          maxMessageSizeMb: 1,
          smtpHostname: 'postal.example.com',
          heloHostname: 'localhost',
          additionalEndpoints: { ceo: ['qa'] },
          smtpSslVersion: 'TLSv1',
        },
      },
    }),
    startTestWorld({ slot: 6, postal: { faults: { sendLimitPerHour: 1 } } }),
  ]);
});
afterAll(async () => {
  await Promise.all([world?.stop(), limited?.stop()]);
});

const statusOf = async (w: TestWorld, id: number): Promise<{ status: string; details: string }> =>
  eventually(async () => {
    const deliveries = (await api(w, 'messages/deliveries', { id })).data as Array<{ status: string; details: string }>;
    return deliveries.at(-1);
  });

async function smtp(w: TestWorld, lines: string[]): Promise<string[]> {
  const { dialogue, greeting } = await SmtpDialogue.open(w.addresses.postal, 25);
  try {
    const replies = [greeting];
    for (const line of lines) replies.push(await dialogue.send(line));
    return replies;
  } finally {
    dialogue.close();
  }
}

describe('outgoing: holds before sending (outgoing_message_processor.rb)', () => {
  it('holds mail sent with a credential set to Hold, and mail to a suppressed recipient', async () => {
    const held = await api(
      world,
      'send/message',
      { to: ['friend@gmail.test'], from: 'qa@mailgoat.ai', subject: 'held by credential', plain_body: 'x' },
      KEYS.apiQa,
    );
    expect(await statusOf(world, held.data.messages['friend@gmail.test'].id)).toEqual(
      expect.objectContaining({ status: 'Held', details: 'Credential is configured to hold all messages authenticated by it.' }),
    );
    const suppressed = await api(world, 'send/message', {
      to: ['held@gmail.test'],
      from: 'ceo@mailgoat.ai',
      subject: 'suppressed',
      plain_body: 'x',
    });
    expect(await statusOf(world, suppressed.data.messages['held@gmail.test'].id)).toEqual(
      expect.objectContaining({
        status: 'Held',
        details: 'Recipient (held@gmail.test) is on the suppression list (reason: too many hard fails)',
      }),
    );
  });

  it('holds what passes the send limit, once the limit is reached', async () => {
    const first = await api(limited, 'send/message', { to: ['a@gmail.test'], from: 'ceo@mailgoat.ai', subject: 'one', plain_body: 'x' });
    expect((await statusOf(limited, first.data.messages['a@gmail.test'].id)).status).toBe('Sent');
    const second = await api(limited, 'send/message', { to: ['b@gmail.test'], from: 'ceo@mailgoat.ai', subject: 'two', plain_body: 'x' });
    await statusOf(limited, second.data.messages['b@gmail.test'].id);
    const third = await api(limited, 'send/message', { to: ['c@gmail.test'], from: 'ceo@mailgoat.ai', subject: 'three', plain_body: 'x' });
    expect(await statusOf(limited, third.data.messages['c@gmail.test'].id)).toEqual(
      expect.objectContaining({ status: 'Held', details: 'Message held because send limit (1) has been reached.' }),
    );
  });
});

describe('names from postal.yml (smtp_server/client.rb, smtp_client/endpoint.rb)', () => {
  it('greets and answers HELO with postal.smtp_hostname, and gives dns.helo_hostname when it delivers', async () => {
    const [banner, helo] = await smtp(world, ['HELO client.example', 'QUIT']);
    expect(banner).toMatch(/^220 postal\.example\.com ESMTP Postal\/[A-Z0-9]{8}$/);
    expect(helo).toBe('250 postal.example.com');
    await api(world, 'send/message', { to: ['helo@gmail.test'], from: 'ceo@mailgoat.ai', subject: 'helo check', plain_body: 'x' });
    const delivered = await eventually(() => world.provider.messages.find((m) => m.rcptTo.includes('helo@gmail.test')));
    expect(delivered.helo).toBe('localhost');
  });
});

describe('incoming: size, route modes, additional endpoints, the subject Postal keeps', () => {
  it('refuses a message over smtp_server.max_message_size at the end of DATA with 552', async () => {
    const big = 'x'.repeat(76);
    const body = `From: a@gmail.test\r\nSubject: big\r\n\r\n${Array.from({ length: 15_000 }, () => big).join('\r\n')}\r\n.`;
    const replies = await smtp(world, [
      'EHLO client.example',
      'MAIL FROM:<a@gmail.test>',
      'RCPT TO:<ceo@mailgoat.ai>',
      'DATA',
      body,
      'QUIT',
    ]);
    expect(replies[5]).toBe('552 Message too large (maximum size 1MB)');
  });

  it('refuses RCPT for a route set to Reject, and holds mail for a route set to Hold', async () => {
    const replies = await smtp(world, ['EHLO client.example', 'MAIL FROM:<a@gmail.test>', 'RCPT TO:<team@mailgoat.ai>', 'QUIT']);
    expect(replies[3]).toBe('550 Route does not accept incoming messages');
    await smtp(world, [
      'EHLO client.example',
      'MAIL FROM:<a@gmail.test>',
      'RCPT TO:<qa@mailgoat.ai>',
      'DATA',
      'From: a@gmail.test\r\nSubject: to qa\r\n\r\nhello\r\n.',
      'QUIT',
    ]);
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const held = await eventually(async () => {
      for (const id of ids) {
        const m = await api(world, 'messages/message', { id, _expansions: ['details', 'status'] });
        if (m.status === 'success' && m.data.details.subject === 'to qa' && m.data.status.status === 'Held') return id;
      }
      return undefined;
    });
    expect(await statusOf(world, held)).toEqual(
      expect.objectContaining({ status: 'Held', details: 'Message has been accepted but not sent to any endpoints.' }),
    );
  });

  it('makes one message per additional endpoint, and keeps the subject decoded and cut at 200 characters', async () => {
    const long = `=?UTF-8?B?${Buffer.from(`Grüße ${'ж'.repeat(250)}`, 'utf8').toString('base64')}?=`;
    const before = world.inbox.requests.length;
    await smtp(world, [
      'EHLO client.example',
      'MAIL FROM:<a@gmail.test>',
      'RCPT TO:<ceo@mailgoat.ai>',
      'DATA',
      `From: a@gmail.test\r\nSubject: ${long}\r\n\r\nhello\r\n.`,
      'QUIT',
    ]);
    const posts = await eventually(() => {
      const fresh = world.inbox.requests.slice(before).filter((r) => r.body.toString().includes('hello'));
      return fresh.length >= 2 ? fresh : undefined;
    });
    expect(posts.map((p) => p.path).sort()).toEqual(['/webhooks/postal/ceo', '/webhooks/postal/qa']);
    const payloads = posts.map((p) => JSON.parse(p.body.toString()) as { id: number; subject: string });
    expect(payloads[0]!.id).not.toBe(payloads[1]!.id);
    expect(payloads[0]!.subject).toBe(`Grüße ${'ж'.repeat(250)}`.slice(0, 200));
  });
});

describe('smtp_server.ssl_version (server.rb) and the retry without SSL (smtp_sender.rb connect_to_endpoint)', () => {
  it('speaks only TLS 1.0 under ssl_version "TLSv1", and delivers its own mail to such an MX in plain text', async () => {
    const { dialogue } = await SmtpDialogue.open(world.addresses.postal, 25);
    try {
      await dialogue.send('EHLO client.example');
      await expect(dialogue.startTls('mail.mailgoat.ai', world.ca.certificatePem)).rejects.toThrow(
        /protocol version|unsupported protocol|no protocols available/i,
      );
    } finally {
      dialogue.close();
    }
    const before = world.inbox.requests.length;
    await api(world, 'send/message', {
      to: ['ceo@mailgoat.ai'],
      from: 'ceo@mailgoat.ai',
      subject: 'tls retry',
      plain_body: 'through a TLS 1.0 MX',
    });
    const post = await eventually(() =>
      world.inbox.requests
        .slice(before)
        .find((r) => r.path === '/webhooks/postal/ceo' && r.body.toString().includes('through a TLS 1.0 MX')),
    );
    expect(post.path).toBe('/webhooks/postal/ceo');
  });
});
