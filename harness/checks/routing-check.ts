/**
 * INF-05 — every agent address reaches its own agent's inbox and only it, and an address nobody
 * owns lands with the catch-all. The client sends one token-tagged message per address and
 * records which inboxes hold the token; this check compares that to the plan. Mail that lands in
 * the wrong inbox is a privacy problem, not just a delivery one, so a leak fails even if the right inbox got it too.
 */
import { describeTrail, sendErrorCause, trailCause, type PostalTrail } from './delivery-causes.ts';
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface RoutingAgent {
  agentId: string;
  address: string;
}

export interface RoutingDelivery {
  sentTo: string;
  expectedAgentId: string;
  /** Agent ids whose inbox holds this delivery's token: once per copy (twice in one inbox: delivered twice). */
  arrivedAt: string[];
  /** Send to first arrival in the expected inbox. */
  elapsedMs?: number;
  /** Why the message could not be sent (the API's refusal): it never existed. */
  error?: string;
  /** Postal's own record of a message that was sent but did not arrive by the deadline. */
  trail?: PostalTrail;
}

export interface RoutingCheckInput {
  agents: RoutingAgent[];
  catchAllAgentId: string;
  deliveries: RoutingDelivery[];
  /** Inboxes that could not be read at the last look, and why: a missing message there is unproven, not lost. */
  readerErrors?: Record<string, string>;
  /** The delivery deadline: a message that reached its inbox after it is late (warned, with its time), not lost. */
  deadlineMs?: number;
}

export interface RoutingRow {
  address: string;
  expected: string;
  arrivedAt: string[];
  route: 'own inbox' | 'catch-all' | 'misrouted' | 'missing' | 'not sent';
  elapsedMs?: number;
  error?: string;
}

export function checkRouting(input: RoutingCheckInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const catchAll = input.catchAllAgentId;
  const byAddress = new Map(input.agents.map((a) => [a.address.toLowerCase(), a]));
  const agentAddress = (id: string) => input.agents.find((a) => a.agentId === id)?.address ?? id;
  const rows: RoutingRow[] = [];

  for (const agent of input.agents) {
    if (!input.deliveries.some((d) => d.sentTo.toLowerCase() === agent.address.toLowerCase())) {
      findings.push(fail(`${agent.address} was not tested`, `Send a probe to ${agent.address} and check again`));
    }
  }
  const unknownProbes = input.deliveries.filter((d) => !byAddress.has(d.sentTo.toLowerCase()));
  if (unknownProbes.length === 0) {
    findings.push(
      fail(
        'no address outside the agent list was tested, so the catch-all is unproven',
        `Send a probe to an unknown local part and check it lands with ${catchAll}`,
      ),
    );
  }

  for (const d of input.deliveries) {
    const known = byAddress.has(d.sentTo.toLowerCase());
    const arrived = [...new Set(d.arrivedAt)];
    const others = arrived.filter((id) => id !== d.expectedAgentId);
    const reachedOwn = arrived.includes(d.expectedAgentId);
    const route: RoutingRow['route'] =
      d.error && arrived.length === 0
        ? 'not sent'
        : arrived.length === 0
          ? 'missing'
          : others.length > 0 || !reachedOwn
            ? 'misrouted'
            : known
              ? 'own inbox'
              : 'catch-all';
    rows.push({
      address: d.sentTo,
      expected: d.expectedAgentId,
      arrivedAt: arrived,
      route,
      ...(d.elapsedMs !== undefined ? { elapsedMs: d.elapsedMs } : {}),
      ...(d.error ? { error: d.error } : {}),
    });

    const local = d.sentTo.split('@')[0] ?? d.sentTo;
    const endpointFix = `In Postal, make the Route "${local}" point at the HTTP endpoint of ${d.expectedAgentId}'s inbox`;
    const record = describeTrail(d.trail);
    if (route === 'not sent') {
      const cause = sendErrorCause(d.error!, { to: d.sentTo });
      findings.push(fail(`the probe to ${d.sentTo} was never sent: ${cause.cause}`, cause.remediation));
    } else if (route === 'missing' && input.readerErrors?.[d.expectedAgentId]) {
      findings.push(
        fail(
          `${d.expectedAgentId}'s inbox could not be read, so mail to ${d.sentTo} is unproven: ${input.readerErrors[d.expectedAgentId]}`,
          `Make ${d.expectedAgentId}'s inbox listing reachable (INBOX_LIST_COMMAND, or the inbox service) and check again`,
        ),
      );
    } else if (route === 'missing' && !known && /\b530\b|Authentication required|does not have a route/i.test(record ?? '')) {
      findings.push(
        fail(
          `mail to the unknown address ${d.sentTo} was refused: there is no catch-all route (Postal's record: ${record})`,
          `Create the catch-all Route "*" on ${d.sentTo.split('@')[1]} pointing at ${catchAll}'s inbox endpoint: without it Postal's SMTP server refuses every unknown address with "530 Authentication required"`,
        ),
      );
    } else if (route === 'missing') {
      const cause = trailCause(d.trail, { to: d.sentTo, agent: d.expectedAgentId });
      findings.push(fail(`mail to ${d.sentTo} reached no inbox (expected ${d.expectedAgentId}): ${cause.cause}`, cause.remediation));
    } else if (!known && !reachedOwn) {
      findings.push(
        fail(
          `mail to the unknown address ${d.sentTo} landed with ${others.join(', ')}, not the catch-all ${catchAll}`,
          `Point the catch-all Route "*" at the HTTP endpoint of ${catchAll} (${agentAddress(catchAll)})`,
        ),
      );
    } else if (!reachedOwn) {
      const atCatchAll = others.includes(catchAll);
      findings.push(
        fail(
          `mail to ${d.sentTo} landed with ${others.join(', ')}, not ${d.expectedAgentId}`,
          atCatchAll
            ? `Either the Route "${local}" is missing (the catch-all "*" takes its mail) or it points at ${catchAll}'s endpoint: create the Route "${local}", or point it, at the HTTP endpoint of ${d.expectedAgentId}'s inbox`
            : endpointFix,
        ),
      );
    } else if (others.length > 0) {
      findings.push(
        fail(
          `mail to ${d.sentTo} also landed with ${others.join(', ')}: another agent can read ${d.expectedAgentId}'s mail`,
          `Remove the extra Route or endpoint that copies ${d.sentTo} to ${others.join(', ')}, and check no two agents share an inbox endpoint URL`,
        ),
      );
    }
  }

  for (const d of input.deliveries) {
    const copies = d.arrivedAt.filter((id) => id === d.expectedAgentId).length;
    if (copies > 1) {
      findings.push(
        fail(
          `mail to ${d.sentTo} reached ${d.expectedAgentId}'s inbox ${copies} times`,
          `The route "${d.sentTo.split('@')[0]}" delivers each message more than once: remove the additional endpoint (or second HTTP endpoint with the same URL) on it in Postal (Routes → the route → Additional endpoints); Postal makes one message per endpoint`,
        ),
      );
    }
    if (
      input.deadlineMs !== undefined &&
      d.elapsedMs !== undefined &&
      d.elapsedMs > input.deadlineMs &&
      d.arrivedAt.includes(d.expectedAgentId)
    ) {
      findings.push(
        warn(
          `mail to ${d.sentTo} arrived late: after ${(d.elapsedMs / 1000).toFixed(1)} s, the deadline is ${(input.deadlineMs / 1000).toFixed(1)} s`,
          'Late, not lost: the route is right; PERF-02 judges the delay (a slow queue or a slow inbox endpoint)',
        ),
      );
    }
  }

  const own = rows.filter((r) => r.route === 'own inbox').length;
  const caught = rows.filter((r) => r.route === 'catch-all').length;
  return verdictFrom({
    findings,
    passSummary: `${own}/${input.agents.length} addresses reached their own inbox; ${caught} unknown address${caught === 1 ? '' : 'es'} reached the catch-all ${catchAll}`,
    expected: `each of ${input.agents.length} addresses → its own inbox; unknown → ${catchAll}`,
    observed: `${own} own inbox, ${caught} catch-all, ${rows.filter((r) => r.route === 'misrouted').length} misrouted, ${rows.filter((r) => r.route === 'missing' || r.route === 'not sent').length} missing`,
    evidence: [
      { label: 'routing table', detail: rows },
      ...(Object.keys(input.readerErrors ?? {}).length ? [{ label: 'inboxes that could not be read', detail: input.readerErrors }] : []),
    ],
  });
}
