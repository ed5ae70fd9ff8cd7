import { describe, expect, it } from 'vitest';
import { maskValue } from '../checks/secret-scrub.ts';
import { createRedactor } from './redact.ts';

describe('createRedactor', () => {
  it('masks every known secret wherever it appears', () => {
    const redact = createRedactor(['AbCdEfGhIjKlMnOpQrStUvWx']);
    const out = redact('key AbCdEfGhIjKlMnOpQrStUvWx used twice: AbCdEfGhIjKlMnOpQrStUvWx');
    expect(out).not.toContain('AbCdEfGhIjKlMnOpQrStUvWx');
    expect(out).toContain(maskValue('AbCdEfGhIjKlMnOpQrStUvWx'));
  });

  it('masks a key-shaped value it was never told about', () => {
    const redact = createRedactor([]);
    expect(redact('{"token":"Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"}')).not.toContain('Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2');
    expect(redact('X-Server-API-Key: Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2')).not.toContain('Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2');
  });

  it('leaves ordinary evidence alone', () => {
    const redact = createRedactor(['secret-value']);
    expect(redact('v=spf1 include:spf.mailgoat.ai ~all')).toBe('v=spf1 include:spf.mailgoat.ai ~all');
  });
});
