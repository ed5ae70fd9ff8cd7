/**
 * INF-06's second half — what each agent's API key may send, asked of Postal side-effect free: `send/raw`
 * with an empty `rcpt_to` runs Postal's From check (find_authenticated_domain_from_headers) and creates no
 * message. Each key must be able to send as its own agent; a key that sends From a foreign domain is a
 * FAIL; and, Postal's keys being server-wide, one agent's key sending as another agent is a WARN with the
 * consequence for the whole team and the options.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface SendAnswer {
  /** Postal's status ("success", "error", "parameter-error"), absent when no answer came */
  status?: string;
  code?: string;
  /** messages Postal created (0 for an empty rcpt_to) */
  created?: number;
  error?: string;
}

export interface KeyScopeInput {
  /** per agent whose key authenticated: sending From its own address */
  own: Array<{ agentId: string; address: string; answer: SendAnswer }>;
  /** one agent's key sending From another agent's address */
  crossAgent?: { keyOf: string; from: string; answer: SendAnswer };
  /** one agent's key sending From a domain the server does not own */
  foreign?: { keyOf: string; from: string; answer: SendAnswer };
  /** how many agents share the server (the consequence of a server-wide key) */
  agentCount: number;
}

const said = (a: SendAnswer): string => a.error ?? ([a.status, a.code].filter(Boolean).join(' ') || 'no answer');
const ok = (a: SendAnswer): boolean => a.status === 'success';

export function checkKeyScope(input: KeyScopeInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  if (input.own.length === 0)
    findings.push(fail('no API key was asked whether it may send', 'Ask each authenticated key to send as its agent and check again'));
  for (const o of input.own) {
    if (!ok(o.answer)) {
      findings.push(
        fail(
          `the API key of ${o.agentId} cannot send as ${o.address}: ${said(o.answer)}`,
          `Postal accepts a From only on a verified domain of the key's mail server: verify the domain of ${o.address} on that server (Domains → DNS check) and make sure the key belongs to it`,
        ),
      );
    }
  }
  const created = [...input.own.map((o) => o.answer), input.crossAgent?.answer, input.foreign?.answer].reduce(
    (n, a) => n + (a?.created ?? 0),
    0,
  );
  if (created > 0)
    findings.push(
      warn(
        `the send test made ${created} message(s) although no recipient was given`,
        'Report it: Postal 3.3.2 creates none for an empty rcpt_to',
      ),
    );
  const f = input.foreign;
  if (f && ok(f.answer)) {
    findings.push(
      fail(
        `${f.keyOf}'s API key may send From ${f.from}, a domain the server does not own: every key can send as any domain from this server's IP`,
        'Postal accepts any From only when a domain of the server is marked "use for any" (Domain#use_for_any, app/models/server.rb): clear it, so only the verified domain authenticates',
      ),
    );
  }
  const x = input.crossAgent;
  if (x && ok(x.answer)) {
    findings.push(
      warn(
        `Postal's API keys are server-wide: ${x.keyOf}'s key sends as ${x.from} — any one of the ${input.agentCount} agents' keys sends as every agent (and any address of the domain), so one leaked key impersonates all ${input.agentCount}`,
        "Postal 3.3.2 has no per-address key scope. Options: treat the keys as one secret (rotate all of them when one leaks, keep them in each agent's config only); put a small sending proxy in front of the API that holds the keys and lets each agent send only From its own address; audit with the credential Postal records on each message",
      ),
    );
  }
  const sent = input.own.filter((o) => ok(o.answer)).length;
  return verdictFrom({
    findings,
    passSummary: `${sent}/${input.own.length} keys may send as their own agent${x ? `; ${x.keyOf}'s key may not send as ${x.from} (${said(x.answer)})` : ''}${f ? `; From ${f.from} refused (${said(f.answer)})` : ''}`,
    expected: 'each key sends as its agent; none From a foreign domain',
    observed: `${sent}/${input.own.length} send as their agent${x ? `; cross-agent: ${said(x.answer)}` : ''}${f ? `; foreign: ${said(f.answer)}` : ''}`,
    evidence: [
      {
        label: 'send as own agent (send/raw, no recipient)',
        detail: input.own.map((o) => ({ agentId: o.agentId, answer: said(o.answer) })),
      },
      ...(x ? [{ label: `${x.keyOf}'s key From ${x.from}`, detail: { answer: said(x.answer) } }] : []),
      ...(f ? [{ label: `${f.keyOf}'s key From ${f.from}`, detail: { answer: said(f.answer) } }] : []),
    ],
  });
}
