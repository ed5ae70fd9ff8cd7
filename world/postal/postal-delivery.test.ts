import { createVerify, createPublicKey } from 'node:crypto';
import { promises as dns } from 'node:dns';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, httpsGet } from './testing/clients.ts';
import { eventually, startTestWorld, type ProviderMessage, type TestWorld } from './testing/postal-test-world.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ slot: 2 });
});
afterAll(async () => {
  await world?.stop();
});

async function sendTo(rcpt: string, subject: string): Promise<{ id: number; token: string }> {
  const answer = await api(world, 'send/message', { to: [rcpt], from: 'CEO <ceo@mailgoat.ai>', subject, plain_body: `Body of ${subject}` });
  expect(answer.status).toBe('success');
  return answer.data.messages[rcpt];
}

async function atProvider(subject: string): Promise<ProviderMessage> {
  return eventually(
    () => world.provider.messages.find((m) => m.raw.toString().includes(`Subject: ${subject}`)),
    10_000,
    `"${subject}" at the provider`,
  );
}

async function verifyDkim(raw: Buffer): Promise<Array<{ signingDomain: string; selector: string; status: { result: string } }>> {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`${world.addresses.dns}:53`]);
  const result = await dkimVerify(raw, { resolver: (name: string, type: string) => resolver.resolve(name, type as 'TXT') });
  return result.results as never;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whichever fields the JSON answer has
async function deliveries(id: number): Promise<any[]> {
  return (await api(world, 'messages/deliveries', { id })).data;
}

describe('outgoing mail', () => {
  it('signs with the domain key (d=domain) when the published DKIM record matches, and connects from the stand-in address', async () => {
    const sent = await sendTo('friend@gmail.test', 'aligned');
    const message = await atProvider('aligned');
    expect(message.remoteAddress).toBe(world.addresses.postal);
    expect(message.helo).toBe('mail.mailgoat.ai');
    expect(message.secure).toBe(true);
    // The return-path CNAME checked OK: MAIL FROM is <server token>@<custom_return_path_prefix>.<domain>.
    expect(message.mailFrom).toBe('abc123@psrp.mailgoat.ai');
    expect(message.raw.toString()).toMatch(/^Resent-Sender: abc123@psrp\.mailgoat\.ai\r\n/);
    expect(message.raw.toString()).toContain(`X-Postal-MsgID: ${sent.token}`);
    const [signature] = await verifyDkim(message.raw);
    expect(signature).toMatchObject({ signingDomain: 'mailgoat.ai', selector: 'postal-qpMdyI', status: { result: 'pass' } });
    expect(message.raw.toString()).toMatch(/a=rsa-sha256/);
    expect(message.raw.toString()).toMatch(/c=relaxed\/relaxed/);

    const [delivery] = await eventually(async () => ((await deliveries(sent.id)).length > 0 ? deliveries(sent.id) : undefined));
    expect(delivery).toMatchObject({ status: 'Sent', sent_with_ssl: true, output: expect.stringContaining('250 Ok: queued as TEST1') });
  });

  it("falls back to the install key with d=<return path domain>; s=postal when the record does not match (Postal's misalignment)", async () => {
    world.setDkimRecord(`v=DKIM1; t=s; h=sha256; p=${world.installKey.publicKeyBase64}`);
    try {
      // Postal signs from the status its last DNS check stored ("Check my records"), not from DNS at send time.
      await world.postal.domainDns.checkDns();
      expect(world.postal.domainDns.statuses.dkim?.status).toBe('Invalid');
      await sendTo('friend@gmail.test', 'misaligned');
      const message = await atProvider('misaligned');
      const [signature] = await verifyDkim(message.raw);
      expect(signature).toMatchObject({ signingDomain: 'rp.mail.mailgoat.ai', selector: 'postal', status: { result: 'pass' } });
    } finally {
      world.setDkimRecord(`v=DKIM1; t=s; h=sha256; p=${world.domainKey.publicKeyBase64}`);
      await world.postal.domainDns.checkDns();
    }
  });

  it('keeps signing from the last check: a record changed since is not seen until the domain is checked again', async () => {
    world.setDkimRecord('v=DKIM1; k=rsa; t=s; h=sha256; p=AAAA');
    try {
      await sendTo('friend@gmail.test', 'stale-status');
      const [signature] = await verifyDkim((await atProvider('stale-status')).raw);
      expect(signature).toMatchObject({ signingDomain: 'mailgoat.ai', selector: 'postal-qpMdyI' });
    } finally {
      world.setDkimRecord(`v=DKIM1; t=s; h=sha256; p=${world.domainKey.publicKeyBase64}`);
    }
  });

  it('uses the return path domain in MAIL FROM when the return-path CNAME is missing', async () => {
    const saved = world.dns.getRecords();
    world.dns.setRecords(saved.filter((r) => !(r.type === 'CNAME' && r.name === 'psrp.mailgoat.ai')));
    try {
      await world.postal.domainDns.checkDns();
      expect(world.postal.domainDns.statuses.returnPath).toEqual({
        status: 'Missing',
        error: 'There is no return path record at psrp.mailgoat.ai',
      });
      await sendTo('friend@gmail.test', 'no-cname');
      expect((await atProvider('no-cname')).mailFrom).toBe('abc123@rp.mail.mailgoat.ai');
    } finally {
      world.dns.setRecords(saved);
      await world.postal.domainDns.checkDns();
    }
  });
});

describe('incoming mail', () => {
  it("routes mail for an agent to its endpoint with Postal's Hash payload, signed with the key in the JWKS", async () => {
    // ceo → qa goes out through the MX of mailgoat.ai, which is the stand-in itself, then to qa's route
    await sendTo('qa@mailgoat.ai', 'internal');
    const request = await eventually(
      () => world.inbox.requests.find((r) => r.path.endsWith('/qa') && r.body.toString().includes('internal')),
      10_000,
      'the POST to qa',
    );
    expect(request.remoteAddress).toBe(world.addresses.postal);
    expect(request.headers['user-agent']).toBe('Postal/3.3.2');
    expect(request.headers['content-type']).toBe('application/json');
    // Net::HTTP capitalizes each word of a header name: the KID header arrives as a real 3.3.2 sent it.
    expect(request.rawHeaderNames).toEqual(
      expect.arrayContaining(['X-Postal-Signature-Kid', 'X-Postal-Signature', 'X-Postal-Signature-256', 'User-Agent']),
    );

    const jwks = JSON.parse((await httpsGet(world, '/.well-known/jwks.json')).body);
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === request.headers['x-postal-signature-kid']);
    expect(jwk).toBeDefined();
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(createVerify('RSA-SHA256').update(request.body).verify(key, String(request.headers['x-postal-signature-256']), 'base64')).toBe(
      true,
    );
    expect(createVerify('RSA-SHA1').update(request.body).verify(key, String(request.headers['x-postal-signature']), 'base64')).toBe(true);

    const payload = JSON.parse(request.body.toString());
    expect(Object.keys(payload)).toEqual(
      expect.arrayContaining([
        'id',
        'rcpt_to',
        'mail_from',
        'token',
        'subject',
        'message_id',
        'timestamp',
        'size',
        'spam_status',
        'bounce',
        'received_with_ssl',
        'to',
        'cc',
        'from',
        'date',
        'in_reply_to',
        'references',
        'html_body',
        'plain_body',
        'attachment_quantity',
        'auto_submitted',
        'reply_to',
        'attachments',
      ]),
    );
    expect(payload).toMatchObject({
      rcpt_to: 'qa@mailgoat.ai',
      mail_from: 'abc123@psrp.mailgoat.ai',
      subject: 'internal',
      spam_status: 'NotSpam',
      received_with_ssl: true,
      from: 'CEO <ceo@mailgoat.ai>',
    });
    // 3.3.2's http_sender.rb reads size from a varchar column: a String in the payload.
    expect(payload.size).toMatch(/^\d+$/);
    expect(payload.plain_body).toContain('Body of internal');

    const stored = await api(world, 'messages/message', { id: payload.id, _expansions: ['headers', 'inspection', 'details'] });
    expect(stored.data.headers['x-postal-spam']).toEqual(['no']);
    expect(stored.data.headers['x-postal-spam-threshold']).toEqual(['5.0']);
    expect(stored.data.headers['x-postal-spam-score']).toEqual(['1.5']);
    expect(stored.data.headers['x-postal-threat']).toEqual(['no']);
    expect(stored.data.inspection).toMatchObject({ inspected: true, spam: false, spam_score: 1.5 });
    expect(stored.data.details.direction).toBe('incoming');
  });

  it('soft-fails and retries on 5xx, then sends', async () => {
    let failures = 2;
    world.inbox.respond = (path) => (path.endsWith('/ceo') && failures-- > 0 ? { status: 503, body: 'busy' } : { status: 200, body: 'OK' });
    try {
      await sendTo('ceo@mailgoat.ai', 'retry-me');
      const payloadId = await eventually(() => {
        const request = world.inbox.requests.find((r) => r.path.endsWith('/ceo') && r.body.toString().includes('retry-me'));
        return request ? (JSON.parse(request.body.toString()).id as number) : undefined;
      });
      const list = await eventually(async () => {
        const d = await deliveries(payloadId);
        return d.some((x) => x.status === 'Sent') ? d : undefined;
      });
      expect(list.map((d) => d.status)).toEqual(['SoftFail', 'SoftFail', 'Sent']);
      expect(list[0]).toMatchObject({ details: expect.stringMatching(/^Received a 503 from http:\/\//), output: 'busy' });
      expect((await api(world, 'messages/message', { id: payloadId, _expansions: ['status'] })).data.status.status).toBe('Sent');
    } finally {
      world.inbox.respond = () => ({ status: 200, body: 'OK' });
    }
  });

  it('hard-fails on 429 without retrying', async () => {
    world.inbox.respond = (path) => (path.endsWith('/team') ? { status: 429, body: 'slow down' } : { status: 200, body: 'OK' });
    try {
      await sendTo('team@mailgoat.ai', 'rate-limited');
      const payloadId = await eventually(() => {
        const request = world.inbox.requests.find((r) => r.body.toString().includes('rate-limited'));
        return request ? (JSON.parse(request.body.toString()).id as number) : undefined;
      });
      const list = await eventually(async () => ((await deliveries(payloadId)).length > 0 ? deliveries(payloadId) : undefined));
      expect(list.map((d) => d.status)).toEqual(['HardFail']);
    } finally {
      world.inbox.respond = () => ({ status: 200, body: 'OK' });
    }
  });
});

describe('health, metrics and the service list', () => {
  it('serves /health and real counters on /metrics for the worker and smtp processes', async () => {
    for (const url of [world.postal.endpoints.workerHealth.url, world.postal.endpoints.smtpHealth.url]) {
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.text()).toBe('OK');
    }
    const worker = await (await fetch(`${world.postal.endpoints.workerHealth.url}/metrics`)).text();
    const executions = Number(/^postal_worker_job_executions\{job="ProcessQueuedMessagesJob"\} (\d+)$/m.exec(worker)?.[1]);
    expect(executions).toBeGreaterThanOrEqual(8);
    expect(worker).toMatch(/^postal_message_queue_latency_count \d+$/m);
    expect(worker).toMatch(/^# TYPE postal_worker_errors counter$/m);
    const smtp = await (await fetch(`${world.postal.endpoints.smtpHealth.url}/metrics`)).text();
    // the worker keeps its SMTP connection to a destination open across messages, as Postal does
    expect(Number(/^postal_smtp_server_connections_total (\d+)$/m.exec(smtp)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^postal_smtp_server_messages_total\{type="incoming"\} (\d+)$/m.exec(smtp)?.[1])).toBeGreaterThanOrEqual(3); // qa, ceo, team
  });

  it('lists web, smtp and worker like `docker compose ps --format json`, and MariaDB apart like `docker ps -a`, following a stopped worker', async () => {
    const ps = (await (await fetch(world.postal.endpoints.ops.composePs)).json()) as Array<Record<string, unknown>>;
    expect(ps.map((c) => c.Service)).toEqual(['web', 'smtp', 'worker']);
    // The official compose template defines no healthchecks: Docker reports no health.
    for (const c of ps)
      expect(c).toMatchObject({
        Name: `postal-${String(c.Service)}-1`,
        State: 'running',
        Health: '',
        Project: 'postal',
        Status: expect.stringMatching(/^Up /),
      });
    const containers = (await (await fetch(world.postal.endpoints.ops.containersPs)).json()) as Array<Record<string, unknown>>;
    expect(containers.map((c) => c.Names)).toEqual(['postal-web-1', 'postal-smtp-1', 'postal-worker-1', 'postal-mariadb']);
    expect(containers.at(-1)).toMatchObject({ Image: 'mariadb', State: 'running', Labels: '' });

    world.postal.stopWorker();
    try {
      const stopped = (await (await fetch(world.postal.endpoints.ops.composePs)).json()) as Array<Record<string, unknown>>;
      expect(stopped.find((c) => c.Service === 'worker')).toMatchObject({ State: 'exited', Status: expect.stringMatching(/^Exited/) });
      expect((await fetch(`${world.postal.endpoints.workerHealth.url}/health`)).status).toBe(503);
      const sent = await sendTo('friend@gmail.test', 'while-stopped');
      const status = await api(world, 'messages/message', { id: sent.id, _expansions: ['status'] });
      expect(status.data.status.status).toBe('Pending');
    } finally {
      world.postal.startWorker();
    }
    await atProvider('while-stopped');
    expect((await fetch(`${world.postal.endpoints.workerHealth.url}/health`)).status).toBe(200);

    world.postal.setSmtpHealthy(false);
    expect((await fetch(`${world.postal.endpoints.smtpHealth.url}/health`)).status).toBe(503);
    // Docker knows nothing of it (no healthcheck): only Postal's own health server tells.
    const unhealthy = (await (await fetch(world.postal.endpoints.ops.composePs)).json()) as Array<Record<string, unknown>>;
    expect(unhealthy.find((c) => c.Service === 'smtp')).toMatchObject({ State: 'running', Health: '' });
    world.postal.setSmtpHealthy(true);
    expect(await (await fetch(`${world.postal.endpoints.smtpHealth.url}/`)).text()).toMatch(/^smtp-server \(pid: \d+, host: \S+\)$/);
    expect(await (await fetch(`${world.postal.endpoints.workerHealth.url}/`)).text()).toMatch(/^worker \(pid: \d+, host: \S+\)$/);
  });

  it('stops idempotently and frees its ports', async () => {
    const extra = await startTestWorld({ slot: 3 });
    await extra.postal.stop();
    await extra.postal.stop();
    await expect(fetch(`${extra.postal.endpoints.workerHealth.url}/health`)).rejects.toThrow();
    await extra.stop();
  });
});
