import { describe, expect, it } from 'vitest';
import { checkMessageDelivery, type ObservedMessage, type SentMessage } from './message-delivery-check.ts';

const ring = ['ceo', 'dev1', 'qa'];
const expected: SentMessage[] = ring.map((from, i) => ({
  id: `run42-${i}`,
  from: `${from}@mailgoat.ai`,
  to: `${ring[(i + 1) % ring.length]}@mailgoat.ai`,
  subject: `ring ${i} run42`,
  bodySha256: `${i}`.repeat(64),
}));
const arrived = (s: SentMessage, over: Partial<ObservedMessage> = {}): ObservedMessage => ({ id: s.id, to: s.to, found: true, subject: s.subject, bodySha256: s.bodySha256, elapsedMs: 200, ...over });

describe('checkMessageDelivery', () => {
  it('passes when every message arrived intact', () => {
    const verdict = checkMessageDelivery({ expected, observed: expected.map((s) => arrived(s)) });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('3/3 messages arrived intact (slowest 200 ms)');
  });

  it('fails listing a missing message', () => {
    const verdict = checkMessageDelivery({ expected, observed: [arrived(expected[0]!), { id: expected[1]!.id, to: expected[1]!.to, found: false }, arrived(expected[2]!)] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('dev1@mailgoat.ai → qa@mailgoat.ai (run42-1) did not arrive');
    expect(verdict.observed).toBe('2 intact, 0 altered, 1 missing');
    expect(verdict.remediation).toMatch(/messages\/deliveries/);
  });

  it('fails listing corrupted messages (subject, body)', () => {
    const verdict = checkMessageDelivery({
      expected,
      observed: [arrived(expected[0]!, { subject: 'ring 0' }), arrived(expected[1]!, { bodySha256: 'f'.repeat(64) }), arrived(expected[2]!, { bodySha256: undefined })],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain('arrived altered: subject "ring 0" instead of "ring 0 run42"');
    expect(verdict.summary).toContain('body differs (SHA-256 mismatch)');
    expect(verdict.summary).toContain('no body');
    expect(verdict.observed).toBe('0 intact, 3 altered, 0 missing');
  });

  it('fails when a message landed with someone else', () => {
    const verdict = checkMessageDelivery({ expected, observed: [arrived(expected[0]!, { to: 'team@mailgoat.ai', where: 'team inbox' }), ...expected.slice(1).map((s) => arrived(s))] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/was found at team inbox instead/);
  });

  it('fails when nothing was sent', () => {
    expect(checkMessageDelivery({ expected: [], observed: [] }).outcome).toBe('fail');
  });

  it("quotes Postal's own delivery record for a message that did not arrive", () => {
    const sent = { id: 'm1', from: 'ceo@mailgoat.ai', to: 'seed@gmail.test', subject: 's', bodySha256: 'ab', postalDelivery: 'SoftFail — No SMTP servers were available for gmail.test (3 attempts)' };
    const verdict = checkMessageDelivery({ expected: [sent], observed: [{ id: 'm1', to: 'seed@gmail.test', found: false }] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain('did not arrive — Postal: SoftFail — No SMTP servers were available for gmail.test');
  });
});
