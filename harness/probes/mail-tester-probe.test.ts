// The mail-tester probe against a small HTTP server playing Postal's send/message and mail-tester's
// report URL: what it sends, which URL it asks, and that it waits past "no report yet" and past a
// report for another message until this run's report is there.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../config/run-context.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { mailTesterAddress, mailTesterProbe } from './mail-tester-probe.ts';
import { createProbeContext } from './probe-context.ts';
import { ProbeUnavailable } from './probe-unavailable.ts';

const HOST = '127.0.78.10';
let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function serve(reports: unknown[], seen: string[], sent: unknown[], port: number): Promise<void> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/api/v1/send/message') {
        sent.push(JSON.parse(body));
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'success', time: 0.1, flags: {}, data: { message_id: 'x', messages: {} } }));
        return;
      }
      const next = reports.length > 1 ? reports.shift() : reports[0];
      if (typeof next === 'number') res.writeHead(next).end('<html>busy</html>');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(typeof next === 'string' ? next : JSON.stringify(next));
    });
  });
  return new Promise((resolve) => server!.listen(port, HOST, () => resolve()));
}

function context(port: number, mailTester: TargetDescriptor['mailTester'], readOnly = false) {
  dir = mkdtempSync(join(tmpdir(), 'mail-tester-probe-'));
  const target = {
    hostResolver: 'system',
    postal: { webUrl: `http://${HOST}:${port}` },
    accounts: [{ agentId: 'ceo', address: 'ceo@mailgoat.ai', apiKey: 'key-ceo' }],
    mailTester,
    timeouts: { dnsMs: 1000, connectMs: 2000, deliveryMs: 8000, propagationMs: 1000 },
  } as unknown as TargetDescriptor;
  const run = { runToken: 'pqa0123', evidenceDir: dir, readOnly } as unknown as RunContext;
  return createProbeContext(target, run);
}

const ready = (subject: string) => ({
  status: true,
  displayedMark: '9.5/10',
  mark: -0.5,
  messageInfo: { subject },
  spamAssassin: { mark: -0.5, title: 'SA' },
});

describe('mailTesterAddress', () => {
  it('makes a new address per run with an account, and uses a given address as it is', () => {
    expect(mailTesterAddress({ webUrl: 'https://www.mail-tester.com', domain: 'mail-tester.com', user: 'MailGoat' }, 'pqa0123')).toEqual({
      id: 'mailgoat-pqa0123',
      address: 'mailgoat-pqa0123@mail-tester.com',
    });
    expect(
      mailTesterAddress(
        { webUrl: 'https://www.mail-tester.com', domain: 'mail-tester.com', address: 'test-abc@srv1.mail-tester.com' },
        'pqa0123',
      ),
    ).toEqual({ id: 'test-abc', address: 'test-abc@srv1.mail-tester.com' });
  });
});

describe('mailTesterProbe', () => {
  it('sends one message through Postal, then polls <url>/<id>&format=json past a pending and a stale answer', async () => {
    const seen: string[] = [];
    const sent: Array<Record<string, unknown>> = [];
    await serve(
      [
        { status: false, title: 'Mail not found' },
        503,
        'not json',
        ready('[postal-qa old] mail-tester'),
        ready('[postal-qa pqa0123] mail-tester'),
      ],
      seen,
      sent,
      18081,
    );
    const ctx = context(18081, { webUrl: `http://${HOST}:18081`, domain: 'mail-tester.com', user: 'mailgoat' });
    const probe = mailTesterProbe(ctx);
    expect(probe.configured).toBe(true);
    const observation = await probe.observe();
    // The agents' kind of mail: scripts in the subject, text and HTML with a link, an attachment.
    expect(sent).toEqual([
      {
        to: ['mailgoat-pqa0123@mail-tester.com'],
        from: 'ceo@mailgoat.ai',
        subject: '[postal-qa pqa0123] mail-tester — Grüße, Привет, 你好',
        plain_body: expect.stringContaining('Run token: pqa0123'),
        html_body: expect.stringContaining('href="https://mailgoat.ai/docs/agents?ref=postal-qa&amp;token=pqa0123"'),
        attachments: [{ name: 'figures-mail-tester.bin', content_type: 'application/octet-stream', data: expect.any(String) }],
      },
    ]);
    expect(seen.filter((s) => s.startsWith('GET'))).toEqual(Array(5).fill('GET /mailgoat-pqa0123&format=json'));
    expect(observation).toMatchObject({
      address: 'mailgoat-pqa0123@mail-tester.com',
      reportUrl: `http://${HOST}:18081/mailgoat-pqa0123`,
      freshAddress: true,
      subjectToken: 'pqa0123',
      report: { state: 'ready', score: 9.5 },
    });
    expect(observation.fetchError).toBeUndefined();
    expect(ctx.sentCount()).toBe(1);
    expect(JSON.parse(readFileSync(join(dir!, 'mail-tester-report.json'), 'utf8'))).toMatchObject({ displayedMark: '9.5/10' });
    // Asked again by another control of the worker: the same answer, nothing sent twice.
    expect(await probe.observe()).toBe(observation);
    await ctx.close();
  });

  it('gives up at the deadline with the last answer and why the last read failed', async () => {
    await serve([{ status: false, title: 'Mail not found' }, 503], [], [], 18082);
    const ctx = context(18082, { webUrl: `http://${HOST}:18082`, domain: 'mail-tester.com', address: 'test-abc@srv1.mail-tester.com' });
    const observation = await mailTesterProbe(ctx).observe();
    expect(observation).toMatchObject({ freshAddress: false, fetchError: 'HTTP 503' });
    expect(observation.report).toBeUndefined();
    expect(observation.waitedMs).toBeGreaterThanOrEqual(8000);
    await ctx.close();
  }, 20_000);

  it('sends nothing in --read-only, and is unavailable without a mail-tester setting', async () => {
    const sent: unknown[] = [];
    await serve([ready('x')], [], sent, 18083);
    await expect(
      mailTesterProbe(context(18083, { webUrl: 'https://www.mail-tester.com', domain: 'mail-tester.com', user: 'm' }, true)).observe(),
    ).rejects.toThrow(/--read-only/);
    const none = mailTesterProbe(context(18083, undefined));
    expect(none.configured).toBe(false);
    await expect(none.observe()).rejects.toBeInstanceOf(ProbeUnavailable);
    expect(sent).toEqual([]);
  });
});
