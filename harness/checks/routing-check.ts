/**
 * INF-05 — every agent address reaches its own agent's inbox and only it, and an address nobody
 * owns lands with the catch-all. The client sends one token-tagged message per address and
 * records which inboxes hold the token; this check compares that to the plan. Mail that lands in
 * the wrong inbox is a privacy problem, not just a delivery one, so a leak fails even if the right inbox got it too.
 */
import { fail, type Finding, verdictFrom } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface RoutingAgent {
  agentId: string;
  address: string;
}

export interface RoutingDelivery {
  sentTo: string;
  expectedAgentId: string;
  /** Agent ids whose inbox holds this delivery's token. */
  arrivedAt: string[];
  /** Send to first arrival in the expected inbox. */
  elapsedMs?: number;
  /** Why the message could not be sent (SMTP/API refusal). */
  error?: string;
  /** What Postal's own record says of a message that was sent but never arrived (messages/deliveries). */
  postalDelivery?: string;
}

export interface RoutingCheckInput {
  agents: RoutingAgent[];
  catchAllAgentId: string;
  deliveries: RoutingDelivery[];
  /** Inboxes that could not be read at the last look, and why: a missing message there is unproven, not lost. */
  readerErrors?: Record<string, string>;
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
    findings.push(fail('no address outside the agent list was tested, so the catch-all is unproven', `Send a probe to an unknown local part and check it lands with ${catchAll}`));
  }

  for (const d of input.deliveries) {
    const known = byAddress.has(d.sentTo.toLowerCase());
    const arrived = [...new Set(d.arrivedAt)];
    const others = arrived.filter((id) => id !== d.expectedAgentId);
    const reachedOwn = arrived.includes(d.expectedAgentId);
    const route: RoutingRow['route'] = d.error && arrived.length === 0 ? 'not sent' : arrived.length === 0 ? 'missing' : others.length > 0 || !reachedOwn ? 'misrouted' : known ? 'own inbox' : 'catch-all';
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
    if (route === 'not sent') {
      findings.push(fail(`the probe to ${d.sentTo} was refused: ${d.error}`, known ? `Create the Route "${local}" for ${d.sentTo} (Postal refuses RCPT for an address without a route)` : `Create the catch-all Route "*" to ${catchAll}'s endpoint`));
    } else if (route === 'missing' && input.readerErrors?.[d.expectedAgentId]) {
      findings.push(fail(`${d.expectedAgentId}'s inbox could not be read, so mail to ${d.sentTo} is unproven: ${input.readerErrors[d.expectedAgentId]}`, `Make ${d.expectedAgentId}'s inbox listing reachable (INBOX_LIST_COMMAND, or the inbox service) and check again`));
    } else if (route === 'missing') {
      findings.push(
        fail(
          `mail to ${d.sentTo} reached no inbox (expected ${d.expectedAgentId})${d.postalDelivery ? `; Postal's record: ${d.postalDelivery}` : ''}`,
          `Check the message's status in Postal (messages/message, messages/deliveries: Held, SoftFail, HardFail) and that ${d.expectedAgentId}'s inbox endpoint answers 2xx`,
        ),
      );
    } else if (!known && !reachedOwn) {
      findings.push(fail(`mail to the unknown address ${d.sentTo} landed with ${others.join(', ')}, not the catch-all ${catchAll}`, `Point the catch-all Route "*" at the HTTP endpoint of ${catchAll} (${agentAddress(catchAll)})`));
    } else if (!reachedOwn) {
      const atCatchAll = others.includes(catchAll);
      findings.push(
        fail(
          `mail to ${d.sentTo} landed with ${others.join(', ')}, not ${d.expectedAgentId}`,
          atCatchAll ? `Create the Route "${local}" to ${d.expectedAgentId}'s inbox endpoint (without it the catch-all "*" takes the mail)` : endpointFix,
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

  const own = rows.filter((r) => r.route === 'own inbox').length;
  const caught = rows.filter((r) => r.route === 'catch-all').length;
  return verdictFrom({
    findings,
    passSummary: `${own}/${input.agents.length} addresses reached their own inbox; ${caught} unknown address${caught === 1 ? '' : 'es'} reached the catch-all ${catchAll}`,
    expected: `each of ${input.agents.length} addresses → its own inbox; unknown → ${catchAll}`,
    observed: `${own} own inbox, ${caught} catch-all, ${rows.filter((r) => r.route === 'misrouted').length} misrouted, ${rows.filter((r) => r.route === 'missing' || r.route === 'not sent').length} missing`,
    evidence: [{ label: 'routing table', detail: rows }, ...(Object.keys(input.readerErrors ?? {}).length ? [{ label: 'inboxes that could not be read', detail: input.readerErrors }] : [])],
  });
}
