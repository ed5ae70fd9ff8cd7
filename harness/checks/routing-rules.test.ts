// Routing: each route class with its exact finding and fix, and the routing table as evidence.
import { describe, expect, it } from 'vitest';
import { checkRouting, type RoutingDelivery } from './routing-check.ts';

const agents = [
  { agentId: 'ceo', address: 'CEO@mailgoat.ai' },
  { agentId: 'dev1', address: 'dev1@mailgoat.ai' },
];
const ok: RoutingDelivery[] = [
  { sentTo: 'ceo@mailgoat.ai', expectedAgentId: 'ceo', arrivedAt: ['ceo'], elapsedMs: 120 },
  { sentTo: 'dev1@mailgoat.ai', expectedAgentId: 'dev1', arrivedAt: ['dev1'] },
  { sentTo: 'nobody@mailgoat.ai', expectedAgentId: 'ceo', arrivedAt: ['ceo'] },
];
const run = (deliveries: RoutingDelivery[]) => checkRouting({ agents, catchAllAgentId: 'ceo', deliveries });
const withThird = (third: RoutingDelivery) => run([ok[0]!, ok[1]!, third]);
const withDev1 = (dev1: RoutingDelivery) => run([ok[0]!, dev1, ok[2]!]);

describe('checkRouting', () => {
  it('passes with exact texts and the routing table', () => {
    expect(run(ok)).toEqual({
      outcome: 'pass',
      summary: '2/2 addresses reached their own inbox; 1 unknown address reached the catch-all ceo',
      expected: 'each of 2 addresses → its own inbox; unknown → ceo',
      observed: '2 own inbox, 1 catch-all, 0 misrouted, 0 missing',
      evidence: [
        {
          label: 'routing table',
          detail: [
            { address: 'ceo@mailgoat.ai', expected: 'ceo', arrivedAt: ['ceo'], route: 'own inbox', elapsedMs: 120 },
            { address: 'dev1@mailgoat.ai', expected: 'dev1', arrivedAt: ['dev1'], route: 'own inbox' },
            { address: 'nobody@mailgoat.ai', expected: 'ceo', arrivedAt: ['ceo'], route: 'catch-all' },
          ],
        },
      ],
    });
    expect(run([...ok, { sentTo: 'x@mailgoat.ai', expectedAgentId: 'ceo', arrivedAt: ['ceo'] }]).summary).toBe(
      '2/2 addresses reached their own inbox; 2 unknown addresses reached the catch-all ceo',
    );
  });

  it('fails an untested agent and an untested catch-all, with exact fixes', () => {
    const verdict = run([ok[0]!]);
    expect(verdict.summary).toBe(
      'dev1@mailgoat.ai was not tested; no address outside the agent list was tested, so the catch-all is unproven',
    );
    expect(verdict.remediation).toBe(
      'Send a probe to dev1@mailgoat.ai and check again; Send a probe to an unknown local part and check it lands with ceo',
    );
  });

  it('fails a probe refused when it was sent, naming what refused it', () => {
    const known = withDev1({ sentTo: 'dev1@mailgoat.ai', expectedAgentId: 'dev1', arrivedAt: [], error: 'error ServerSuspended' });
    expect(known.summary).toBe('the probe to dev1@mailgoat.ai was never sent: the mail server is suspended in Postal (ServerSuspended)');
    expect(known.remediation).toBe('Unsuspend the mail server (Postal admin → the organization → the mail server), then send again');
    expect(known.observed).toBe('1 own inbox, 1 catch-all, 0 misrouted, 1 missing');
    expect((known.evidence[0]?.detail as Array<{ route: string; error?: string }>)[1]).toEqual({
      address: 'dev1@mailgoat.ai',
      expected: 'dev1',
      arrivedAt: [],
      route: 'not sent',
      error: 'error ServerSuspended',
    });
  });

  it('fails mail that reached no inbox, even when sending reported an error after arrival', () => {
    const missing = withDev1({ sentTo: 'dev1@mailgoat.ai', expectedAgentId: 'dev1', arrivedAt: [] });
    expect(missing.summary).toBe(
      "mail to dev1@mailgoat.ai reached no inbox (expected dev1): Postal's record of the message could not be read",
    );
    expect(missing.remediation).toBe(
      "Look the message up in Postal's web UI (the mail server → Messages): its status and deliveries say where it stopped on the way to dev1@mailgoat.ai",
    );
    expect(missing.observed).toBe('1 own inbox, 1 catch-all, 0 misrouted, 1 missing');
    expect(
      withDev1({ sentTo: 'dev1@mailgoat.ai', expectedAgentId: 'dev1', arrivedAt: ['dev1'], error: 'timeout after DATA' }).outcome,
    ).toBe('pass');
  });

  it('fails an unknown address that missed the catch-all', () => {
    const verdict = withThird({ sentTo: 'nobody@mailgoat.ai', expectedAgentId: 'ceo', arrivedAt: ['dev1'] });
    expect(verdict.summary).toBe('mail to the unknown address nobody@mailgoat.ai landed with dev1, not the catch-all ceo');
    expect(verdict.remediation).toBe('Point the catch-all Route "*" at the HTTP endpoint of ceo (CEO@mailgoat.ai)');
    expect(
      checkRouting({
        agents,
        catchAllAgentId: 'team',
        deliveries: [ok[0]!, ok[1]!, { sentTo: 'x@mailgoat.ai', expectedAgentId: 'team', arrivedAt: ['ceo'] }],
      }).remediation,
    ).toBe('Point the catch-all Route "*" at the HTTP endpoint of team (team)');
  });

  it('fails a known address that landed elsewhere: with the catch-all, or with another agent', () => {
    const caught = withDev1({ sentTo: 'dev1@mailgoat.ai', expectedAgentId: 'dev1', arrivedAt: ['ceo'] });
    expect(caught.summary).toBe('mail to dev1@mailgoat.ai landed with ceo, not dev1');
    expect(caught.remediation).toBe(
      'Either the Route "dev1" is missing (the catch-all "*" takes its mail) or it points at ceo\'s endpoint: create the Route "dev1", or point it, at the HTTP endpoint of dev1\'s inbox',
    );
    expect(caught.observed).toBe('1 own inbox, 1 catch-all, 1 misrouted, 0 missing');
    const other = run([{ sentTo: 'ceo@mailgoat.ai', expectedAgentId: 'ceo', arrivedAt: ['dev1'] }, ok[1]!, ok[2]!]);
    expect(other.remediation).toBe('In Postal, make the Route "ceo" point at the HTTP endpoint of ceo\'s inbox');
  });

  it('fails a leak to another inbox even when the right one got the mail too', () => {
    const verdict = withDev1({ sentTo: 'dev1@mailgoat.ai', expectedAgentId: 'dev1', arrivedAt: ['dev1', 'ceo'] });
    expect(verdict.summary).toBe("mail to dev1@mailgoat.ai also landed with ceo: another agent can read dev1's mail");
    expect(verdict.remediation).toBe(
      'Remove the extra Route or endpoint that copies dev1@mailgoat.ai to ceo, and check no two agents share an inbox endpoint URL',
    );
    const unknownLeak = withThird({ sentTo: 'nobody@mailgoat.ai', expectedAgentId: 'ceo', arrivedAt: ['ceo', 'dev1'] });
    expect(unknownLeak.summary).toBe("mail to nobody@mailgoat.ai also landed with dev1: another agent can read ceo's mail");
  });
});
