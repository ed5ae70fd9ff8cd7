import { describe, expect, it } from 'vitest';
import { checkRouting, type RoutingCheckInput, type RoutingDelivery } from './routing-check.ts';

const ids = ['ceo', 'dev1', 'qa', 'team'];
const agents = ids.map((agentId) => ({ agentId, address: `${agentId}@mailgoat.ai` }));
const ok = (id: string): RoutingDelivery => ({ sentTo: `${id}@mailgoat.ai`, expectedAgentId: id, arrivedAt: [id], elapsedMs: 120 });
const unknown: RoutingDelivery = { sentTo: 'nobody-x1@mailgoat.ai', expectedAgentId: 'team', arrivedAt: ['team'], elapsedMs: 140 };
const good: RoutingCheckInput = { agents, catchAllAgentId: 'team', deliveries: [...ids.map(ok), unknown] };
const replace = (id: string, d: Partial<RoutingDelivery>): RoutingCheckInput => ({
  ...good,
  deliveries: good.deliveries.map((x) => (x.sentTo === `${id}@mailgoat.ai` ? { ...x, ...d } : x)),
});

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
    expect(verdict.remediation).toBe(
      'Either the Route "dev1" is missing (the catch-all "*" takes its mail) or it points at team\'s endpoint: create the Route "dev1", or point it, at the HTTP endpoint of dev1\'s inbox',
    );
  });

  it('fails when two agents share an endpoint (mail leaks to another inbox)', () => {
    const verdict = checkRouting(replace('ceo', { arrivedAt: ['ceo', 'qa'] }));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/also landed with qa: another agent can read ceo's mail/);
  });

  it('fails when mail reached no inbox, or was refused', () => {
    const missing = checkRouting(replace('qa', { arrivedAt: [] }));
    expect(missing.summary).toBe("mail to qa@mailgoat.ai reached no inbox (expected qa): Postal's record of the message could not be read");
    const refused = checkRouting(replace('qa', { arrivedAt: [], error: 'error InvalidServerAPIKey' }));
    expect(refused.summary).toBe(
      "the probe to qa@mailgoat.ai was never sent: Postal refused the sender's API key (InvalidServerAPIKey): the message was never created",
    );
    expect(refused.observed).toMatch(/1 missing/);
    // An HTTP 500 from the API is Postal failing, not a missing route.
    const broken = checkRouting(replace('qa', { arrivedAt: [], error: 'no answer from the API: HTTP 500, not a Postal JSON answer' }));
    expect(broken.summary).toMatch(/server error \(HTTP 500\)/);
    expect(broken.remediation).toMatch(/postal-mariadb/);
    expect(broken.remediation).not.toMatch(/Create the Route/);
  });

  it('fails when the unknown address is not caught, or not tested; or an agent was not tested', () => {
    const lost = checkRouting({ ...good, deliveries: [...ids.map(ok), { ...unknown, arrivedAt: ['ceo'] }] });
    expect(lost.summary).toMatch(/unknown address nobody-x1@mailgoat\.ai landed with ceo, not the catch-all team/);
    expect(checkRouting({ ...good, deliveries: ids.map(ok) }).summary).toMatch(/catch-all is unproven/);
    expect(checkRouting({ ...good, deliveries: [ok('ceo'), unknown] }).summary).toMatch(/dev1@mailgoat\.ai was not tested/);
  });

  it("names the incoming leg's answer for mail Postal handed to its own MX, not the hand-over's 250", () => {
    const trail = {
      outgoing: {
        id: 3,
        direction: 'outgoing' as const,
        rcptTo: 'qa@mailgoat.ai',
        status: 'Sent',
        attempts: 1,
        details: 'Message for qa@mailgoat.ai accepted by mail.mailgoat.ai',
        output: '250 OK',
      },
      inbound: {
        id: 4,
        direction: 'incoming' as const,
        rcptTo: 'qa@mailgoat.ai',
        status: 'HardFail',
        attempts: 5,
        details: 'Received a 503 from http://127.0.0.40:3007/webhooks/postal',
      },
      inboundExpected: true,
    };
    const verdict = checkRouting(replace('qa', { arrivedAt: [], elapsedMs: undefined, trail }));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'mail to qa@mailgoat.ai reached no inbox (expected qa): the incoming message to qa@mailgoat.ai: http://127.0.0.40:3007/webhooks/postal answered HTTP 503 (HardFail)',
    );
  });

  it('names the missing catch-all when Postal refused the unknown address', () => {
    const trail = {
      outgoing: {
        id: 5,
        direction: 'outgoing' as const,
        status: 'HardFail',
        attempts: 1,
        details: 'Permanent SMTP delivery error when sending to mail.mailgoat.ai',
        output: '530 Authentication required',
      },
      inboundExpected: true,
    };
    const verdict = checkRouting({ ...good, deliveries: [...ids.map(ok), { ...unknown, arrivedAt: [], trail }] });
    expect(verdict.summary).toMatch(/^mail to the unknown address nobody-x1@mailgoat\.ai was refused: there is no catch-all route/);
    expect(verdict.remediation).toMatch(/^Create the catch-all Route "\*" on mailgoat\.ai pointing at team's inbox endpoint/);
  });

  it('fails mail that reached its inbox twice, and warns mail that arrived late (with its time)', () => {
    const twice = checkRouting(replace('dev1', { arrivedAt: ['dev1', 'dev1'] }));
    expect(twice.summary).toBe("mail to dev1@mailgoat.ai reached dev1's inbox 2 times");
    expect(twice.remediation).toMatch(/additional endpoint/);
    const late = checkRouting({ ...replace('qa', { elapsedMs: 21_000 }), deadlineMs: 15_000 });
    expect(late.outcome).toBe('warn');
    expect(late.summary).toBe('mail to qa@mailgoat.ai arrived late: after 21.0 s, the deadline is 15.0 s');
    expect(checkRouting({ ...replace('qa', { elapsedMs: 15_000 }), deadlineMs: 15_000 }).outcome).toBe('pass');
  });
  it('calls a probe in an unreadable inbox unproven, and only a missing one', () => {
    const readerErrors = { dev1: 'HTTP 500', qa: 'HTTP 502' };
    const verdict = checkRouting({ ...replace('dev1', { arrivedAt: [] }), readerErrors });
    expect(verdict.summary).toBe("dev1's inbox could not be read, so mail to dev1@mailgoat.ai is unproven: HTTP 500");
    expect(verdict.remediation).toBe("Make dev1's inbox listing reachable (INBOX_LIST_COMMAND, or the inbox service) and check again");
    expect(verdict.observed).toBe('3 own inbox, 1 catch-all, 0 misrouted, 1 missing');
    expect(verdict.evidence[1]).toEqual({ label: 'inboxes that could not be read', detail: readerErrors });
  });

  it('blames a missing catch-all route only for an unknown address', () => {
    const trail = {
      outgoing: {
        id: 5,
        direction: 'outgoing' as const,
        status: 'HardFail',
        attempts: 1,
        details: 'x',
        output: '530 Authentication required',
      },
      inboundExpected: true,
    };
    const verdict = checkRouting(replace('dev1', { arrivedAt: [], trail }));
    expect(verdict.summary).toMatch(/^mail to dev1@mailgoat\.ai reached no inbox \(expected dev1\)/);
  });

  it('counts a leak as misrouted and warns late only a probe that reached its own inbox', () => {
    expect(checkRouting(replace('ceo', { arrivedAt: ['ceo', 'qa'] })).observed).toBe('3 own inbox, 1 catch-all, 1 misrouted, 0 missing');
    const verdict = checkRouting({ ...replace('ceo', { arrivedAt: ['qa'], elapsedMs: 30_000 }), deadlineMs: 15_000 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('mail to ceo@mailgoat.ai landed with qa, not ceo');
  });
});
