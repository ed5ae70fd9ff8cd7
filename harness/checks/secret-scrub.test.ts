import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maskValue, quoteOutput, scrubSecrets } from './secret-scrub.ts';

const KEY = 'Xk3pQ9vLm2Rt7WbN4cYs8DfH';
/** What a masked value must look like: the fingerprint, computed independently of the code under test. */
const masked = (value: string) => `[masked:${createHash('sha256').update(value).digest('hex').slice(0, 8)}]`;

describe('maskValue', () => {
  it('replaces the whole secret by a short sha256 fingerprint, no character of it kept', () => {
    expect(maskValue(KEY)).toBe('[masked:7eb0e309]');
    expect(maskValue('hunter22')).toBe('[masked:20d2fe5e]');
    expect(maskValue('ab')).toBe(masked('ab'));
  });
});

describe('scrubSecrets', () => {
  it('masks a value named like a secret, exactly and only the value', () => {
    expect(scrubSecrets('api_key=hunter22 next')).toBe(`api_key=${masked('hunter22')} next`);
    expect(scrubSecrets('apikey=hunter22')).toBe(`apikey=${masked('hunter22')}`);
    expect(scrubSecrets('api-key: hunter22')).toBe(`api-key: ${masked('hunter22')}`);
    expect(scrubSecrets('X-Server-API-Key: hunter22')).toBe(`X-Server-API-Key: ${masked('hunter22')}`);
    expect(scrubSecrets('PASSWORD = hunter22')).toBe(`PASSWORD = ${masked('hunter22')}`);
    expect(scrubSecrets("{'secret': 'hunter22'}")).toBe(`{'secret': '${masked('hunter22')}'}`);
  });

  it('masks the token Postal echoes back in its JSON, leaving the rest of the answer readable', () => {
    const out = scrubSecrets(`{"status":"error","data":{"code":"InvalidServerAPIKey","token":"${KEY}"}}`);
    expect(out).toBe(`{"status":"error","data":{"code":"InvalidServerAPIKey","token":"${masked(KEY)}"}}`);
  });

  it('ends a named value at a quote, space, comma, semicolon or brace, and masks every occurrence', () => {
    expect(scrubSecrets('token=abcd,token=efgh;token=ijkl}token=mnop"x token=qrst\'y token=uvwx z')).toBe(
      `token=${masked('abcd')},token=${masked('efgh')};token=${masked('ijkl')}}token=${masked('mnop')}"x token=${masked('qrst')}'y token=${masked('uvwx')} z`,
    );
  });

  it('treats a named value of 4 characters or more as a secret, shorter ones as not', () => {
    expect(scrubSecrets('token=abc')).toBe('token=abc');
    expect(scrubSecrets('token=abcd')).toBe(`token=${masked('abcd')}`);
  });

  it('masks a key-shaped word of 20 to 40 letters and digits wherever it stands', () => {
    expect(scrubSecrets(`refused ${KEY} twice: ${KEY}.`)).toBe(`refused ${masked(KEY)} twice: ${masked(KEY)}.`);
    const twenty = 'a1b2c3d4e5f6g7h8i9j0';
    const forty = twenty + twenty;
    expect(scrubSecrets(`(${twenty})`)).toBe(`(${masked(twenty)})`);
    expect(scrubSecrets(forty)).toBe(masked(forty));
    // Starting with a digit does not make it less of a key.
    expect(scrubSecrets('7Xk3pQ9vLm2Rt7WbN4cYs8D')).toBe(masked('7Xk3pQ9vLm2Rt7WbN4cYs8D'));
  });

  it('leaves words that are not key-shaped alone: too short, too long, letters only, digits only', () => {
    const text = [
      'a1b2c3d4e5f6g7h8i9j', // 19
      'a1b2c3d4e5f6g7h8i9j0a1b2c3d4e5f6g7h8i9j0k', // 41
      'InvalidServerAPIKeyAbcdef',
      '123456789012345678901234',
      'message 12345 sent to ceo@mailgoat.ai (exit 0)',
    ].join(' ');
    expect(scrubSecrets(text)).toBe(text);
  });
});

describe('quoteOutput', () => {
  it('trims and scrubs what it quotes', () => {
    expect(quoteOutput(`  token=${KEY}\n`)).toBe(`token=${masked(KEY)}`);
    expect(quoteOutput(undefined)).toBe('');
  });

  it('cuts after max characters, saying how many were left out', () => {
    expect(quoteOutput('abcdefghij', 4)).toBe('abcd… (6 more characters)');
    expect(quoteOutput('abcd', 4)).toBe('abcd');
  });

  it('quotes up to 600 characters by default', () => {
    expect(quoteOutput('x'.repeat(600))).toBe('x'.repeat(600));
    expect(quoteOutput('x'.repeat(601))).toBe(`${'x'.repeat(600)}… (1 more characters)`);
  });
});
