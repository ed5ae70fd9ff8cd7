/**
 * FN-02, the mail host as others meet it: the SMTP banner and the HELO answer of Postal's SMTP server,
 * and the HELO name Postal gives the providers (their Received line), all name the mail host (whose PTR
 * DNS-06 checks); and the providers' Received line shows the hop from Postal used TLS when the provider
 * offered it. Postal takes all three names from postal.yml (postal.smtp_hostname; dns.helo_hostname for
 * the outbound HELO, else smtp_hostname, else "localhost" — smtp_client/endpoint.rb).
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface HopFromPostal {
  /** e.g. "Gmail by SMTP". */
  copy: string;
  /** The name Postal gave in HELO/EHLO, as the provider recorded it. */
  helo?: string;
  /** Whether the provider's Received line says the hop used TLS (undefined: the line does not say). */
  tls?: boolean;
  /** Whether the provider's MX offers STARTTLS (undefined: could not be asked). */
  offered?: boolean;
}

export interface MailHostIdentityInput {
  mailHost: string;
  /** The PTR names of the server IP, for evidence. */
  ptrNames: string[];
  /** The SMTP greeting's text after 220, e.g. "mail.mailgoat.ai ESMTP Postal/ABC123". */
  banner?: string;
  /** The answer to HELO after 250, e.g. "mail.mailgoat.ai". */
  heloAnswer?: string;
  hops: HopFromPostal[];
}

const firstWord = (text: string | undefined): string =>
  (text ?? '')
    .trim()
    .replace(/^\d{3}[ -]/, '')
    .split(/\s+/)[0]
    ?.replace(/\.$/, '')
    .toLowerCase() ?? '';

/** Whether a provider's Received line says TLS: "with ESMTPS", "ESMTPSA", "(version=TLS1_2 …)"; undefined when it says neither. */
export function receivedShowsTls(received: string): boolean | undefined {
  if (/\bwith\s+(E?SMTPS|ESMTPSA|UTF8SMTPS|LMTPS)\b|version=TLS|\bTLS1_\d|\(TLSv?1\.\d/i.test(received)) return true;
  if (/\bwith\s+(ESMTP|SMTP|UTF8SMTP)\b/i.test(received)) return false;
  return undefined;
}

export function checkMailHostIdentity(input: MailHostIdentityInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const host = input.mailHost.toLowerCase();
  const setName = `Set postal.smtp_hostname: ${host} in postal.yml (Postal's banner and HELO answer carry it), then restart smtp`;
  const banner = firstWord(input.banner);
  if (input.banner !== undefined && banner !== host)
    findings.push(fail(`Postal's SMTP banner names ${banner || 'nothing'}, not the mail host ${host}`, setName));
  const answer = firstWord(input.heloAnswer);
  if (input.heloAnswer !== undefined && answer !== host)
    findings.push(fail(`Postal answers HELO as ${answer || 'nothing'}, not the mail host ${host}`, setName));
  for (const hop of input.hops) {
    const helo = firstWord(hop.helo);
    if (hop.helo !== undefined && helo !== host) {
      findings.push(
        fail(
          `Postal greets ${hop.copy.split(' ')[0]} as ${helo || 'nothing'} (HELO), not the mail host ${host}`,
          `Set dns.helo_hostname: ${host} in postal.yml (else Postal says postal.smtp_hostname, else "localhost"), a name whose A record is the server IP and whose PTR points back; receivers refuse or score a HELO of localhost`,
        ),
      );
    }
    if (hop.tls === false && hop.offered !== false) {
      findings.push(
        (hop.offered ? fail : warn)(
          `${hop.copy}: the provider received it from Postal without TLS${hop.offered ? ' although it offers STARTTLS' : ' (whether it offers STARTTLS could not be asked)'}`,
          'Postal uses STARTTLS whenever the receiving MX offers it and falls back to plain text when its handshake fails (smtp_client/endpoint.rb): check the Postal host can negotiate TLS 1.2+ outbound (its OpenSSL, a proxy or firewall that strips STARTTLS), see Postal issue 1336',
        ),
      );
    } else if (hop.tls === undefined) {
      findings.push(
        warn(
          `${hop.copy}: the provider's Received line does not say whether the hop from Postal used TLS`,
          'Look at the provider\'s Received line ("with ESMTPS" or a TLS version) by hand',
        ),
      );
    }
  }
  return verdictFrom({
    findings,
    passSummary: `banner, HELO answer and outbound HELO name ${host}; ${input.hops.length} hop(s) from Postal over TLS`,
    expected: `every name ${host}; TLS on each hop the provider offers it`,
    observed: `banner ${banner || '?'}, HELO answer ${answer || '?'}, outbound HELO ${[...new Set(input.hops.map((h) => firstWord(h.helo) || '?'))].join('/') || '?'}, TLS ${input.hops.map((h) => (h.tls === undefined ? '?' : h.tls ? 'yes' : 'no')).join('/') || '?'}`,
    evidence: [
      {
        label: 'mail host identity',
        detail: {
          mailHost: host,
          ptr: input.ptrNames,
          banner: input.banner ?? null,
          heloAnswer: input.heloAnswer ?? null,
          hops: input.hops,
        },
      },
    ],
  });
}
