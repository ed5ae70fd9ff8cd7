/**
 * SEC-01 — not an open relay. Every relay form (relay-forms.ts) is tried without AUTH, after STARTTLS and
 * after an AUTH with a wrong password; an attempt the server accepts is carried through DATA to an outside
 * mailbox the run reads, so the verdict rests on where the message ARRIVED: at the outside mailbox it was
 * relayed (FAIL); in the catch-all's inbox it was accepted locally (named so: backscatter risk, not relaying).
 * Real Postal 3.3.2 refuses a foreign recipient at RCPT with `530 Authentication required`.
 */
import { collectFindings, fail, type Finding, verdictFrom, warn } from './findings.ts';
import { scrubSecrets } from './secret-scrub.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

export type RelayContext = 'plain' | 'starttls' | 'failed-auth';

export interface RelayAttempt {
  /** relay-forms.ts id and label */
  form: string;
  label: string;
  context: RelayContext;
  from: string;
  to: string;
  /** An acceptance of this form can only be a relay (its last domain is foreign). */
  foreignIfAccepted: boolean;
  /** The last SMTP stage reached: MAIL (refused there), RCPT (refused, or accepted and not carried on), DATA. */
  stage: 'mail' | 'rcpt' | 'data';
  code: number;
  reply: string;
  /**
   * Where a message carried through DATA was found: `outside` the relay recipient's mailbox, `local` an agent's
   * inbox (the catch-all), `nowhere` by the deadline, `unknown` when arrivals could not be read.
   */
  arrival?: 'outside' | 'local' | 'nowhere' | 'unknown';
  /** the agent whose inbox held a local arrival */
  localAgent?: string;
  /** why an attempt accepted at RCPT was not carried through DATA (a cap on what a run sends) */
  notCarried?: string;
  /** accepted like the same form in this earlier context, whose message was carried once for both: `arrival` is that message's */
  sameAs?: RelayContext;
}

export interface OpenRelayInput {
  attempts: RelayAttempt[];
  /** the outside mailbox every attempt aimed at */
  recipient: string;
  /** contexts not tried, with why (e.g. no STARTTLS offered) */
  skippedContexts?: Array<{ context: RelayContext; reason: string }>;
  /** what the server answered the wrong password in the failed-auth context */
  failedAuthReply?: { code: number; text: string };
  /** why accepted attempts were not carried through DATA or their arrival not read, when so */
  arrivalUnreadable?: string;
}

const CONTEXT: Record<RelayContext, string> = {
  plain: 'without AUTH',
  starttls: 'after STARTTLS',
  'failed-auth': 'after AUTH with a wrong password',
};

const RELAY_FIX =
  'Postal relays only for authenticated clients and SMTP-IP credentials: remove any SMTP-IP credential that covers the tester (e.g. 0.0.0.0/0), and make sure no other MTA (Postfix, a proxy) answers on port 25';
const SYNTAX_FIX =
  "Postal 3.3.2 itself reads such a local part as a route name (the catch-all takes it) and refuses the rest with 530, so something in front of it decodes the routing syntax: turn it off there (Postfix: allow_percent_hack = no, swap_bangpath = no, and keep the domain out of relay_domains) or let port 25 reach Postal's smtp process directly";
const STARTTLS_FIX =
  'TLS is encryption, not authentication: remove the rule that relays for TLS clients (Postfix: permit_tls_all_clientcerts / permit_tls_clientcerts in smtpd_relay_restrictions); Postal relays only after AUTH with an SMTP credential or for an SMTP-IP credential';
const AUTH_FIX =
  "A refused AUTH must leave the session unauthenticated; an AUTH backend that grants any password makes everyone a sender (see SEC-04): restore Postal's own credential check";

function fixFor(a: RelayAttempt): string {
  if (a.context === 'failed-auth') return AUTH_FIX;
  if (a.context === 'starttls') return STARTTLS_FIX;
  return a.foreignIfAccepted &&
    !['quoted-bare', 'quoted-percent-bare', 'bang-path-bare', 'source-route-domain', 'source-route-host', 'source-route-ip'].includes(
      a.form,
    )
    ? RELAY_FIX
    : SYNTAX_FIX;
}

/** "530 Authentication required": the code once, even when the reply text already starts with it. */
export function smtpReply(code: number, text: string): string {
  const body = scrubSecrets(text)
    .trim()
    .replace(new RegExp(`^${code}(?:[ -]|$)`), '')
    .replace(/\s*\n\d{3}[ -]?/g, ' ')
    .trim();
  return `${code} ${body}`.trim();
}

const describe = (a: RelayAttempt) => `${a.label} ${CONTEXT[a.context]} (MAIL FROM:<${a.from}> RCPT TO:<${a.to}>)`;

/** Rule: at least one relay attempt was made. */
function noAttempts(input: OpenRelayInput): Finding | undefined {
  if (input.attempts.length === 0)
    return fail('no relay attempt was made', 'Try an unauthenticated relay (outside sender → outside recipient) and check again');
  return undefined;
}

/** Rule: a relay attempt's reply that is not an acceptance: not SMTP, refused only after DATA, or only deferred. */
function replyFinding(a: RelayAttempt): Finding | undefined {
  const reply = smtpReply(a.code, a.reply);
  const stage = a.stage.toUpperCase();
  if (a.code < 200 || a.code >= 600) {
    // A code outside 200–599 says nothing about relaying, whatever the stage.
    return fail(`${describe(a)} got a reply that is not SMTP (${reply})`, 'Check what answers on port 25 (INF-02)');
  } else if (a.code >= 500) {
    // Refused: at MAIL or RCPT is right; after DATA the envelope was taken first.
    if (a.stage === 'data')
      return warn(
        `${describe(a)} was accepted at RCPT and refused only after DATA (${reply})`,
        `Refuse relay recipients at RCPT TO, before any data is taken. ${RELAY_FIX}`,
      );
  } else if (a.code >= 400) {
    return warn(
      `${describe(a)} was only deferred at ${stage} (${reply}); a retry might be relayed`,
      `Make the server refuse relaying with a permanent 5xx at RCPT TO. ${RELAY_FIX}`,
    );
  }
  return undefined;
}

/** Rule: an accepted relay attempt, judged by where its message arrived (a local arrival is no finding). */
function acceptedFinding(a: RelayAttempt, input: OpenRelayInput): Finding | undefined {
  if (a.code < 200 || a.code >= 400) return undefined;
  const reply = smtpReply(a.code, a.reply);
  const stage = a.stage.toUpperCase();
  if (a.arrival === 'unknown' || a.arrival === undefined) {
    const reason = a.notCarried ?? input.arrivalUnreadable;
    const why = reason ? ` (${reason})` : '';
    if (a.foreignIfAccepted)
      return fail(
        `open relay: ${describe(a)} was accepted at ${stage} (${reply}); its last domain is foreign, so it can only be relayed${why}`,
        fixFor(a),
      );
    else
      return warn(
        `${describe(a)} was accepted (${reply}) and where it went could not be followed${why}`,
        `Follow it in Postal's message log; ${SYNTAX_FIX}`,
      );
  } else if (a.arrival === 'outside') {
    return fail(
      `open relay: ${describe(a)} was accepted (${reply}) and the message arrived at ${input.recipient}${a.sameAs ? ` (carried once, ${CONTEXT[a.sameAs]})` : ''}`,
      fixFor(a),
    );
  } else if (a.arrival === 'nowhere' && a.foreignIfAccepted) {
    return fail(
      `${describe(a)} was accepted (${reply}) but arrived neither at ${input.recipient} nor in an agent's inbox: treat it as relayed until Postal's message log says otherwise`,
      fixFor(a),
    );
  } else if (a.arrival === 'nowhere') {
    // An own-domain form kept by a catch-all that never delivered it: the queue (INF-03), not a relay.
    return warn(
      `${describe(a)} was accepted (${reply}) but arrived neither at ${input.recipient} nor in an agent's inbox by the deadline (a stuck queue? see INF-03)`,
      `Follow it in Postal's message log; ${SYNTAX_FIX}`,
    );
  }
  return undefined;
}

/** Rule: AUTH with a wrong password is never granted. */
function wrongPasswordGranted(input: OpenRelayInput): Finding | undefined {
  if (input.failedAuthReply && input.failedAuthReply.code >= 200 && input.failedAuthReply.code < 300) {
    return fail(
      `AUTH with a wrong password was granted (${smtpReply(input.failedAuthReply.code, input.failedAuthReply.text)}): anyone can relay through the server`,
      AUTH_FIX,
    );
  }
  return undefined;
}

function relayEvidence(input: OpenRelayInput): EvidenceItem[] {
  return [
    ...(input.failedAuthReply
      ? [
          {
            label: 'AUTH with a wrong password',
            detail: { code: input.failedAuthReply.code, reply: scrubSecrets(input.failedAuthReply.text) },
          },
        ]
      : []),
    ...input.attempts.map((a) => ({
      label: `relay ${a.form} ${a.context}`,
      detail: {
        from: a.from,
        to: a.to,
        stage: a.stage,
        code: a.code,
        reply: scrubSecrets(a.reply),
        ...(a.arrival ? { arrival: a.arrival } : {}),
        ...(a.localAgent ? { localAgent: a.localAgent } : {}),
      },
    })),
  ];
}

export function checkOpenRelay(input: OpenRelayInput): Verdict {
  const findings = collectFindings(
    noAttempts(input),
    ...input.attempts.map((a) => replyFinding(a) ?? acceptedFinding(a, input)),
    wrongPasswordGranted(input),
  );
  // Accepted and kept in an agent's inbox (a catch-all): named in the summary, not a relay.
  const local = input.attempts.filter((a) => a.code >= 200 && a.code < 400 && a.arrival === 'local');

  const refused = input.attempts.filter((a) => a.code >= 500 && a.stage !== 'data');
  const codes = [...new Set(refused.map((a) => a.code))].join(', ');
  const contexts = [...new Set(input.attempts.map((a) => CONTEXT[a.context]))].join(', ');
  const skipped = (input.skippedContexts ?? []).map((s) => `${CONTEXT[s.context]} not tried: ${s.reason}`);
  const localNote = local.length
    ? `; ${local.length} accepted locally into ${[...new Set(local.map((a) => a.localAgent ?? 'an agent'))].join(', ')}'s inbox, not relayed (${[...new Set(local.map((a) => a.label))].join(', ')}): a catch-all takes any local part, so spam to made-up addresses lands there (backscatter if it ever bounced)`
    : '';
  return verdictFrom({
    findings,
    passSummary: `${refused.length} of ${input.attempts.length} relay attempts (${contexts}) refused at MAIL/RCPT (${codes || 'none'})${localNote}${skipped.length ? `; ${skipped.join('; ')}` : ''}`,
    expected: `every relay form to ${input.recipient} refused at RCPT with 5xx, or kept on the server (catch-all), never arriving outside`,
    observed: `${refused.length} refused, ${local.length} accepted locally, ${input.attempts.filter((a) => a.arrival === 'outside').length} arrived outside, of ${input.attempts.length}`,
    evidence: relayEvidence(input),
  });
}
