import { describe, expect, it } from 'vitest';
import { checkWrongKey } from './wrong-key-check.ts';

const WRONG = 'Qq7Ww8Ee9Rr0Tt1Yy2Uu3Ii4';
const postalAnswer = { status: 'error', time: 0.01, flags: {}, data: { code: 'InvalidServerAPIKey', message: 'The API token provided in X-Server-API-Key was not valid.', token: WRONG } };

describe('checkWrongKey', () => {
  it('passes for error InvalidServerAPIKey and never echoes data.token', () => {
    // A client that spreads Postal's whole answer into the input must still not leak the token.
    const verdict = checkWrongKey({ ...postalAnswer, ...postalAnswer.data } as never);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('a wrong key is refused with InvalidServerAPIKey');
    expect(JSON.stringify(verdict)).not.toContain(WRONG);
  });

  it('fails when the wrong key is accepted', () => {
    const verdict = checkWrongKey({ status: 'success' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/accepted a wrong key/);
  });

  it('fails on another code, on AccessDenied (untested) and on no answer, without leaking a key in the message', () => {
    const other = checkWrongKey({ status: 'error', code: 'ServerSuspended', message: `key ${WRONG} suspended` });
    expect(other.outcome).toBe('fail');
    expect(other.summary).toBe('a wrong key got error ServerSuspended, not error InvalidServerAPIKey');
    expect(JSON.stringify(other)).not.toContain(WRONG);
    expect(checkWrongKey({ status: 'error', code: 'AccessDenied' }).summary).toMatch(/never tested/);
    expect(checkWrongKey({ error: 'ETIMEDOUT' }).outcome).toBe('fail');
    expect(checkWrongKey({ status: 'parameter-error' }).outcome).toBe('fail');
  });
});
