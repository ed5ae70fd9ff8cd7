import { describe, expect, it } from 'vitest';
import { checkRouting, type RoutingCheckInput, type RoutingDelivery } from './routing-check.ts';

const ids = ['ceo', 'dev1', 'qa', 'team'];
const agents = ids.map((agentId) => ({ agentId, address: `${agentId}@mailgoat.ai` }));
const ok = (id: string): RoutingDelivery => ({ sentTo: `${id}@mailgoat.ai`, expectedAgentId: id, arrivedAt: [id], elapsedMs: 120 });
const unknown: RoutingDelivery = { sentTo: 'nobody-x1@mailgoat.ai', expectedAgentId: 'team', arrivedAt: ['team'], elapsedMs: 140 };
const good: RoutingCheckInput = { agents, catchAllAgentId: 'team', deliveries: [...ids.map(ok), unknown] };
const replace = (id: string, d: Partial<RoutingDelivery>): RoutingCheckInput => ({ ...good, deliveries: good.deliveries.map((x) => (x.sentTo === `${id}@mailgoat.ai` ? { ...x, ...d } : x)) });

describe('checkRouting', () => {
  it('passes when each address reaches its own inbox and the unknown one the catch-all', () => {
    const verdict = checkRouting(good);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('4/4 addresses reached their own inbox; 1 unknown address reached the catch-all team');
    expect((verdict.evidence[0]?.detail as unknown[]).length).toBe(5);
  });

  it('fails when an address falls through to the catch-all (missing route)', () => {
    const verdict = checkRouting(replace('dev1', { arrivedAt: ['team'] }));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('mail to dev1@mailgoat.ai landed with team, not dev1');
    expect(verdict.remediation).toMatch(/Create the Route "dev1"/);
  });

  it('fails when two agents share an endpoint (mail leaks to another inbox)', () => {
    const verdict = checkRouting(replace('ceo', { arrivedAt: ['ceo', 'qa'] }));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/also landed with qa: another agent can read ceo's mail/);
  });

  it('fails when mail reached no inbox, or was refused', () => {
    const missing = checkRouting(replace('qa', { arrivedAt: [] }));
    expect(missing.summary).toBe('mail to qa@mailgoat.ai reached no inbox (expected qa)');
    const refused = checkRouting(replace('qa', { arrivedAt: [], error: '550 Route not found' }));
    expect(refused.summary).toBe('the probe to qa@mailgoat.ai was refused: 550 Route not found');
    expect(refused.observed).toMatch(/1 missing/);
  });

  it('fails when the unknown address is not caught, or not tested; or an agent was not tested', () => {
    const lost = checkRouting({ ...good, deliveries: [...ids.map(ok), { ...unknown, arrivedAt: ['ceo'] }] });
    expect(lost.summary).toMatch(/unknown address nobody-x1@mailgoat\.ai landed with ceo, not the catch-all team/);
    expect(checkRouting({ ...good, deliveries: ids.map(ok) }).summary).toMatch(/catch-all is unproven/);
    expect(checkRouting({ ...good, deliveries: [ok('ceo'), unknown] }).summary).toMatch(/dev1@mailgoat\.ai was not tested/);
  });

  it("never calls a message refused that Postal sent: one that never arrived says what Postal's record shows", () => {
    const verdict = checkRouting(replace('qa', { arrivedAt: [], elapsedMs: undefined, postalDelivery: 'Sent after 1 attempt: accepted by mail.mailgoat.ai (250 OK)' }));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe("mail to qa@mailgoat.ai reached no inbox (expected qa); Postal's record: Sent after 1 attempt: accepted by mail.mailgoat.ai (250 OK)");
  });
});
