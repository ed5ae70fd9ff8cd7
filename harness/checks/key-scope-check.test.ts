import { describe, expect, it } from 'vitest';
import { checkKeyScope, type KeyScopeInput } from './key-scope-check.ts';

const success = { status: 'success', code: '', created: 0 };
const refused = { status: 'error', code: 'UnauthenticatedFromAddress', created: 0 };
const base: KeyScopeInput = {
  own: [
    { agentId: 'ceo', address: 'ceo@mailgoat.ai', answer: success },
    { agentId: 'qa', address: 'qa@mailgoat.ai', answer: success },
  ],
  crossAgent: { keyOf: 'ceo', from: 'qa@mailgoat.ai', answer: refused },
  foreign: { keyOf: 'ceo', from: 'x@foreign-domain.invalid', answer: refused },
  agentCount: 13,
};
const run = (over: Partial<KeyScopeInput> = {}) => checkKeyScope({ ...base, ...over });

describe('checkKeyScope', () => {
  it('passes keys that send as their agent only', () => {
    const verdict = run();
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      "2/2 keys may send as their own agent; ceo's key may not send as qa@mailgoat.ai (error UnauthenticatedFromAddress); From x@foreign-domain.invalid refused (error UnauthenticatedFromAddress)",
    );
  });

  it('warns that Postal keys are server-wide, with the consequence for every agent and the options', () => {
    const verdict = run({ crossAgent: { ...base.crossAgent!, answer: success } });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(
      "Postal's API keys are server-wide: ceo's key sends as qa@mailgoat.ai — any one of the 13 agents' keys sends as every agent (and any address of the domain), so one leaked key impersonates all 13",
    );
    expect(verdict.remediation).toMatch(/no per-address key scope.*sending proxy/);
  });

  it('fails a key that sends From a foreign domain (use_for_any) and a key that cannot send as its agent', () => {
    const foreign = run({ foreign: { ...base.foreign!, answer: success } });
    expect(foreign.outcome).toBe('fail');
    expect(foreign.summary).toMatch(/^ceo's API key may send From x@foreign-domain\.invalid, a domain the server does not own/);
    expect(foreign.remediation).toMatch(/use_for_any/);
    const own = run({ own: [{ agentId: 'qa', address: 'qa@mailgoat.ai', answer: refused }] });
    expect(own.summary).toBe('the API key of qa cannot send as qa@mailgoat.ai: error UnauthenticatedFromAddress');
    expect(run({ own: [{ agentId: 'qa', address: 'qa@mailgoat.ai', answer: { error: 'timeout' } }] }).summary).toMatch(/: timeout$/);
    expect(run({ own: [{ agentId: 'qa', address: 'qa@mailgoat.ai', answer: {} }] }).summary).toMatch(/: no answer$/);
    expect(run({ own: [] }).summary).toBe('no API key was asked whether it may send');
  });

  it('warns when the test made messages although no recipient was given', () => {
    expect(run({ own: [{ agentId: 'qa', address: 'qa@mailgoat.ai', answer: { ...success, created: 1 } }] }).summary).toBe(
      'the send test made 1 message(s) although no recipient was given',
    );
  });
});
