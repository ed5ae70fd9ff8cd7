/**
 * DNS-08 — the server's IP and the mail domain are on no DNS blocklist (what MXToolbox's blacklist check
 * and mail-tester's "you're not blocklisted" show). Each list is asked for its RFC 5782 test point too:
 * a list that does not list its own test point was not really asked (retired, unreachable, or it refuses
 * this resolver), and "not listed" there proves nothing. Refusal codes (Spamhaus's 127.255.255.x) and
 * answers outside 127/8 (a resolver that rewrites NXDOMAIN) are "could not check", never "clean".
 */
import type { Blocklist } from '../../core/dnsbl/blocklists.ts';
import type { DnsObservation } from './dns-observation.ts';
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface BlocklistLookup {
  list: Blocklist;
  /** The IP or domain looked up. */
  subject: string;
  /** A record of the listing name. */
  answer: DnsObservation;
  /** TXT of the listing name, when listed: the list's reason and removal link. */
  reason?: string[];
  /** A record of the list's RFC 5782 test point (must be listed). */
  testPoint: DnsObservation;
}

export interface BlocklistInput {
  lookups: BlocklistLookup[];
  /** The resolver the lists were asked through, for the evidence and the advice. */
  resolver: string;
}

type Status = { state: 'listed'; codes: string[] } | { state: 'clean' } | { state: 'unchecked'; why: string };

const isLoopbackCode = (address: string): boolean => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);

/** What one list says of the subject, judged with its test point. */
export function blocklistStatus(lookup: BlocklistLookup): Status {
  const { answer, testPoint, list } = lookup;
  const refusal = (answers: string[]): string | undefined => answers.map((a) => list.refusals?.[a]).find(Boolean);
  if (answer.status === 'error') return { state: 'unchecked', why: answer.error ?? 'no answer' };
  if (answer.status === 'ok' && answer.answers.length > 0) {
    const refused = refusal(answer.answers);
    if (refused) return { state: 'unchecked', why: `${refused} (${answer.answers.join(', ')})` };
    const foreign = answer.answers.filter((a) => !isLoopbackCode(a));
    if (foreign.length > 0)
      return {
        state: 'unchecked',
        why: `the resolver answered ${foreign.join(', ')}, not a 127.0.0.x listing code: it rewrites names that do not exist`,
      };
    return { state: 'listed', codes: answer.answers };
  }
  const testListed = testPoint.status === 'ok' && testPoint.answers.some(isLoopbackCode) && !refusal(testPoint.answers);
  if (!testListed) {
    const seen =
      testPoint.status === 'error'
        ? (testPoint.error ?? 'no answer')
        : testPoint.answers.length
          ? `answered ${testPoint.answers.join(', ')}`
          : testPoint.status;
    return {
      state: 'unchecked',
      why: `its RFC 5782 test point is not listed through this resolver (${seen}): the list is unreachable, retired, or refuses this resolver`,
    };
  }
  return { state: 'clean' };
}

export function checkBlocklists(input: BlocklistInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const judged = input.lookups.map((lookup) => ({ lookup, status: blocklistStatus(lookup) }));
  for (const { lookup, status } of judged) {
    const { list, subject } = lookup;
    if (status.state === 'listed') {
      const reason = lookup.reason?.length ? ` — "${lookup.reason.join(' ')}"` : '';
      const text = `${subject} is listed on ${list.name} (${list.zone}: ${status.codes.join(', ')})${reason}`;
      const fix = `Look ${subject} up at ${list.lookup}, fix what the listing names (an open relay, a compromised account, mail to spam traps, a missing PTR), then request removal there; warm a new IP up slowly.`;
      findings.push(
        list.major
          ? fail(
              text,
              `${fix} ${list.name} is consulted by the big mailbox providers: mail from this server will be refused or filed as spam until it is delisted.`,
            )
          : warn(text, fix),
      );
    } else if (status.state === 'unchecked' && list.major) {
      findings.push(
        warn(
          `${list.name} could not be asked about ${subject}: ${status.why}`,
          `Ask through your own recursive resolver, not a public one (set DNSBL_RESOLVER; Spamhaus answers public resolvers with 127.255.255.254), or look ${subject} up at ${list.lookup}.`,
        ),
      );
    }
  }
  if (input.lookups.length === 0)
    findings.push(fail('no blocklist was asked', 'Ask the major lists (Spamhaus ZEN, SpamCop, Barracuda) about the server IP'));
  const clean = judged.filter((j) => j.status.state === 'clean');
  const subjects = [...new Set(input.lookups.map((l) => l.subject))];
  return verdictFrom({
    findings,
    passSummary: `${subjects.join(' and ')} on none of ${clean.length} blocklist(s) asked (${clean.map((j) => j.lookup.list.name).join(', ')})`,
    expected: 'listed on no blocklist',
    observed: judged
      .map(
        ({ lookup, status }) =>
          `${lookup.list.name} ${lookup.subject}: ${status.state === 'listed' ? `LISTED ${status.codes.join(',')}` : status.state === 'unchecked' ? 'not checked' : 'not listed'}`,
      )
      .join('; '),
    evidence: judged.map(({ lookup, status }) => ({
      label: `${lookup.list.zone} ${lookup.subject}`,
      detail: {
        via: input.resolver,
        query: lookup.answer.name,
        status: status.state,
        ...(status.state === 'listed' ? { codes: status.codes, reason: lookup.reason } : {}),
        ...(status.state === 'unchecked' ? { why: status.why } : {}),
      },
    })),
  });
}
