import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldAddresses } from '../addresses.ts';
import { createCertificateAuthority, type WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { startInboxReceivers, type InboxReceivers } from './inbox-receivers.ts';
import { createServer as createHttpServer } from 'node:http';

// An uncommon world net, so these tests never meet another engineer's tests or a running world.
const net = worldAddresses('127.0.73');
const JWKS_HOST = 'postal.world.test';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function signingKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}

const sign = (body: string, key: SigningKey): string => createSign('sha256').update(body).sign(key.privateKey, 'base64');

let ca: WorldCertificateAuthority;
let jwksServer: Server;
let jwksUrl: string;
let published: SigningKey[];
let receivers: InboxReceivers;
const first = signingKey('key-1');

const endpoint = (agentId: string) => receivers.endpoints.find((e) => e.agentId === agentId)!;

let nextId = 1;
function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = nextId++;
  return {
    id,
    rcpt_to: 'qa@mailgoat.ai',
    mail_from: 'abc123@psrp.mailgoat.ai',
    token: `tok${id}`,
    subject: 'Hello',
    message_id: `<${id}@rp.mail.mailgoat.ai>`,
    timestamp: 1_767_225_600.25,
    size: '512',
    spam_status: 'NotSpam',
    bounce: false,
    received_with_ssl: true,
    to: 'QA Agent <qa@mailgoat.ai>',
    cc: null,
    from: 'CEO Agent <ceo@mailgoat.ai>',
    date: 'Thu, 01 Jan 2026 00:00:00 +0000',
    in_reply_to: null,
    references: null,
    html_body: null,
    plain_body: 'Plain text body',
    attachment_quantity: 0,
    auto_submitted: null,
    reply_to: null,
    attachments: [],
    ...overrides,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whichever fields the JSON answer has
async function deliver(agentId: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  const res = await fetch(endpoint(agentId).url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Postal/3.3.2', ...headers },
    body,
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, json: await res.json() };
}

const signed = (body: string, key = first): Record<string, string> => ({
  'x-postal-signature-256': sign(body, key),
  'x-postal-signature-kid': key.kid,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whichever fields the JSON answer has
async function get(agentId: string, path: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${endpoint(agentId).baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  ca = await createCertificateAuthority('inbox test CA');
  const certificate = await ca.issue([JWKS_HOST]);
  published = [first];
  jwksServer = createServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem }, (req, res) => {
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, net.postal, resolve));
  jwksUrl = `https://${JWKS_HOST}:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  receivers = await startInboxReceivers({
    address: net.inboxes,
    agentHostAddress: net.agentHost,
    receivers: [
      { agentId: 'qa', address: 'qa@mailgoat.ai', port: 0, path: '/webhooks/postal' },
      { agentId: 'team', address: 'team@mailgoat.ai', port: 0, path: '/webhooks/postal' },
      // Its agent runs its own inbox serve in one test; the others count what 'qa' and 'team' stored.
      { agentId: 'ops', address: 'ops@mailgoat.ai', port: 0, path: '/webhooks/postal' },
    ],
    jwksUrl,
    ca,
    jwksHostAddress: net.postal,
  });
});

afterAll(async () => {
  await receivers?.stop();
  jwksServer?.closeAllConnections();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

describe('inbox receivers', () => {
  it('stores a correctly signed delivery and lists it like mailgoat inbox list', async () => {
    const body = JSON.stringify(payload({ subject: 'Welcome run-aaa111', plain_body: 'Hello\n\n  QA, this is the body.' }));
    const answer = await deliver('qa', body, signed(body));
    expect(answer).toEqual({ status: 200, json: { status: 'stored', id: expect.any(Number) } });

    const list = await get('qa', '/messages');
    expect(list.status).toBe(200);
    expect(list.json).toHaveLength(1);
    expect(list.json[0]).toMatchObject({
      id: answer.json.id,
      messageId: `<${answer.json.id}@rp.mail.mailgoat.ai>`,
      from: 'CEO Agent <ceo@mailgoat.ai>',
      to: ['qa@mailgoat.ai'],
      rcptTo: 'qa@mailgoat.ai',
      subject: 'Welcome run-aaa111',
      timestamp: '2026-01-01T00:00:00.250Z',
      read: false,
      snippet: 'Hello QA, this is the body.',
      plainBody: 'Hello\n\n  QA, this is the body.',
      spamStatus: 'NotSpam',
      signatureValid: true,
      token: `tok${answer.json.id}`,
    });
    expect(Date.parse(list.json[0].receivedAt)).toBeGreaterThan(Date.now() - 10_000);

    const one = await get('qa', `/messages/${answer.json.id}`);
    expect(one.json.payload).toEqual(JSON.parse(body));
    expect((await get('qa', '/messages')).json[0].read).toBe(true);
    expect((await get('team', '/messages')).json).toEqual([]);
    expect((await get('qa', '/messages/999999')).status).toBe(404);
  });

  it("passes Postal's POSTs, untouched, to the agent's own inbox serve while one listens on the agents' host, and answers with its answer", async () => {
    const ops = endpoint('ops');
    const port = Number(new URL(ops.url).port);
    const seen: Array<{ path: string; headers: Record<string, string | string[] | undefined>; rawNames: string[]; body: string }> = [];
    let status = 200;
    const own = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, rawNames: req.rawHeaders.filter((_, i) => i % 2 === 0), body });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ success: status < 300, id: 'from-the-cli' }));
      });
    });
    await new Promise<void>((resolve) => own.listen(port, net.agentHost, resolve));
    try {
      const body = JSON.stringify(payload({ rcpt_to: 'ops@mailgoat.ai', subject: 'To the CLI run-ddd444' }));
      // Even a forged signature goes through: judging it is the agent's inbox serve's job now.
      const answer = await deliver('ops', body, { 'X-Postal-Signature-256': 'AAAA', 'X-Postal-Signature-Kid': first.kid });
      expect(answer).toEqual({ status: 200, json: { success: true, id: 'from-the-cli' } });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.path).toBe('/webhooks/postal');
      expect(seen[0]!.body).toBe(body);
      expect(seen[0]!.headers['x-postal-signature-256']).toBe('AAAA');
      expect(seen[0]!.rawNames).toContain('X-Postal-Signature-Kid');
      expect(seen[0]!.headers['user-agent']).toBe('Postal/3.3.2');
      // Listed here too once the CLI took it, so the arrival can be watched.
      expect((await get('ops', '/messages?token=run-ddd444')).json.map((m: { subject: string }) => m.subject)).toEqual([
        'To the CLI run-ddd444',
      ]);
      // A refusal is Postal's to see (SoftFail on 5xx), and nothing is listed.
      status = 503;
      const refused = JSON.stringify(payload({ rcpt_to: 'ops@mailgoat.ai', subject: 'Refused run-eee555' }));
      expect((await deliver('ops', refused, signed(refused))).status).toBe(503);
      expect((await get('ops', '/messages?token=run-eee555')).json).toEqual([]);
      expect((await get('ops', '/_world/stats')).json).toMatchObject({ forwarded: 2, forwardAccepted: 1 });
    } finally {
      own.closeAllConnections();
      await new Promise((resolve) => own.close(resolve));
    }
    // Nothing listens there any more: the receiver answers itself (and checks the signature).
    const body = JSON.stringify(payload({ rcpt_to: 'ops@mailgoat.ai', subject: 'Back to the world run-fff666' }));
    expect((await deliver('ops', body, { 'x-postal-signature-256': 'AAAA', 'x-postal-signature-kid': first.kid })).status).toBe(401);
    expect((await deliver('ops', body, signed(body))).json).toMatchObject({ status: 'stored' });
  });

  it('verifies the raw bytes: the same JSON re-spaced with the old signature is refused', async () => {
    const body = JSON.stringify(payload());
    const headers = signed(body);
    const respaced = JSON.stringify(JSON.parse(body), null, 1);
    expect(await deliver('qa', respaced, headers)).toMatchObject({
      status: 401,
      json: { error: 'X-Postal-Signature-256 does not match the body' },
    });
  });

  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const before = (await get('team', '/messages')).json.length;
    const body = JSON.stringify(payload({ rcpt_to: 'team@mailgoat.ai' }));
    const stranger = signingKey('key-1'); // right kid, wrong key
    expect((await deliver('team', body, signed(body, stranger))).status).toBe(401);
    expect((await deliver('team', body, {})).json.error).toBe('missing X-Postal-Signature-256');
    expect((await deliver('team', body, { 'x-postal-signature-256': '%%%' })).status).toBe(401);
    expect((await get('team', '/messages')).json).toHaveLength(before);
    expect(receivers.stats().team!.rejectedSignatures).toBe(3);
    expect(receivers.stats().team!.stored).toBe(0);
  });

  it('fetches the JWKS again, once, when a kid is unknown', async () => {
    const fetchesBefore = receivers.jwksFetchCount;
    const rotated = signingKey('key-2');
    published = [first, rotated];
    const body = JSON.stringify(payload());
    expect((await deliver('qa', body, signed(body, rotated))).status).toBe(200);
    expect(receivers.jwksFetchCount).toBe(fetchesBefore + 1);

    // A kid still unknown after the refetch is not fetched for again on every request.
    const forged = { ...signingKey('forged'), kid: 'forged' };
    for (let i = 0; i < 3; i++) {
      const forgedBody = JSON.stringify(payload());
      expect((await deliver('qa', forgedBody, signed(forgedBody, forged))).json.error).toBe('no key with kid "forged" in Postal\'s JWKS');
    }
    expect(receivers.jwksFetchCount).toBe(fetchesBefore + 2);
  });

  it('answers 503 while failing on purpose (in process and over HTTP), then heals', async () => {
    const body = JSON.stringify(payload({ rcpt_to: 'team@mailgoat.ai', to: 'nobody@mailgoat.ai', subject: 'retry me' }));
    receivers.setFailing('team', 503);
    expect((await deliver('team', body, signed(body))).status).toBe(503);
    receivers.setFailing('team', null);
    expect((await deliver('team', body, signed(body))).status).toBe(200);

    const fail = await fetch(`${endpoint('team').baseUrl}/_world/fail`, {
      method: 'POST',
      body: JSON.stringify({ status: 503 }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(await fail.json()).toEqual({ agentId: 'team', failingStatus: 503 });
    const again = JSON.stringify(payload({ rcpt_to: 'team@mailgoat.ai' }));
    expect((await deliver('team', again, signed(again))).status).toBe(503);
    await fetch(`${endpoint('team').baseUrl}/_world/fail`, { method: 'POST', body: '{"status":null}', signal: AbortSignal.timeout(5_000) });
    expect((await deliver('team', again, signed(again))).status).toBe(200);

    const bad = await fetch(`${endpoint('team').baseUrl}/_world/fail`, {
      method: 'POST',
      body: '{"status":200}',
      signal: AbortSignal.timeout(5_000),
    });
    expect(bad.status).toBe(400);
    expect(() => receivers.setFailing('nobody', 503)).toThrow(/no inbox receiver for agent "nobody"/);
    const stats = (await get('team', '/_world/stats')).json;
    expect(stats).toMatchObject({ failedOnPurpose: 2, stored: 2, failingStatus: null });
    // The catch-all delivery keeps its envelope recipient.
    expect((await get('team', '/messages?token=retry')).json[0]).toMatchObject({ to: ['nobody@mailgoat.ai'], rcptTo: 'team@mailgoat.ai' });
  });

  it('keeps a retried delivery once', async () => {
    const body = JSON.stringify(payload({ subject: 'dup-check' }));
    expect((await deliver('qa', body, signed(body))).json.status).toBe('stored');
    expect((await deliver('qa', body, signed(body))).json.status).toBe('duplicate');
    expect((await get('qa', '/messages?token=dup-check')).json).toHaveLength(1);
  });

  it('filters by run token (subject or plain body) and by since', async () => {
    const inSubject = JSON.stringify(payload({ subject: 'FN-01 run-7f3k9q', plain_body: 'x' }));
    const inBody = JSON.stringify(payload({ subject: 'other', plain_body: 'token: run-7f3k9q' }));
    const unrelated = JSON.stringify(payload({ subject: 'run-zzzzzz', plain_body: 'nothing' }));
    for (const body of [inSubject, inBody, unrelated]) expect((await deliver('qa', body, signed(body))).status).toBe(200);

    const matched = (await get('qa', '/messages?token=run-7f3k9q')).json;
    expect(matched.map((m: { subject: string }) => m.subject)).toEqual(['other', 'FN-01 run-7f3k9q']);

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await get('qa', `/messages?since=${encodeURIComponent(future)}`)).json).toEqual([]);
    expect((await get('qa', '/messages?since=1m&token=run-7f3k9q')).json).toHaveLength(2);
    expect((await get('qa', '/messages?limit=1')).json).toHaveLength(1);
    expect((await get('qa', '/messages?since=yesterday')).status).toBe(400);
  });

  it('answers 503 (retry later) when the JWKS cannot be trusted or reached', async () => {
    const untrusted = await startInboxReceivers({
      address: net.inboxes,
      receivers: [{ agentId: 'qa', address: 'qa@mailgoat.ai', port: 0, path: '/webhooks/postal' }],
      jwksUrl,
      jwksHostAddress: net.postal, // no `ca`: the world CA is not in the system store
    });
    try {
      const body = JSON.stringify(payload());
      const res = await fetch(untrusted.endpoints[0]!.url, {
        method: 'POST',
        body,
        headers: signed(body),
        signal: AbortSignal.timeout(5_000),
      });
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/cannot verify the signature now: .*(certificate|issuer)/i);
      expect(untrusted.stats().qa!.keyUnavailable).toBe(1);
    } finally {
      await untrusted.stop();
    }
  });

  it('frees its ports on stop, and stop is idempotent', async () => {
    const extra = await startInboxReceivers({
      address: net.inboxes,
      receivers: [{ agentId: 'dev1', address: 'dev1@mailgoat.ai', port: 0, path: '/webhooks/postal' }],
      jwksUrl,
      ca,
      jwksHostAddress: net.postal,
    });
    const { baseUrl } = extra.endpoints[0]!;
    const port = Number(new URL(baseUrl).port);
    await Promise.all([extra.stop(), extra.stop()]);
    await expect(fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    const again = await startInboxReceivers({
      address: net.inboxes,
      receivers: [{ agentId: 'dev1', address: 'dev1@mailgoat.ai', port, path: '/x' }],
      jwksUrl,
      ca,
    });
    await again.stop();
  });

  it('reports a port clash naming the agent, and starts nothing', async () => {
    const taken = Number(new URL(endpoint('qa').baseUrl).port);
    await expect(
      startInboxReceivers({
        address: net.inboxes,
        receivers: [
          { agentId: 'dev2', address: 'dev2@mailgoat.ai', port: 0, path: '/p' },
          { agentId: 'dev3', address: 'dev3@mailgoat.ai', port: taken, path: '/p' },
        ],
        jwksUrl,
        ca,
      }),
    ).rejects.toThrow(`inbox receiver for dev3@mailgoat.ai cannot listen on ${net.inboxes}:${taken}: EADDRINUSE`);
  });
});
