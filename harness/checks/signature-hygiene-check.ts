/**
 * FN-04, the signature as the best checkers read it (mail-tester, dkimpy, happyDeliver): on the copy the
 * provider received, no DKIM signature may carry `l=` (a body length: whatever is appended after it still
 * verifies), `t=` may not lie in the future of the receiving clock nor `x=` in its past (a wrong clock
 * on the sending host), and `h=` must cover From, To, Subject, Date and Message-ID (what a forger would change).
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import { parseTagList } from './tag-list.ts';
import type { Verdict } from './verdict.ts';

export interface SignatureHygieneInput {
  /** e.g. "Gmail by send/raw". */
  copy: string;
  /** The value of each DKIM-Signature header on the received copy. */
  signatures: string[];
  /** When the provider received it (its Received line), in ms since the epoch. */
  receivedAtMs?: number;
  /** The header fields the copy carries (lower case), so h= is only asked to cover what exists. */
  present: string[];
}

/** The fields a forger would change, which every signature must cover (when the message has them). */
export const MUST_SIGN = ['from', 'to', 'subject', 'date', 'message-id'];
/** Clocks differ a little: 5 minutes of skew is tolerated, as verifiers do. */
export const CLOCK_SKEW_S = 300;

const NTP =
  "The sending host's clock is wrong: run NTP on the Postal server (timedatectl set-ntp true, or chrony) so its signatures and Date headers carry the real time";

export function checkSignatureHygiene(input: SignatureHygieneInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const rows = input.signatures.map((header) => {
    const tags = parseTagList(header.replace(/\s+/g, ' ')).byName;
    return {
      d: tags.get('d') ?? '?',
      s: tags.get('s') ?? '?',
      l: tags.get('l'),
      t: tags.get('t'),
      x: tags.get('x'),
      h: (tags.get('h') ?? '')
        .split(':')
        .map((f) => f.trim().toLowerCase())
        .filter(Boolean),
    };
  });
  if (rows.length === 0) findings.push(warn(`${input.copy}: no DKIM signature to inspect`, 'See the DKIM findings of this control'));
  const now = input.receivedAtMs === undefined ? undefined : Math.floor(input.receivedAtMs / 1000);
  for (const r of rows) {
    const who = `${input.copy}: the signature d=${r.d} s=${r.s}`;
    if (r.l !== undefined) {
      findings.push(
        fail(
          `${who} carries l=${r.l} (a body length): anything appended after ${r.l} bytes still verifies`,
          "Sign the whole body: remove the body-length (l=) option from whatever signs the agents' mail (Postal never sets it; a relay or milter that re-signs does)",
        ),
      );
    }
    const t = r.t !== undefined ? Number(r.t) : undefined;
    const x = r.x !== undefined ? Number(r.x) : undefined;
    if (t !== undefined && now !== undefined && t > now + CLOCK_SKEW_S)
      findings.push(fail(`${who} was made ${t - now} s in the future of the receiving clock (t=${t})`, NTP));
    if (x !== undefined && now !== undefined && x < now)
      findings.push(
        fail(
          `${who} had expired when it arrived (x=${x}, ${now - x} s before)`,
          `${NTP}; and sign with an expiry (x=) well after delivery, or none`,
        ),
      );
    if (x !== undefined && t !== undefined && x <= t)
      findings.push(fail(`${who} expires before it was made (x=${x} ≤ t=${t})`, "Fix the signer's expiry setting: x= must lie after t="));
    const uncovered = MUST_SIGN.filter((f) => input.present.includes(f) && !r.h.includes(f));
    if (uncovered.length > 0) {
      findings.push(
        fail(
          `${who} does not cover ${uncovered.join(', ')} (h=${r.h.join(':')})`,
          `Sign ${uncovered.join(', ')}: a forwarder could change them without breaking the signature (Postal's DKIMHeader signs them; a relay or milter that re-signs must too)`,
        ),
      );
    }
  }
  return verdictFrom({
    findings,
    passSummary: `${input.copy}: ${rows.length} signature(s) without l=, with sane t=/x=, covering ${MUST_SIGN.join(', ')}`,
    expected: `no l=; t= not in the future, x= not past; h= covers ${MUST_SIGN.join(', ')}`,
    observed:
      rows
        .map(
          (r) =>
            `d=${r.d} s=${r.s}${r.l !== undefined ? ` l=${r.l}` : ''}${r.t !== undefined ? ` t=${r.t}` : ''}${r.x !== undefined ? ` x=${r.x}` : ''} h=${r.h.join(':')}`,
        )
        .join('; ') || 'no signature',
    evidence: [{ label: `DKIM signatures on ${input.copy}`, detail: { signatures: rows, receivedAt: now ?? null } }],
  });
}
