/**
 * INF-05 — every agent address reaches its own agent's inbox and only it, and an address nobody
 * owns lands with the catch-all. The client sends one token-tagged message per address and
 * records which inboxes hold the token; this check compares that to the plan. Mail that lands in
 * the wrong inbox is a privacy problem, not just a delivery one, so a leak fails even if the right inbox got it too.
 */
import { describeTrail, sendErrorCause, trailCause, type PostalTrail } from './delivery-causes.ts';
import { collectFindings, fail, type Finding, verdictFrom, warn } from './findings.ts';
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

/** One probe and where its token was found. */
interface Probe {
  delivery: RoutingDelivery;
  /** The address is one of the agents' (else it is for the catch-all). */
  known: boolean;
  /** Agent ids whose inbox holds the token, each once. */
  arrived: string[];
  /** Those other than the expected agent. */
  others: string[];
  reachedOwn: boolean;
  route: RoutingRow['route'];
}

/** What the probe rules read besides the probe. */
interface RoutingContext {
  catchAll: string;
  readerErrors: Record<string, string> | undefined;
  /** An agent's address, for naming it in a remediation. */
  agentAddress: (id: string) => string;
}

function probeOf(d: RoutingDelivery, byAddress: Map<string, RoutingAgent>): Probe {
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
  return { delivery: d, known, arrived, others, reachedOwn, route };
}

function routingRow({ delivery: d, arrived, route }: Probe): RoutingRow {
  return {
    address: d.sentTo,
    expected: d.expectedAgentId,
    arrivedAt: arrived,
    route,
    ...(d.elapsedMs !== undefined ? { elapsedMs: d.elapsedMs } : {}),
    ...(d.error ? { error: d.error } : {}),
  };
}

/** Rule: every agent address was probed. */
function untestedAgents(input: RoutingCheckInput): Finding[] {
  return input.agents
    .filter((agent) => !input.deliveries.some((d) => d.sentTo.toLowerCase() === agent.address.toLowerCase()))
    .map((agent) => fail(`${agent.address} was not tested`, `Send a probe to ${agent.address} and check again`));
}

/** Rule: an address nobody owns was probed, so the catch-all is tested. */
function catchAllUntested(input: RoutingCheckInput, byAddress: Map<string, RoutingAgent>): Finding | undefined {
  if (input.deliveries.some((d) => !byAddress.has(d.sentTo.toLowerCase()))) return undefined;
  return fail(
    'no address outside the agent list was tested, so the catch-all is unproven',
    `Send a probe to an unknown local part and check it lands with ${input.catchAllAgentId}`,
  );
}

/** Rule: the probe was accepted when it was sent. */
function probeNotSent({ delivery: d, route }: Probe): Finding | undefined {
  if (route !== 'not sent') return undefined;
  const cause = sendErrorCause(d.error!, { to: d.sentTo });
  return fail(`the probe to ${d.sentTo} was never sent: ${cause.cause}`, cause.remediation);
}

/** Rule: a missing probe whose inbox could not be read is unproven, not lost. */
function inboxUnread({ delivery: d, route }: Probe, { readerErrors }: RoutingContext): Finding | undefined {
  if (route !== 'missing' || !readerErrors?.[d.expectedAgentId]) return undefined;
  return fail(
    `${d.expectedAgentId}'s inbox could not be read, so mail to ${d.sentTo} is unproven: ${readerErrors[d.expectedAgentId]}`,
    `Make ${d.expectedAgentId}'s inbox listing reachable (INBOX_LIST_COMMAND, or the inbox service) and check again`,
  );
}

/** Rule: mail to an unknown address is not refused for want of a catch-all route. */
function noCatchAllRoute({ delivery: d, route, known }: Probe, { catchAll }: RoutingContext): Finding | undefined {
  const record = describeTrail(d.trail);
  if (route !== 'missing' || known || !/\b530\b|Authentication required|does not have a route/i.test(record ?? '')) return undefined;
  return fail(
    `mail to the unknown address ${d.sentTo} was refused: there is no catch-all route (Postal's record: ${record})`,
    `Create the catch-all Route "*" on ${d.sentTo.split('@')[1]} pointing at ${catchAll}'s inbox endpoint: without it Postal's SMTP server refuses every unknown address with "530 Authentication required"`,
  );
}

/** Rule: the probe reached an inbox (else why not, from Postal's record). */
function reachedNoInbox({ delivery: d, route }: Probe): Finding | undefined {
  if (route !== 'missing') return undefined;
  const cause = trailCause(d.trail, { to: d.sentTo, agent: d.expectedAgentId });
  return fail(`mail to ${d.sentTo} reached no inbox (expected ${d.expectedAgentId}): ${cause.cause}`, cause.remediation);
}

/** Rule: mail to an unknown address lands with the catch-all. */
function catchAllMisrouted(
  { delivery: d, known, reachedOwn, others }: Probe,
  { catchAll, agentAddress }: RoutingContext,
): Finding | undefined {
  if (known || reachedOwn) return undefined;
  return fail(
    `mail to the unknown address ${d.sentTo} landed with ${others.join(', ')}, not the catch-all ${catchAll}`,
    `Point the catch-all Route "*" at the HTTP endpoint of ${catchAll} (${agentAddress(catchAll)})`,
  );
}

/** Rule: mail to an agent's address lands in that agent's inbox. */
function misrouted({ delivery: d, reachedOwn, others }: Probe, { catchAll }: RoutingContext): Finding | undefined {
  if (reachedOwn) return undefined;
  const local = d.sentTo.split('@')[0] ?? d.sentTo;
  return fail(
    `mail to ${d.sentTo} landed with ${others.join(', ')}, not ${d.expectedAgentId}`,
    others.includes(catchAll)
      ? `Either the Route "${local}" is missing (the catch-all "*" takes its mail) or it points at ${catchAll}'s endpoint: create the Route "${local}", or point it, at the HTTP endpoint of ${d.expectedAgentId}'s inbox`
      : `In Postal, make the Route "${local}" point at the HTTP endpoint of ${d.expectedAgentId}'s inbox`,
  );
}

/** Rule: no other agent's inbox gets a copy (a leak fails even when the right inbox got it too). */
function leaked({ delivery: d, others }: Probe): Finding | undefined {
  if (others.length === 0) return undefined;
  return fail(
    `mail to ${d.sentTo} also landed with ${others.join(', ')}: another agent can read ${d.expectedAgentId}'s mail`,
    `Remove the extra Route or endpoint that copies ${d.sentTo} to ${others.join(', ')}, and check no two agents share an inbox endpoint URL`,
  );
}

/** The first of the route rules that fails the probe: at most one finding per probe. */
function routeFinding(probe: Probe, context: RoutingContext): Finding | undefined {
  return (
    probeNotSent(probe) ??
    inboxUnread(probe, context) ??
    noCatchAllRoute(probe, context) ??
    reachedNoInbox(probe) ??
    catchAllMisrouted(probe, context) ??
    misrouted(probe, context) ??
    leaked(probe)
  );
}

/** Rule: the expected inbox holds one copy. */
function deliveredTwice(d: RoutingDelivery): Finding | undefined {
  const copies = d.arrivedAt.filter((id) => id === d.expectedAgentId).length;
  if (copies <= 1) return undefined;
  return fail(
    `mail to ${d.sentTo} reached ${d.expectedAgentId}'s inbox ${copies} times`,
    `The route "${d.sentTo.split('@')[0]}" delivers each message more than once: remove the additional endpoint (or second HTTP endpoint with the same URL) on it in Postal (Routes → the route → Additional endpoints); Postal makes one message per endpoint`,
  );
}

/** Rule: the expected inbox got it within the deadline (late is warned, not lost). */
function arrivedLate(d: RoutingDelivery, deadlineMs: number | undefined): Finding | undefined {
  if (deadlineMs === undefined || d.elapsedMs === undefined || d.elapsedMs <= deadlineMs || !d.arrivedAt.includes(d.expectedAgentId))
    return undefined;
  return warn(
    `mail to ${d.sentTo} arrived late: after ${(d.elapsedMs / 1000).toFixed(1)} s, the deadline is ${(deadlineMs / 1000).toFixed(1)} s`,
    'Late, not lost: the route is right; PERF-02 judges the delay (a slow queue or a slow inbox endpoint)',
  );
}

export function checkRouting(input: RoutingCheckInput): Verdict {
  const catchAll = input.catchAllAgentId;
  const byAddress = new Map(input.agents.map((a) => [a.address.toLowerCase(), a]));
  const context: RoutingContext = {
    catchAll,
    readerErrors: input.readerErrors,
    agentAddress: (id) => input.agents.find((a) => a.agentId === id)?.address ?? id,
  };
  const probes = input.deliveries.map((d) => probeOf(d, byAddress));
  const rows = probes.map(routingRow);
  const own = rows.filter((r) => r.route === 'own inbox').length;
  const caught = rows.filter((r) => r.route === 'catch-all').length;
  return verdictFrom({
    findings: collectFindings(
      untestedAgents(input),
      catchAllUntested(input, byAddress),
      ...probes.map((probe) => routeFinding(probe, context)),
      ...input.deliveries.map((d) => collectFindings(deliveredTwice(d), arrivedLate(d, input.deadlineMs))),
    ),
    passSummary: `${own}/${input.agents.length} addresses reached their own inbox; ${caught} unknown address${caught === 1 ? '' : 'es'} reached the catch-all ${catchAll}`,
    expected: `each of ${input.agents.length} addresses → its own inbox; unknown → ${catchAll}`,
    observed: `${own} own inbox, ${caught} catch-all, ${rows.filter((r) => r.route === 'misrouted').length} misrouted, ${rows.filter((r) => r.route === 'missing' || r.route === 'not sent').length} missing`,
    evidence: [
      { label: 'routing table', detail: rows },
      ...(Object.keys(input.readerErrors ?? {}).length ? [{ label: 'inboxes that could not be read', detail: input.readerErrors }] : []),
    ],
  });
}
