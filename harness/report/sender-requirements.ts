/**
 * The mailbox providers' published rules for senders, row by row, each mapped to the controls whose
 * evidence proves it — or said plainly to be not checkable from here, and why. Gmail and Yahoo
 * announced theirs in October 2023 (in force February 2024; Gmail rejects non-compliant mail since
 * November 2025); Outlook.com's apply from May 2025. The thresholds are for bulk senders (5,000+
 * messages a day to the provider); the rows are worth meeting at any volume.
 */
import type { ControlOutcome } from '../controls/control-result.ts';
import type { MissingResult, ResultRegistry } from './result-registry.ts';

export const SOURCES = {
  gmail: { name: 'Gmail', title: 'Google, Email sender guidelines', url: 'https://support.google.com/a/answer/81126' },
  gmailFaq: {
    name: 'Gmail',
    title: 'Google, Email sender guidelines FAQ (enforcement from November 2025)',
    url: 'https://support.google.com/a/answer/14229414',
  },
  yahoo: { name: 'Yahoo', title: 'Yahoo Sender Hub, Sender Best Practices', url: 'https://senders.yahooinc.com/best-practices/' },
  outlook: {
    name: 'Outlook.com',
    title: "Microsoft, Strengthening Email Ecosystem: Outlook's New Requirements for High‐Volume Senders (April 2025)",
    url: 'https://techcommunity.microsoft.com/blog/microsoftdefenderforoffice365blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730',
  },
} as const;

type SourceKey = keyof typeof SOURCES;

export interface SenderRequirement {
  rule: string;
  /** Which providers publish it, and how (required / recommended). */
  who: string;
  sources: SourceKey[];
  /** Controls whose outcome proves the rule; empty when it is not checkable here. */
  controls: string[];
  /** What the controls' evidence shows, or why the rule cannot be checked from here. */
  how: string;
  /** The controls prove only part of the rule (the row says which part): never shown as plainly MET. */
  partial?: boolean;
}

export const SENDER_REQUIREMENTS: ReadonlyArray<SenderRequirement> = [
  {
    rule: 'SPF and DKIM both pass',
    who: 'Gmail, Yahoo (bulk: both), Outlook.com (both must pass)',
    sources: ['gmail', 'yahoo', 'outlook'],
    controls: ['FN-04', 'DNS-03', 'DNS-04'],
    how: 'FN-04: SPF and DKIM pass as the receiving provider recorded them and as re-verified from the raw message; DNS-03: the SPF record authorises the server; DNS-04: the DKIM key is published and matches the signing key.',
  },
  {
    rule: 'DMARC published, at least p=none, From aligned with SPF or DKIM',
    who: 'Gmail, Yahoo (bulk), Outlook.com',
    sources: ['gmail', 'yahoo', 'outlook'],
    controls: ['DNS-05', 'FN-04'],
    how: 'DNS-05: one valid DMARC record with the planned policy; FN-04: DMARC passes with DKIM d= aligned to the From domain.',
  },
  {
    rule: 'Forward-confirmed reverse DNS (PTR) for the sending IP',
    who: 'Gmail (all senders), Yahoo',
    sources: ['gmail', 'yahoo'],
    controls: ['DNS-06', 'DNS-02'],
    how: "DNS-06: the server IP has a PTR to the mail host and that name resolves back to the IP; DNS-02: the mail host's A record.",
  },
  {
    rule: 'TLS on the SMTP connection',
    who: 'Gmail (all senders)',
    sources: ['gmail'],
    controls: ['SEC-03'],
    partial: true,
    how: "SEC-03: the mail host offers STARTTLS and the handshake succeeds with TLS 1.2+. Partly: that proves the server's TLS set-up on its MX; whether Postal's outgoing connection to Gmail used TLS shows only in the \"with ESMTPS\" of Gmail's Received header, which no control asserts.",
  },
  {
    rule: 'RFC 5322 format: one From, a valid Message-ID, single-instance headers',
    who: 'Gmail (all senders), Yahoo (follow the RFCs)',
    sources: ['gmail', 'yahoo'],
    controls: ['FN-05', 'FN-02'],
    partial: true,
    how: "Partly: FN-05 deducts for a missing Message-ID or Date and lists SpamAssassin's header rules that fired; FN-02: the provider accepted the message. No control counts From headers or checks that headers appear once.",
  },
  {
    rule: 'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post) and a visible unsubscribe link',
    who: 'Gmail, Yahoo (bulk: marketing and subscribed mail); Outlook.com recommends a working unsubscribe link',
    sources: ['gmail', 'yahoo', 'outlook'],
    controls: [],
    how: 'Not checkable from here: it applies only to marketing and subscribed (bulk) mail, and the agents send one-to-one mail that is neither; no control sends a list message. Check the mailing tool that sends bulk mail, if any.',
  },
  {
    rule: 'User-reported spam rate below 0.3% (Gmail: aim below 0.1%)',
    who: 'Gmail, Yahoo (bulk); Outlook.com publishes no threshold',
    sources: ['gmail', 'yahoo'],
    controls: [],
    how: "Not checkable from here: the rate is what recipients report over time, visible only in the providers' postmaster tools (Google Postmaster Tools, Yahoo Sender Hub / Complaint Feedback Loop, Microsoft SNDS). Check it there after go-live.",
  },
];

const PASSING = new Set<ControlOutcome | MissingResult>(['pass', 'warn', 'waived']);

function status(requirement: SenderRequirement, registry: ResultRegistry): string {
  if (requirement.controls.length === 0) return 'NOT CHECKABLE HERE';
  const outcomes = requirement.controls.map((id) => registry.get(id)?.outcome ?? registry.missingLabel());
  if (outcomes.some((o) => o === 'fail' || o === 'error')) return 'FAIL';
  if (outcomes.every((o) => PASSING.has(o))) return requirement.partial ? 'MET AS FAR AS CHECKED' : 'MET';
  return 'OPEN';
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The report section: one row per rule, its status from this run's controls, and its sources. */
export function renderSenderRequirements(registry: ResultRegistry): string[] {
  const out = ["## Mailbox providers' sender requirements", ''];
  out.push(
    "Gmail's and Yahoo's rules (announced October 2023, in force since February 2024; Gmail rejects non-compliant mail since November 2025) and Outlook.com's (from May 2025) apply in full to bulk senders (5,000+ messages a day to the provider); the authentication rows apply to everyone. Each row names the controls of this run that prove it.",
    '',
  );
  out.push(
    '| Rule | Who requires it | Status | Controls (this run) | Evidence, or why not checkable | Source |',
    '|---|---|---|---|---|---|',
  );
  for (const r of SENDER_REQUIREMENTS) {
    const controls = r.controls.length
      ? r.controls.map((id) => `${id} ${(registry.get(id)?.outcome ?? registry.missingLabel()).toUpperCase()}`).join(', ')
      : '—';
    const sources = r.sources.map((key) => `[${SOURCES[key].name}](${SOURCES[key].url})`).join(', ');
    out.push(`| ${cell(r.rule)} | ${cell(r.who)} | **${status(r, registry)}** | ${controls} | ${cell(r.how)} | ${sources} |`);
  }
  out.push(
    '',
    `Sources: ${Object.values(SOURCES)
      .map((s) => `[${s.title}](${s.url})`)
      .join('; ')}.`,
    '',
  );
  return out;
}
