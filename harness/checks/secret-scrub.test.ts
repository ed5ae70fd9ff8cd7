import { describe, expect, it } from 'vitest';
import { quoteOutput, scrubSecrets } from './secret-scrub.ts';

const KEY = 'Xk3pQ9vLm2Rt7WbN4cYs8DfH';

describe('scrubSecrets', () => {
  it('masks key-shaped values and values named like secrets', () => {
    const out = scrubSecrets(`{"status":"error","data":{"code":"InvalidServerAPIKey","token":"${KEY}"}} api_key=hunter22`);
    expect(out).not.toContain(KEY);
    expect(out).not.toContain('hunter22');
    expect(out).toContain('InvalidServerAPIKey');
  });

  it('leaves ordinary words, numbers and short ids alone', () => {
    expect(scrubSecrets('message 12345 sent to ceo@mailgoat.ai (exit 0)')).toBe('message 12345 sent to ceo@mailgoat.ai (exit 0)');
  });

  it('cuts long output', () => {
    expect(quoteOutput('a '.repeat(1000), 10)).toMatch(/^a a a a a … \(\d+ more characters\)$/);
  });
});
