import { describe, expect, it } from 'vitest';
import { SIZE_CLASSES, checkClasses, createLoadCorpus, describeClasses, describeSent } from './load-corpus.ts';

const options = { seed: 42, runToken: 'run-abc123', from: ['ceo@mailgoat.ai'], to: ['qa@mailgoat.ai', 'dev1@mailgoat.ai'] };

describe('createLoadCorpus', () => {
  it('is reproducible: the same seed gives the same message i, whatever the order asked', () => {
    const a = createLoadCorpus(options);
    const b = createLoadCorpus(options);
    const forward = [0, 1, 2, 3].map((i) => a.message(i));
    const backward = [3, 2, 1, 0].map((i) => b.message(i)).reverse();
    expect(backward).toEqual(forward);
  });

  it('differs with another seed', () => {
    expect(createLoadCorpus({ ...options, seed: 43 }).message(0).text).not.toBe(createLoadCorpus(options).message(0).text);
  });

  it('puts the run token in every subject and body', () => {
    const corpus = createLoadCorpus(options);
    for (let i = 0; i < 50; i++) {
      const m = corpus.message(i);
      expect(m.subject).toContain('[postal-qa run-abc123]');
      expect(m.text).toContain('Run token: run-abc123');
    }
  });

  it('draws sizes from the stated mix: each class near its share, sizes inside its range', () => {
    const corpus = createLoadCorpus(options);
    const messages = Array.from({ length: 1000 }, (_, i) => corpus.message(i));
    const sent = describeSent(messages);
    for (const c of SIZE_CLASSES) {
      const share = sent.byClass.find((b) => b.name === c.name)!.share;
      expect(Math.abs(share - c.weight), `${c.name}: ${share}`).toBeLessThan(0.05);
    }
    for (const m of messages) {
      const c = SIZE_CLASSES.find((k) => k.name === m.sizeClass)!;
      expect(Buffer.byteLength(m.text)).toBeGreaterThanOrEqual(c.bodyBytes[0]);
      expect(Buffer.byteLength(m.text)).toBeLessThan(c.bodyBytes[1] + 1_000);
      expect(m.attachments.length).toBe(c.attachmentBytes ? 1 : 0);
    }
    expect(sent.withAttachments).toBe(sent.byClass.find((b) => b.name === 'with attachment')!.count);
    expect(new Set(messages.map((m) => m.subject)).size).toBe(1000);
  });

  it('spreads recipients in turn', () => {
    const corpus = createLoadCorpus(options);
    expect([0, 1, 2].map((i) => corpus.message(i).to)).toEqual(['qa@mailgoat.ai', 'dev1@mailgoat.ai', 'qa@mailgoat.ai']);
  });
});

describe('checkClasses and the report lines', () => {
  it('refuses a mix whose weights do not add up to 1, or a range upside down', () => {
    expect(() => checkClasses([{ name: 'a', weight: 0.5, bodyBytes: [1, 2] }])).toThrow(/add up to 1/);
    expect(() => checkClasses([{ name: 'a', weight: 1, bodyBytes: [5, 2] }])).toThrow(/malformed/);
    expect(() => createLoadCorpus({ ...options, to: [] })).toThrow(/recipient/);
  });

  it('states each class with its share and sizes', () => {
    expect(describeClasses()).toEqual([
      'note: 40 %, body 0.2 KB–1.5 KB',
      'message: 35 %, body 1.5 KB–8 KB',
      'report: 15 %, body 8 KB–40 KB',
      'with attachment: 10 %, body 0.5 KB–3 KB, one attachment 20 KB–200 KB',
    ]);
  });

  it('describes what was sent, percentiles included', () => {
    const sent = describeSent([
      { sizeClass: 'note', bytes: 100, attachments: [] },
      { sizeClass: 'note', bytes: 300, attachments: [] },
      { sizeClass: 'with attachment', bytes: 5000, attachments: [{ filename: 'a', contentType: 'text/csv', content: Buffer.alloc(1) }] },
    ]);
    expect(sent.bytes).toEqual({ p50: 300, p95: 5000, max: 5000, total: 5400 });
    expect(sent.withAttachments).toBe(1);
    expect(sent.byClass[0]).toEqual({ name: 'note', count: 2, share: 2 / 3 });
  });
});
