// Delivery as received: arrived once, intact, in time — and, when not, why (a refusal, Postal's record, an unread mailbox).
import { describe, expect, it } from 'vitest';
import { expectedContent, probeMessage, sha256 } from '../messages/probe-message.ts';
import { checkMessageDelivery, type ObservedMessage, type SentMessage } from './message-delivery-check.ts';

const probe = probeMessage('run42', 'FN-01 ring-1-of-3 ceo to dev1');
const sent: SentMessage = { id: 'ring-1', from: 'ceo', to: 'Dev1@mailgoat.ai', toAgent: 'dev1', content: expectedContent(probe) };
const copy = {
  subject: probe.subject,
  text: probe.text,
  html: probe.html,
  attachments: probe.attachments.map((a) => ({ filename: a.filename, sha256: sha256(a.content), size: a.content.length })),
};
const at = (over: Partial<ObservedMessage> = {}): ObservedMessage => ({
  id: sent.id,
  to: 'dev1@mailgoat.ai',
  found: true,
  copies: 1,
  content: copy,
  where: 'dev1 inbox',
  elapsedMs: 300,
  ...over,
});

describe('checkMessageDelivery', () => {
  it('passes a message that arrived once, intact, in time, with exact texts and evidence', () => {
    expect(
      checkMessageDelivery({ expected: [sent], observed: [at(), at({ found: false, to: 'qa@mailgoat.ai' })], deadlineMs: 15_000 }),
    ).toEqual({
      outcome: 'pass',
      summary: '1/1 messages arrived once and intact (slowest 300 ms)',
      expected: '1 messages, each once at its recipient with subject, text, HTML and attachments unchanged',
      observed: '1 intact, 0 altered, 0 missing, 0 late',
      evidence: [
        {
          label: 'messages',
          detail: [{ id: 'ring-1', from: 'ceo', to: 'Dev1@mailgoat.ai', arrived: true, where: 'dev1 inbox', elapsedMs: 300, intact: true }],
        },
      ],
    });
    expect(
      checkMessageDelivery({ expected: [{ ...sent, path: 'send/raw' }], observed: [at({ elapsedMs: undefined, where: undefined })] })
        .summary,
    ).toBe('1/1 messages arrived once and intact');
  });

  it('names a refusal when it was sent, never a message to look up', () => {
    const verdict = checkMessageDelivery({
      expected: [{ ...sent, from: 'growth', sendError: 'error InvalidServerAPIKey' }],
      observed: [at({ found: false })],
    });
    expect(verdict.summary).toBe(
      "growth → Dev1@mailgoat.ai (ring-1) was never sent: Postal refused growth's API key (InvalidServerAPIKey): the message was never created",
    );
    expect(verdict.remediation).toMatch(/create an API credential in Postal/);
    expect(verdict.remediation).not.toMatch(/messages\/message/);
    expect(verdict.observed).toBe('0 intact, 0 altered, 1 missing, 0 late');
    expect(verdict.evidence[0]?.detail).toEqual([
      { id: 'ring-1', from: 'growth', to: 'Dev1@mailgoat.ai', arrived: false, sendError: 'error InvalidServerAPIKey' },
    ]);
    expect(
      checkMessageDelivery({ expected: [{ ...sent, path: 'SMTP', sendError: '535 Invalid credential' }], observed: [] }).summary,
    ).toMatch(/\(SMTP\) \(ring-1\) was never sent: Postal's SMTP server refused the SMTP credential/);
  });

  it('names what Postal recorded of a message that did not arrive, with the deadline', () => {
    const trail = {
      outgoing: { id: 7, direction: 'outgoing' as const, status: 'Held', attempts: 0, details: 'Server is in development mode.' },
    };
    const verdict = checkMessageDelivery({ expected: [{ ...sent, trail }], observed: [at({ found: false })], deadlineMs: 15_000 });
    expect(verdict.summary).toBe(
      'ceo → Dev1@mailgoat.ai (ring-1) did not arrive within 15.0 s: Held by Postal: Server is in development mode.',
    );
    expect(verdict.remediation).toMatch(/Development mode/);
    expect(verdict.evidence[0]?.detail).toEqual([
      {
        id: 'ring-1',
        from: 'ceo',
        to: 'Dev1@mailgoat.ai',
        arrived: false,
        postal: 'outgoing message 7: Held no delivery attempt yet: Server is in development mode.',
      },
    ]);
    expect(checkMessageDelivery({ expected: [sent], observed: [] }).summary).toBe(
      "ceo → Dev1@mailgoat.ai (ring-1) did not arrive: Postal's record of the message could not be read",
    );
  });

  it('calls a message in an unreadable mailbox unproven, not lost', () => {
    const verdict = checkMessageDelivery({
      expected: [sent],
      observed: [{ id: sent.id, to: sent.to, found: false, readerError: 'HTTP 500' }],
    });
    expect(verdict.summary).toBe("ceo → Dev1@mailgoat.ai (ring-1) is unproven: the recipient's mailbox could not be read (HTTP 500)");
  });

  it('warns a late message with its time (late is not lost)', () => {
    const verdict = checkMessageDelivery({ expected: [sent], observed: [at({ elapsedMs: 21_500 })], deadlineMs: 15_000 });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe('ceo → Dev1@mailgoat.ai (ring-1) arrived late: after 21.5 s, the deadline is 15.0 s');
    expect(verdict.remediation).toMatch(/^Late, not lost: PERF-02 judges the delay/);
    expect(verdict.observed).toBe('1 intact, 0 altered, 0 missing, 1 late');
    expect(checkMessageDelivery({ expected: [sent], observed: [at({ elapsedMs: 15_000 })], deadlineMs: 15_000 }).outcome).toBe('pass');
    expect(checkMessageDelivery({ expected: [sent], observed: [at({ elapsedMs: 15_000 })], deadlineMs: 15_000 }).observed).toBe(
      '1 intact, 0 altered, 0 missing, 0 late',
    );
  });

  it('fails a message that arrived twice', () => {
    const verdict = checkMessageDelivery({ expected: [sent], observed: [at({ copies: 2 })] });
    expect(verdict.summary).toBe('ceo → Dev1@mailgoat.ai (ring-1) arrived 2 times at dev1 inbox');
    expect(verdict.remediation).toMatch(/additional endpoint/);
  });

  it('fails an altered message with the cause its shape names, and warns parts the reader cannot show', () => {
    const stripped = checkMessageDelivery({
      expected: [sent],
      observed: [at({ content: { ...copy, text: probe.text.slice(0, probe.text.indexOf('\nOn Mon')) } })],
    });
    expect(stripped.summary).toBe(
      'ceo → Dev1@mailgoat.ai (ring-1) arrived altered: text differs — the quoted reply at the end of the text was removed before it reached the agent',
    );
    expect(stripped.remediation).toMatch(/"Strip replies" on/);
    expect(stripped.observed).toBe('0 intact, 1 altered, 0 missing, 0 late');
    const partial = checkMessageDelivery({ expected: [sent], observed: [at({ content: { subject: probe.subject, text: probe.text } })] });
    expect(partial.outcome).toBe('warn');
    expect(partial.summary).toBe(
      "ceo → Dev1@mailgoat.ai (ring-1): the recipient's copy does not show its HTML part, attachments, so they were not compared",
    );
  });

  it('fails a message found elsewhere, instead or as well', () => {
    const instead = checkMessageDelivery({ expected: [sent], observed: [at({ to: 'qa', where: 'qa inbox' })] });
    expect(instead.summary).toBe('ceo → Dev1@mailgoat.ai (ring-1) was found at qa inbox instead');
    expect(instead.remediation).toBe(
      'Check the Routes for Dev1@mailgoat.ai: each address must point at its own inbox endpoint only (see INF-05)',
    );
    const asWell = checkMessageDelivery({ expected: [sent], observed: [at(), at({ to: 'qa', where: undefined })] });
    expect(asWell.summary).toBe('ceo → Dev1@mailgoat.ai (ring-1) was found at qa as well');
  });

  it('fails when nothing was sent', () => {
    expect(checkMessageDelivery({ expected: [], observed: [] })).toMatchObject({
      outcome: 'fail',
      summary: 'no message was sent',
      remediation: 'Send the test messages and check again',
    });
  });
  it('keeps each message its own row, and counts a refusal and a lost message missing but one found elsewhere not', () => {
    const one = (id: string, over: Partial<SentMessage> = {}): SentMessage => ({ ...sent, id, ...over });
    const trail = {
      outgoing: { id: 7, direction: 'outgoing' as const, status: 'Held', attempts: 0, details: 'Server is in development mode.' },
    };
    const verdict = checkMessageDelivery({
      expected: [
        one('a'),
        one('b', { sendError: 'error InvalidServerAPIKey' }),
        one('c', { trail }),
        one('d', { trail }),
        one('e', { trail }),
      ],
      observed: [
        at({ id: 'a', copies: 2, elapsedMs: 20_000, content: { subject: probe.subject, text: 'changed' } }),
        at({ id: 'b' }),
        at({ id: 'c', to: 'qa@mailgoat.ai', where: 'qa inbox' }),
        { id: 'd', to: sent.to, found: false, readerError: 'HTTP 500' },
      ],
      deadlineMs: 15_000,
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.observed).toBe('0 intact, 1 altered, 3 missing, 1 late');
    const base = { from: 'ceo', to: 'Dev1@mailgoat.ai' };
    expect(verdict.evidence[0]?.detail).toEqual([
      {
        id: 'a',
        ...base,
        arrived: true,
        where: 'dev1 inbox',
        elapsedMs: 20_000,
        copies: 2,
        late: true,
        intact: false,
        problems: ['text differs'],
        notCompared: ['HTML part', 'attachments'],
      },
      { id: 'b', ...base, arrived: true, sendError: 'error InvalidServerAPIKey' },
      { id: 'c', ...base, arrived: false, alsoAt: ['qa inbox'] },
      { id: 'd', ...base, arrived: false },
      { id: 'e', ...base, arrived: false, postal: 'outgoing message 7: Held no delivery attempt yet: Server is in development mode.' },
    ]);
    expect(verdict.summary.split('; ').map((s) => s.replace(/:.*/, ''))).toEqual([
      'ceo → Dev1@mailgoat.ai (a) arrived 2 times at dev1 inbox',
      'ceo → Dev1@mailgoat.ai (a) arrived altered',
      'ceo → Dev1@mailgoat.ai (b) was never sent',
      'ceo → Dev1@mailgoat.ai (c) was found at qa inbox instead',
      'ceo → Dev1@mailgoat.ai (d) is unproven',
      'ceo → Dev1@mailgoat.ai (e) did not arrive within 15.0 s',
      'ceo → Dev1@mailgoat.ai (a) arrived late',
      'ceo → Dev1@mailgoat.ai (a)',
    ]);
  });
});
