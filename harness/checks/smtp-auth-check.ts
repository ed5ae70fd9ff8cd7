/**
 * SEC-04 — SMTP AUTH as a stranger and as the deployment's own SMTP credential meet it: a wrong password
 * is refused with 535 (in clear and after STARTTLS, PLAIN and LOGIN); AUTH offered or processed before
 * STARTTLS is a warning (a password would cross the network readable — Postal 3.3.2's default); and the
 * SMTP credential may send only as the server's own domains (Postal answers `530 From/Sender name is not
 * valid` at the end of DATA).
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import { smtpReply } from './open-relay-check.ts';
import type { Verdict } from './verdict.ts';

export interface AuthReply {
  /** e.g. "AUTH PLAIN in clear text", "AUTH LOGIN after STARTTLS" */
  attempt: string;
  tls: boolean;
  code: number;
  reply: string;
}

export interface SmtpAuthInput {
  host: string;
  /** EHLO keywords before STARTTLS */
  clearCapabilities: string[];
  /** wrong-password attempts */
  wrongPassword: AuthReply[];
  /** the deployment's SMTP credential sending From a domain the server does not own (over TLS); absent when not tried */
  foreignFrom?: { from: string; auth: { code: number; reply: string }; data?: { code: number; reply: string } };
  /** why the foreign-From test was not made, when it was not */
  foreignFromSkipped?: string;
}

const ANYONE =
  'Any password opens the server: whoever connects can send as mailgoat.ai and relay to anyone. Postal checks AUTH PLAIN/LOGIN against its SMTP credentials (app/lib/smtp_server/client.rb `authenticate`): remove whatever answers AUTH in its place (a proxy, a patched image) and restart the smtp container';
const CLEAR =
  'Postal 3.3.2 offers and accepts AUTH before STARTTLS by default (client.rb lists AUTH in every EHLO) and has no setting to refuse it: make every client use STARTTLS before AUTH (the MailGoat CLI uses the HTTPS API; swaks --tls; nodemailer requireTLS: true), and if a client must submit over the Internet, put a proxy in front that requires TLS before AUTH (Postfix smtpd_tls_auth_only = yes) — a password sent before STARTTLS can be read on the way';

export function checkSmtpAuth(input: SmtpAuthInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const host = input.host;
  if (input.wrongPassword.length === 0) findings.push(fail('no AUTH attempt was made', 'Try AUTH with a wrong password and check again'));
  for (const a of input.wrongPassword) {
    const reply = smtpReply(a.code, a.reply);
    if (a.code >= 200 && a.code < 300)
      findings.push(fail(`${host} granted ${a.attempt} with a wrong password (${reply}): anyone can send`, ANYONE));
    else if (a.code >= 400 && a.code < 500)
      findings.push(
        warn(
          `${host} answered ${a.attempt} with a wrong password only with a deferral (${reply}), not 535`,
          `${ANYONE}. A refusal must be 535`,
        ),
      );
    else if (a.code < 200 || a.code >= 600)
      findings.push(
        fail(`${host} answered ${a.attempt} with something that is not SMTP (${reply})`, 'Check what answers on port 25 (INF-02)'),
      );
  }
  const authInClear = input.clearCapabilities.some((c) => /^AUTH(\s|=|$)/i.test(c));
  const processedInClear = input.wrongPassword.some((a) => !a.tls && a.code === 535);
  if (authInClear || processedInClear) {
    findings.push(
      warn(
        `${host} ${authInClear ? 'offers AUTH' : 'answers AUTH'} before STARTTLS${processedInClear ? ' and checks a password sent in clear text (535 to a wrong one)' : ''}: a client that authenticates without STARTTLS sends its SMTP password readable to anyone on the path`,
        CLEAR,
      ),
    );
  }
  const f = input.foreignFrom;
  if (f) {
    if (f.auth.code !== 235) {
      findings.push(
        warn(
          `the SMTP credential from the keys file was refused (${smtpReply(f.auth.code, f.auth.reply)}), so sending From a foreign domain could not be tried`,
          'Copy the SMTP credential\'s key from Postal (Credentials) into postal-api-keys.txt as "smtp <key>"',
        ),
      );
    } else if (f.data && f.data.code >= 200 && f.data.code < 300) {
      findings.push(
        fail(
          `the SMTP credential sent a message From ${f.from}, a domain the server does not own (${smtpReply(f.data.code, f.data.reply)}): anyone holding it can send as any domain from this server's IP`,
          'Postal accepts a From only on a verified domain of the server or its organization, unless a domain is marked "use for any" (Domain#use_for_any, app/models/server.rb) or the Sender header is allowed: clear use_for_any and allow_sender in the server\'s domains and settings',
        ),
      );
    }
  }
  const refused = input.wrongPassword.filter((a) => a.code >= 500 && a.code < 600);
  const foreign = f?.data
    ? `; From ${f.from} refused (${smtpReply(f.data.code, f.data.reply)})`
    : input.foreignFromSkipped
      ? `; sending From a foreign domain not tried: ${input.foreignFromSkipped}`
      : '';
  return verdictFrom({
    findings,
    passSummary: `${refused.length} AUTH attempt(s) with a wrong password refused (${[...new Set(refused.map((a) => a.code))].join(', ')}), AUTH not offered before STARTTLS${foreign}`,
    expected: 'a wrong password refused with 535; no AUTH before STARTTLS; a foreign From refused for the SMTP credential',
    observed: input.wrongPassword.map((a) => `${a.attempt}: ${a.code}`).join(', ') + (f?.data ? `; foreign From: ${f.data.code}` : ''),
    evidence: [
      { label: 'EHLO before STARTTLS', detail: input.clearCapabilities },
      ...input.wrongPassword.map((a) => ({
        label: `wrong password: ${a.attempt}`,
        detail: { tls: a.tls, code: a.code, reply: smtpReply(a.code, a.reply) },
      })),
      ...(f
        ? [
            {
              label: `SMTP credential, From ${f.from}`,
              detail: { auth: f.auth.code, ...(f.data ? { data: smtpReply(f.data.code, f.data.reply) } : {}) },
            },
          ]
        : []),
      ...(input.foreignFromSkipped ? [{ label: 'SMTP credential, foreign From', detail: { skipped: input.foreignFromSkipped } }] : []),
    ],
  });
}
