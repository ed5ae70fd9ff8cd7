import { describe, expect, it } from 'vitest';
import { checkWrongKey } from './wrong-key-check.ts';

const WRONG = 'Qq7Ww8Ee9Rr0Tt1Yy2Uu3Ii4';
const postalAnswer = {
  status: 'error',
  time: 0.01,
  flags: {},
  data: { code: 'InvalidServerAPIKey', message: 'The API token provided in X-Server-API-Key was not valid.', token: WRONG },
};
const EXPECTED = 'status "error", code "InvalidServerAPIKey"';

describe('checkWrongKey', () => {
  it('passes for error InvalidServerAPIKey and never echoes data.token', () => {
    // A client that spreads Postal's whole answer into the input must still not leak the token.
    const verdict = checkWrongKey({ ...postalAnswer, ...postalAnswer.data, httpStatus: 200 });
    expect(verdict).toEqual({
      outcome: 'pass',
      summary: 'a wrong key is refused with InvalidServerAPIKey',
      expected: EXPECTED,
      observed: 'status "error", code "InvalidServerAPIKey"',
      evidence: [
        {
          label: 'api answer to a wrong key',
          detail: {
            status: 'error',
            code: 'InvalidServerAPIKey',
            message: 'The API token provided in X-Server-API-Key was not valid.',
            httpStatus: 200,
          },
        },
      ],
    });
  });

  it('fails when the wrong key is accepted', () => {
    const verdict = checkWrongKey({ status: 'success', code: 'InvalidServerAPIKey' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('the API accepted a wrong key: anyone can send mail through this server');
    expect(verdict.remediation).toBe(
      'Check which credential matched (Postal → server → Credentials); delete any API credential with a guessable key, and make sure no proxy answers the API in front of Postal',
    );
  });

  it('fails on another code, without leaking a key in the message', () => {
    const other = checkWrongKey({ status: 'error', code: 'ServerSuspended', message: `key ${WRONG} suspended` });
    expect(other.outcome).toBe('fail');
    expect(other.summary).toBe('a wrong key got error ServerSuspended, not error InvalidServerAPIKey');
    expect(other.remediation).toBe("Check that the API is Postal's own (`/api/v1/...`) and not an intermediary answering for it");
    expect(JSON.stringify(other)).not.toContain(WRONG);
    expect(checkWrongKey({ status: 'parameter-error', code: 'InvalidServerAPIKey' }).summary).toBe(
      'a wrong key got parameter-error InvalidServerAPIKey, not error InvalidServerAPIKey',
    );
    expect(checkWrongKey({ status: 'parameter-error' }).summary).toBe('a wrong key got parameter-error, not error InvalidServerAPIKey');
  });

  it('fails on AccessDenied: the key never reached Postal, so nothing was tested', () => {
    const verdict = checkWrongKey({ status: 'error', code: 'AccessDenied' });
    expect(verdict.summary).toBe('the request reached Postal without a key (AccessDenied), so a wrong key was never tested');
    expect(verdict.remediation).toBe('Make sure the X-Server-API-Key header reaches Postal (a proxy may strip it) and re-run');
  });

  it('fails on no answer, quoting the transport error scrubbed', () => {
    const verdict = checkWrongKey({ error: `ETIMEDOUT token=${WRONG}` });
    expect(verdict).toEqual({
      outcome: 'fail',
      summary: 'the API gave no answer to a wrong key: ETIMEDOUT token=[masked:21b0980b]',
      remediation: 'Check the API is reachable (INF-02) and re-run',
      expected: EXPECTED,
      observed: 'status "none", code "none"',
      evidence: [{ label: 'api answer to a wrong key', detail: { status: null, code: null, error: 'ETIMEDOUT token=[masked:21b0980b]' } }],
    });
    expect(checkWrongKey({}).summary).toBe('the API gave no answer to a wrong key');
  });
});
