import { pollUntil } from '../../core/poll.ts';
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, httpsGet } from './testing/clients.ts';
import { KEYS, startTestWorld, type TestWorld } from './testing/postal-test-world.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ slot: 0 });
});
afterAll(async () => {
  await world?.stop();
});

const message = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  to: ['Friend <friend@gmail.test>'],
  from: 'CEO <ceo@mailgoat.ai>',
  subject: 'Hello',
  plain_body: 'Hi there',
  ...extra,
});

describe('HTTP API v1 authentication', () => {
  it('answers AccessDenied with HTTP 200 when no key is given', async () => {
    const answer = await api(world, 'send/message', message(), null);
    expect(answer).toMatchObject({
      status: 'error',
      flags: {},
      data: { code: 'AccessDenied', message: 'Must be authenticated as a server.' },
    });
    expect(typeof answer.time).toBe('number');
  });

  it('answers InvalidServerAPIKey and echoes the key, like real Postal', async () => {
    const answer = await api(world, 'messages/message', { id: 0 }, 'NotARealKey0000000000000');
    expect(answer.data).toEqual({
      message: 'The API token provided in X-Server-API-Key was not valid.',
      token: 'NotARealKey0000000000000',
      code: 'InvalidServerAPIKey',
    });
  });

  it('refuses an SMTP credential on the API', async () => {
    expect((await api(world, 'messages/message', { id: 0 }, KEYS.smtp)).data.code).toBe('InvalidServerAPIKey');
  });

  it('messages/message with id 0 → MessageNotFound proves the key authenticated', async () => {
    const answer = await api(world, 'messages/message', { id: 0 }, KEYS.apiQa);
    expect(answer).toMatchObject({
      status: 'error',
      data: { code: 'MessageNotFound', id: 0, message: 'No message found matching provided ID' },
    });
  });

  it('accepts GET, PATCH and PUT as well as POST, and the form field `params`', async () => {
    for (const method of ['GET', 'PATCH', 'PUT']) {
      expect((await api(world, 'messages/message', { id: 0 }, 'default', method)).data.code).toBe('MessageNotFound');
    }
    const form = await httpsGet(world, '/api/v1/messages/message', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Server-API-Key': KEYS.api },
      body: new URLSearchParams({ params: JSON.stringify({ id: 0 }) }).toString(),
    });
    expect(form.status).toBe(200);
    expect(JSON.parse(form.body).data.code).toBe('MessageNotFound');
  });
});

describe('send/message', () => {
  it('returns a message id on the return-path domain and one numeric id + 16-alnum token per recipient', async () => {
    const answer = await api(
      world,
      'send/message',
      message({ to: 'a@gmail.test, B <b@gmail.test>', cc: ['c@gmail.test'], bcc: 'd@gmail.test' }),
    );
    expect(answer.status).toBe('success');
    expect(answer.data.message_id).toMatch(/^[0-9a-f-]{36}@rp\.mail\.mailgoat\.ai$/);
    expect(Object.keys(answer.data.messages).sort()).toEqual(['a@gmail.test', 'b@gmail.test', 'c@gmail.test', 'd@gmail.test']);
    for (const entry of Object.values<{ id: number; token: string }>(answer.data.messages)) {
      expect(Number.isInteger(entry.id)).toBe(true);
      expect(entry.token).toMatch(/^[A-Za-z0-9]{16}$/);
    }
  });

  it.each([
    [{ to: [], cc: [], bcc: [] }, 'NoRecipients'],
    [{ plain_body: undefined }, 'NoContent'],
    [{ to: Array.from({ length: 51 }, (_, i) => `r${i}@gmail.test`) }, 'TooManyToAddresses'],
    [{ cc: Array.from({ length: 51 }, (_, i) => `r${i}@gmail.test`) }, 'TooManyCCAddresses'],
    [{ bcc: Array.from({ length: 51 }, (_, i) => `r${i}@gmail.test`) }, 'TooManyBCCAddresses'],
    [{ from: undefined }, 'FromAddressMissing'],
    [{ from: 'someone@gmail.test' }, 'UnauthenticatedFromAddress'],
    [{ attachments: [{ data: 'aGk=' }] }, 'AttachmentMissingName'],
    [{ attachments: [{ name: 'a.txt' }] }, 'AttachmentMissingData'],
  ])('reports %j as %s', async (extra, code) => {
    const answer = await api(world, 'send/message', message(extra));
    expect(answer.status).toBe('error');
    expect(answer.data.code).toBe(code);
    expect(typeof answer.data.message).toBe('string');
  });

  it('reports only the first error', async () => {
    const answer = await api(world, 'send/message', { from: 'x@gmail.test' });
    expect(answer.data.code).toBe('NoRecipients');
  });
});

describe('send/raw', () => {
  const raw = (from: string): string =>
    Buffer.from(`From: ${from}\r\nTo: friend@gmail.test\r\nSubject: Raw\r\nMessage-ID: <raw-1@mailgoat.ai>\r\n\r\nHello\r\n`).toString(
      'base64',
    );

  it('names a missing parameter', async () => {
    expect(await api(world, 'send/raw', { mail_from: 'ceo@mailgoat.ai', data: raw('ceo@mailgoat.ai') })).toMatchObject({
      status: 'parameter-error',
      data: { message: '`rcpt_to` parameter is required but is missing' },
    });
    expect((await api(world, 'send/raw', { rcpt_to: ['a@gmail.test'], data: 'x' })).data.message).toBe(
      '`mail_from` parameter is required but is missing',
    );
  });

  it('refuses a From header outside the verified domain', async () => {
    const answer = await api(world, 'send/raw', { rcpt_to: ['a@gmail.test'], mail_from: 'ceo@mailgoat.ai', data: raw('evil@gmail.test') });
    expect(answer.data).toEqual({ code: 'UnauthenticatedFromAddress' });
  });

  it('checks the From of a message with no recipient and creates nothing (the side-effect-free send test)', async () => {
    const answer = await api(world, 'send/raw', { rcpt_to: [], mail_from: 'qa@mailgoat.ai', data: raw('qa@mailgoat.ai') });
    expect(answer).toMatchObject({ status: 'success', data: { message_id: null, messages: {} } });
    expect((await api(world, 'send/raw', { rcpt_to: [], mail_from: 'qa@mailgoat.ai', data: raw('x@foreign.test') })).data).toEqual({
      code: 'UnauthenticatedFromAddress',
    });
  });

  it("answers the raw message's Message-ID", async () => {
    const answer = await api(world, 'send/raw', {
      rcpt_to: ['a@gmail.test', 'a@gmail.test'],
      mail_from: 'ceo@mailgoat.ai',
      data: raw('CEO <ceo@mailgoat.ai>'),
    });
    expect(answer.status).toBe('success');
    expect(answer.data.message_id).toBe('raw-1@mailgoat.ai');
    expect(Object.keys(answer.data.messages)).toEqual(['a@gmail.test']);
  });
});

describe('messages/message and messages/deliveries', () => {
  it('finds a message by numeric id only and expands what `_expansions` lists', async () => {
    const sent = await api(
      world,
      'send/message',
      message({
        html_body: '<p>Hi</p>',
        tag: 'welcome',
        attachments: [{ name: 'a.txt', content_type: 'text/plain', data: Buffer.from('attached').toString('base64') }],
      }),
    );
    const { id, token } = sent.data.messages['friend@gmail.test'];
    // Message.find_one looks up an Integer only; any String — a token, a Message-ID as MailGoat's inbox keys
    // it, even the id's own digits — reaches hash_to_sql and raises: HTTP 500 (as a real 3.3.2 answered).
    for (const ref of [token, `<${sent.data.message_id}>`, sent.data.message_id, String(id)]) {
      await expect(api(world, 'messages/message', { id: ref, _expansions: [] }), ref).rejects.toThrow(/^HTTP 500: /);
      await expect(api(world, 'messages/deliveries', { id: ref }), ref).rejects.toThrow(/^HTTP 500: /);
    }
    expect((await api(world, 'messages/message', { id: 999_999, _expansions: [] })).data).toEqual({
      message: 'No message found matching provided ID',
      id: 999_999,
      code: 'MessageNotFound',
    });
    expect((await api(world, 'messages/message', {})).status).toBe('parameter-error');
    expect((await api(world, 'messages/message', { id: '' })).status).toBe('parameter-error');

    const base = await api(world, 'messages/message', { id, _expansions: [] });
    expect(base.data).toEqual({ id, token });

    const everything = [
      'status',
      'details',
      'inspection',
      'plain_body',
      'html_body',
      'attachments',
      'headers',
      'raw_message',
      'activity_entries',
    ];
    const full = await api(world, 'messages/message', { id, _expansions: everything });
    expect(full.data.status).toMatchObject({ status: expect.any(String), held: false, hold_expiry: null });
    expect(full.data.details).toMatchObject({
      rcpt_to: 'friend@gmail.test',
      mail_from: 'ceo@mailgoat.ai',
      subject: 'Hello',
      message_id: sent.data.message_id,
      direction: 'outgoing',
      tag: 'welcome',
      received_with_ssl: true,
      bounce: false,
      bounce_for_id: 0,
    });
    expect(full.data.details).not.toHaveProperty('bounce_type');
    // A varchar column in Postal's message database: the size comes back as a String.
    expect(full.data.details.size).toMatch(/^\d+$/);
    expect(full.data.inspection).toEqual({ inspected: false, spam: false, spam_score: 0, threat: false, threat_details: null });
    expect(full.data.plain_body).toContain('Hi there');
    expect(full.data.html_body).toContain('<p>Hi</p>');
    expect(full.data.attachments[0]).toMatchObject({ filename: 'a.txt', content_type: 'text/plain', size: 8 });
    expect(Buffer.from(full.data.attachments[0].data, 'base64').toString()).toBe('attached');
    expect(full.data.headers['message-id']).toEqual([`<${sent.data.message_id}>`]);
    const rawMessage = Buffer.from(full.data.raw_message, 'base64').toString();
    expect(rawMessage).toMatch(/^Received: from api /m);
    expect(rawMessage).toMatch(/^Date: /m);
    expect(full.data.activity_entries).toEqual({ loads: [], clicks: [] });

    const some = await api(world, 'messages/message', { id, _expansions: ['status'] });
    expect(Object.keys(some.data).sort()).toEqual(['id', 'status', 'token']);
    // 3.3.2 tests `expansions.include?(name)`: a String is a substring test.
    const asString = await api(world, 'messages/message', { id, _expansions: 'status,details' });
    expect(Object.keys(asString.data).sort()).toEqual(['details', 'id', 'status', 'token']);
  });

  it('answers HTTP 500 in 3.3.2 when `_expansions` is missing, true or false, or `params` holds invalid JSON (upstream issue 2932)', async () => {
    const sent = await api(world, 'send/message', message());
    const { id } = sent.data.messages['friend@gmail.test'];
    for (const params of [{ id }, { id, _expansions: true }, { id, _expansions: false }]) {
      await expect(api(world, 'messages/message', params)).rejects.toThrow(/^HTTP 500: .*something went wrong/s);
    }
    // The message is looked up first: an unknown id is MessageNotFound even without `_expansions`.
    expect((await api(world, 'messages/message', { id: 999_999 })).data).toEqual({
      message: 'No message found matching provided ID',
      id: 999_999,
      code: 'MessageNotFound',
    });
    const form = await httpsGet(world, '/api/v1/messages/message', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Server-API-Key': world.manifest.credentials.find((c) => c.type === 'API')!.key,
      },
      body: `params=${encodeURIComponent('{"id": ')}`,
    });
    expect(form.status).toBe(500);
  });

  it('expands everything with `true` and nothing when it is missing from 3.3.3 on (commit 39f704c)', async () => {
    const later = await startTestWorld({
      slot: 4,
      postal: { deployment: { ...world.deployment, postal: { ...world.deployment.postal, version: '3.3.3' } } },
    });
    try {
      const sent = await api(later, 'send/message', message());
      const { id, token } = sent.data.messages['friend@gmail.test'];
      expect((await api(later, 'messages/message', { id })).data).toEqual({ id, token });
      expect(Object.keys((await api(later, 'messages/message', { id, _expansions: true })).data)).toEqual(
        expect.arrayContaining(['status', 'details', 'plain_body', 'raw_message']),
      );
    } finally {
      await later.stop();
    }
  });

  it('lists deliveries in Postal shape', async () => {
    const sent = await api(world, 'send/message', message());
    const { id } = sent.data.messages['friend@gmail.test'];
    const polled = await pollUntil(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whichever fields the JSON answer has
      async () => (await api(world, 'messages/deliveries', { id })).data as any[],
      (d) => d.length > 0,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const deliveries = polled.value;
    expect(deliveries[0]).toEqual({
      id: expect.any(Number),
      status: 'Sent',
      details: expect.stringMatching(/^Message for friend@gmail\.test accepted by \d+\.\d+\.\d+\.\d+:\d+ \(mx\.gmail\.test\)$/),
      output: expect.stringContaining('250'),
      sent_with_ssl: true,
      log_id: expect.stringMatching(/^[A-Z0-9]{8}$/),
      time: expect.any(Number),
      timestamp: expect.any(Number),
    });
  });
});

describe('web', () => {
  it('redirects / to /login, serves /login and the JWKS of the signing key', async () => {
    const root = await httpsGet(world, '/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('https://postal.mailgoat.ai/login?return_to=%2F');
    const login = await httpsGet(world, '/login');
    expect(login.status).toBe(200);
    expect(login.body).toContain('Postal');
    const jwks = JSON.parse((await httpsGet(world, '/.well-known/jwks.json')).body);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: world.postal.signingKeyId, e: 'AQAB' });
    const fromJwk = createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(fromJwk).toBe(world.installKey.publicKeyBase64);
  });
});

describe('clients', () => {
  it("works with Postal's own Node client @atech/postal", async () => {
    const { Client, SendMessage } = require('@atech/postal') as {
      Client: new (host: string, key: string) => unknown;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- @atech/postal ships no types
      SendMessage: new (client: unknown) => any;
    };
    const original = https.globalAgent;
    // The client takes only a host name and uses the global agent: trust the world CA and resolve the web host to the stand-in.
    https.globalAgent = new https.Agent({
      ca: world.ca.certificatePem,
      lookup: (_host: string, _opts: unknown, callback: (...args: unknown[]) => void) => {
        const o = _opts as { all?: boolean };
        if (o && o.all) callback(null, [{ address: world.addresses.postal, family: 4 }]);
        else callback(null, world.addresses.postal, 4);
      },
    } as https.AgentOptions);
    try {
      const send = new SendMessage(new Client(world.deployment.server.webHost, KEYS.api));
      send.to('friend@gmail.test');
      send.from('ceo@mailgoat.ai');
      send.subject('From @atech/postal');
      send.plainBody('Hello');
      const result = await send.send();
      const recipients = result.recipients();
      expect(recipients['friend@gmail.test'].id()).toEqual(expect.any(Number));
      expect(recipients['friend@gmail.test'].token()).toMatch(/^[A-Za-z0-9]{16}$/);

      const bad = new SendMessage(new Client(world.deployment.server.webHost, KEYS.api));
      bad.to('friend@gmail.test');
      bad.from('someone@gmail.test');
      bad.plainBody('x');
      await expect(bad.send()).rejects.toMatchObject({ code: 'UnauthenticatedFromAddress' });
    } finally {
      https.globalAgent.destroy();
      https.globalAgent = original;
    }
  });

  it('works with plain curl --cacert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-ca-'));
    try {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, world.ca.certificatePem);
      const host = world.deployment.server.webHost;
      const { stdout } = await run(
        'curl',
        [
          '-sS',
          '--max-time',
          '10',
          '--cacert',
          caFile,
          '--resolve',
          `${host}:443:${world.addresses.postal}`,
          '-H',
          `X-Server-API-Key: ${KEYS.api}`,
          '-H',
          'Content-Type: application/json',
          '-d',
          '{"id":0}',
          `https://${host}/api/v1/messages/message`,
        ],
        { timeout: 15_000 },
      );
      expect(JSON.parse(stdout).data.code).toBe('MessageNotFound');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
