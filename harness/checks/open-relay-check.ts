/**
 * SEC-01 — not an open relay: every unauthenticated attempt to hand the server mail from an
 * outside sender to an outside recipient must be refused at RCPT TO with a permanent 5xx (Postal
 * answers `530 Authentication required`). Accepting it (2xx) is an open relay; a 4xx is only a
 * deferral a spammer can retry; refusing only after DATA still lets the envelope through.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import { scrubSecrets } from './secret-scrub.ts';
import type { Verdict } from './verdict.ts';

export interface RelayAttempt {
  from: string;
  to: string;
  /** The last SMTP stage the attempt reached: the reply at RCPT TO, or at the end of DATA when RCPT was accepted. */
  stage: 'rcpt' | 'data';
  code: number;
  reply: string;
}

export interface OpenRelayInput {
  attempts: RelayAttempt[];
}

const RELAY_FIX =
  'Postal relays only for authenticated clients and SMTP-IP credentials: remove any SMTP-IP credential that covers the tester (e.g. 0.0.0.0/0), and make sure no other MTA (Postfix, a proxy) answers on port 25';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * The recipient domains the server takes as its own: every attempt to them was accepted at RCPT while an attempt
 * to another domain was refused there with 5xx. Postal accepts any address that has a Route as incoming mail
 * (client.rb rcpt_to: Route.find_by_name_and_domain) before it asks for authentication, so a foreign domain
 * added to Postal with a route is taken in, not relayed — a relay would have taken the other domain too.
 */
function domainsTakenAsLocal(attempts: RelayAttempt[]): Map<string, RelayAttempt> {
  const local = new Map<string, RelayAttempt>();
  for (const a of attempts) {
    const domain = domainOf(a.to);
    const toDomain = attempts.filter((b) => domainOf(b.to) === domain);
    const refusedElsewhere = attempts.find((b) => domainOf(b.to) !== domain && b.stage === 'rcpt' && b.code >= 500 && b.code < 600);
    if (refusedElsewhere && toDomain.every((b) => b.stage === 'rcpt' && b.code >= 200 && b.code < 300)) local.set(domain, refusedElsewhere);
  }
  return local;
}

export function checkOpenRelay(input: OpenRelayInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const describe = (a: RelayAttempt) => `${a.from} → ${a.to}`;

  const takenAsLocal = domainsTakenAsLocal(input.attempts);
  const said = new Set<string>();
  const say = (a: RelayAttempt) => {
    const text = scrubSecrets(a.reply).trim();
    return text.startsWith(String(a.code)) ? text : `${a.code} ${text}`.trim();
  };
  if (input.attempts.length === 0) findings.push(fail('no relay attempt was made', 'Try an unauthenticated relay (outside sender → outside recipient) and check again'));
  for (const a of input.attempts) {
    // The reply text may carry its code already ("250 OK"): say it once.
    const reply = say(a);
    const refusedElsewhere = takenAsLocal.get(domainOf(a.to));
    // A code outside 200–599 is judged first, whatever the stage: it says nothing about relaying.
    if (a.code < 200 || a.code >= 600) {
      findings.push(fail(`${describe(a)} got a reply that is not SMTP (${reply})`, 'Check what answers on port 25 (INF-02)'));
    } else if (a.code < 400 && refusedElsewhere) {
      // Said once per domain, whichever sender tried it.
      const domain = domainOf(a.to);
      if (said.has(domain)) continue;
      said.add(domain);
      findings.push(
        fail(
          `${describe(a)} was accepted at RCPT (${reply}) while ${refusedElsewhere.to} was refused (${say(refusedElsewhere)}): the server takes ${domain} as one of its own domains (it does not relay for everyone, it keeps ${domain}'s mail)`,
          `Remove ${domain} from Postal (the domain, or the Route for ${a.to} or "*" on it): Postal accepts any address with a Route as incoming mail and hands it to that route's endpoint instead of ${domain}'s real mailboxes; only the domains you own belong on the mail server`,
        ),
      );
    } else if (a.code < 400) {
      findings.push(fail(`open relay: ${describe(a)} was accepted at ${a.stage.toUpperCase()} (${reply})`, RELAY_FIX));
    } else if (a.code < 500) {
      findings.push(warn(`${describe(a)} was only deferred at ${a.stage.toUpperCase()} (${reply}); a retry might be relayed`, `Make the server refuse relaying with a permanent 5xx at RCPT TO. ${RELAY_FIX}`));
    } else if (a.stage === 'data') {
      // Only 5xx is left: refused, but after the envelope was accepted.
      findings.push(warn(`${describe(a)} was accepted at RCPT and refused only after DATA (${reply})`, `Refuse relay recipients at RCPT TO, before any data is taken. ${RELAY_FIX}`));
    }
  }

  return verdictFrom({
    findings,
    passSummary: `${input.attempts.length} relay attempt${input.attempts.length === 1 ? '' : 's'} refused at RCPT TO (${[...new Set(input.attempts.map((a) => a.code))].join(', ')})`,
    expected: 'every unauthenticated outside → outside attempt refused at RCPT TO with 5xx',
    observed: input.attempts.map((a) => `${a.stage.toUpperCase()} ${a.code}`).join(', ') || 'no attempts',
    evidence: input.attempts.map((a) => ({ label: `relay ${describe(a)}`, detail: { from: a.from, to: a.to, stage: a.stage, code: a.code, reply: scrubSecrets(a.reply) } })),
  });
}
