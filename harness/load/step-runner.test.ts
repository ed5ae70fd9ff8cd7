import { describe, expect, it } from 'vitest';
import { runStep } from './step-runner.ts';

const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ subject: `s${i}`, to: i % 2 ? 'a@x' : 'b@x' }));

describe('runStep against a fake server', () => {
  it('measures a server that accepts everything and delivers after ~50 ms', async () => {
    const arrived = new Map<string, number>();
    const result = await runStep({
      rate: 100,
      messages: messages(20),
      send: (m) => Promise.resolve(void setTimeout(() => arrived.set(m.subject, Date.now()), 50)),
      arrivals: () => Promise.resolve(new Map(arrived)),
      deliveryDeadlineMs: 5_000,
    });
    expect(result).toMatchObject({ sent: 20, errors: 0, delivered: 20, lost: 0 });
    expect(result.p95Ms).toBeGreaterThanOrEqual(45);
    expect(result.acceptedRate).toBeGreaterThan(0);
  });

  it('counts refusals as errors (with the words) and undelivered messages as lost', async () => {
    const arrived = new Map<string, number>();
    let n = 0;
    const result = await runStep({
      rate: 1000,
      messages: messages(10),
      send: (m) => {
        if (n++ % 5 === 0) return Promise.reject(new Error('550 no thanks'));
        // every other accepted message is never delivered
        if (Number(m.subject.slice(1)) % 2 === 0) arrived.set(m.subject, Date.now());
        return Promise.resolve();
      },
      arrivals: () => Promise.resolve(new Map(arrived)),
      deliveryDeadlineMs: 300,
    });
    expect(result.errors).toBe(2);
    expect(result.errorSamples).toEqual(['550 no thanks', '550 no thanks']);
    expect(result.delivered + result.lost).toBe(8);
    expect(result.lost).toBeGreaterThan(0);
  });

  it('survives an inbox that cannot be read, reporting everything lost', async () => {
    const result = await runStep({
      rate: 1000,
      messages: messages(3),
      send: async () => {},
      arrivals: () => Promise.reject(new Error('inbox down')),
      deliveryDeadlineMs: 200,
    });
    expect(result).toMatchObject({ delivered: 0, lost: 3, errors: 0 });
    expect(result.p95Ms).toBeUndefined();
  });
});
