import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ApiCredentialResult, checkApiCredentials } from './api-credentials-check.ts';

const KEYS = ['Xk3pQ9vLm2Rt7WbN4cYs8DfH', 'Pz8QwE2rTy6UiO0pAs4DfG7h', 'Lm5NbV3cXz1QaWs9EdRf2TgY'];
const fp = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);
const agents = ['ceo', 'dev1', 'qa'];
const results = (overrides: Partial<ApiCredentialResult>[] = []): ApiCredentialResult[] =>
  agents.map((agentId, i) => ({
    agentId,
    keyFingerprint: fp(KEYS[i]!),
    outcome: 'authenticated',
    code: 'MessageNotFound',
    ...overrides[i],
  }));
const noKeyIn = (value: unknown) => {
  for (const key of KEYS) expect(JSON.stringify(value)).not.toContain(key);
};

describe('checkApiCredentials', () => {
  it('passes when all keys authenticate and are distinct', () => {
    const verdict = checkApiCredentials({ results: results(), expectedAgentIds: agents });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('3/3 API keys authenticate and all are distinct');
    noKeyIn(verdict);
  });

  it('fails naming an invalid key, without showing any key', () => {
    const verdict = checkApiCredentials({
      results: results([{}, { outcome: 'invalid', code: 'InvalidServerAPIKey', error: `Invalid API token (token: ${KEYS[1]})` }]),
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/^the API key of dev1 \([0-9a-f]{12}\) is refused: InvalidServerAPIKey$/);
    expect(verdict.remediation).toMatch(/Credential of type API/);
    noKeyIn(verdict);
  });

  it('fails when two agents share a key', () => {
    const verdict = checkApiCredentials({ results: results([{}, { keyFingerprint: fp(KEYS[0]!) }]) });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/ceo, dev1 share one API key/);
  });

  it('masks a raw key passed by mistake as the fingerprint', () => {
    const verdict = checkApiCredentials({ results: results([{ keyFingerprint: KEYS[0]!, outcome: 'invalid' }]) });
    expect(verdict.outcome).toBe('fail');
    noKeyIn(verdict);
  });

  it('fails on errors, missing agents and an empty run', () => {
    expect(checkApiCredentials({ results: results([{ outcome: 'error', error: 'ETIMEDOUT' }]) }).summary).toMatch(
      /could not be tested: ETIMEDOUT/,
    );
    expect(checkApiCredentials({ results: results(), expectedAgentIds: [...agents, 'team'] }).summary).toBe('team has no API key to test');
    expect(checkApiCredentials({ results: [] }).outcome).toBe('fail');
  });
});
