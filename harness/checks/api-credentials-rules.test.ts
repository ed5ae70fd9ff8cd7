// Exact findings, fixes and evidence of the API key check, and where a raw key counts as one.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ApiCredentialResult, checkApiCredentials } from './api-credentials-check.ts';

const fp = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);
const FP = [fp('a'), fp('b'), fp('c')];
const ok = (agentId: string, keyFingerprint: string, over: Partial<ApiCredentialResult> = {}): ApiCredentialResult => ({
  agentId,
  keyFingerprint,
  outcome: 'authenticated',
  ...over,
});
const INVALID_FIX = (agent: string) =>
  `Create a Credential of type API (not SMTP) for ${agent} on the mail server and update its key in the agents' key file and CLI config`;

describe('checkApiCredentials', () => {
  it('passes with exact texts and the fingerprints as evidence', () => {
    expect(
      checkApiCredentials({
        results: [ok('ceo', FP[0]!, { code: 'MessageNotFound' }), ok('dev1', FP[1]!)],
        expectedAgentIds: ['ceo', 'dev1', 'qa'].slice(0, 2),
      }),
    ).toEqual({
      outcome: 'pass',
      summary: '2/2 API keys authenticate and all are distinct',
      expected: '2 distinct keys, each authenticated',
      observed: '2/2 authenticated, 2 distinct',
      evidence: [
        {
          label: 'api keys (fingerprints)',
          detail: [
            { agentId: 'ceo', key: FP[0], outcome: 'authenticated', code: 'MessageNotFound' },
            { agentId: 'dev1', key: FP[1], outcome: 'authenticated' },
          ],
        },
      ],
    });
    expect(checkApiCredentials({ results: [ok('ceo', FP[0]!)] }).expected).toBe('1 distinct keys, each authenticated');
  });

  it('fails an invalid key with the exact fix, and a suspended server with its own', () => {
    const invalid = checkApiCredentials({ results: [ok('ceo', FP[0]!), ok('dev1', FP[1]!, { outcome: 'invalid' })] });
    expect(invalid.summary).toBe(`the API key of dev1 (${FP[1]}) is refused`);
    expect(invalid.remediation).toBe(INVALID_FIX('dev1'));
    expect(invalid.observed).toBe('1/2 authenticated, 2 distinct');
    const suspended = checkApiCredentials({ results: [ok('ceo', FP[0]!, { outcome: 'invalid', code: 'ServerSuspended' })] });
    expect(suspended.summary).toBe(`the API key of ceo (${FP[0]}) is refused: ServerSuspended`);
    expect(suspended.remediation).toBe('Unsuspend the mail server in Postal (Settings → Suspension)');
  });

  it('fails a key that could not be tested, saying why as best it can', () => {
    const at = (over: Partial<ApiCredentialResult>) => checkApiCredentials({ results: [ok('ceo', FP[0]!, { outcome: 'error', ...over })] });
    expect(at({ error: 'ETIMEDOUT', code: 'X' }).summary).toBe('the API key of ceo could not be tested: ETIMEDOUT');
    expect(at({ code: 'InternalError' }).summary).toBe('the API key of ceo could not be tested: InternalError');
    expect(at({}).summary).toBe('the API key of ceo could not be tested: unknown error');
    expect(at({}).remediation).toBe('Check the API is reachable (INF-01, INF-02) and re-run');
    expect(at({ error: 'refused token=hunter22' }).evidence[0]?.detail).toEqual([
      { agentId: 'ceo', key: FP[0], outcome: 'error', error: 'refused token=[masked:20d2fe5e]' },
    ]);
  });

  it('fails missing agents and an empty run with exact fixes', () => {
    const missing = checkApiCredentials({ results: [ok('ceo', FP[0]!)], expectedAgentIds: ['ceo', 'team'] });
    expect(missing.summary).toBe('team has no API key to test');
    expect(missing.remediation).toBe(
      "Create an API credential for team on the Postal server and add it to the agents' key file (postal-api-keys.txt)",
    );
    const empty = checkApiCredentials({ results: [] });
    expect(empty.summary).toBe('no API key was tested');
    expect(empty.remediation).toBe("Test each agent's API key and check again");
  });

  it('fails a key shared by agents, naming all of them and the ones to give a new key', () => {
    const verdict = checkApiCredentials({ results: [ok('ceo', FP[0]!), ok('dev1', FP[0]!), ok('qa', FP[0]!), ok('team', FP[2]!)] });
    expect(verdict.summary).toBe(
      `ceo, dev1, qa share one API key (${FP[0]}): one agent can send as the other and revoking one breaks both`,
    );
    expect(verdict.remediation).toBe('Create a separate API credential for each of dev1, qa and update their configs');
    expect(verdict.observed).toBe('4/4 authenticated, 2 distinct');
  });

  it('masks a raw key handed over as a fingerprint, but not a hex fingerprint or a short id', () => {
    const raw = 'Xk3pQ9vLm2Rt7WbN4cYs8DfH';
    const masked = (value: string) => `[masked:${createHash('sha256').update(value).digest('hex').slice(0, 8)}]`;
    const shared = checkApiCredentials({ results: [ok('ceo', raw), ok('dev1', raw)] });
    expect(shared.summary).toBe(
      `ceo, dev1 share one API key (${masked(raw)}): one agent can send as the other and revoking one breaks both`,
    );
    const rows = (keyFingerprint: string) =>
      (checkApiCredentials({ results: [ok('ceo', keyFingerprint)] }).evidence[0]?.detail as Array<{ key: string }>)[0]?.key;
    expect(rows(raw)).toBe(masked(raw));
    expect(rows('abcdefghijklmnopqrst')).toBe(masked('abcdefghijklmnopqrst'));
    // Hex of any length is a hash, not a key; 19 characters is too short to be one; a key is one word.
    for (const kept of ['0123456789abcdef0123456789abcdef', 'abcdefghijklmnopqrs', 'Xk3pQ9vLm2Rt7WbN4cYs8DfH!', 'ABCDEFABCDEFABCDEFABCDEF'])
      expect(rows(kept)).toBe(kept);
  });
});
