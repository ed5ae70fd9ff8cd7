/**
 * FN-04 — SPF, DKIM and DMARC pass, twice: as the receiving provider recorded them in its
 * Authentication-Results header, and as the harness re-verified the raw message (mailauth, run by
 * the client). DKIM must also be *aligned*: a signature with d= outside the From domain's
 * organisational domain passes DKIM but not DMARC's intent — exactly what Postal produces when
 * the domain's DKIM record is not verified (it falls back to its install-wide key, d=<return path domain>).
 */
import { getAlignment } from 'mailauth/lib/tools.js';
import { type AuthResultEntry, dkimDomainOf, parseAuthenticationResults } from './authentication-results-header.ts';
import { collectFindings, fail, type Finding, verdictFrom } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface ReverifiedDkim {
  result: string;
  /** The signature's d=. */
  domain: string;
  selector?: string;
  /** mailauth's own alignment answer (its `status.aligned`), kept as evidence; the check computes its own. */
  aligned?: boolean | string;
}

export interface AuthenticationResultsInput {
  /** e.g. "gmail.test". */
  provider: string;
  /** The provider's Authentication-Results header (value, or the whole header line). */
  authenticationResults: string;
  /** The client's own verification of the raw message as received. */
  reverify: {
    spf: { result: string; domain?: string };
    dkim: ReverifiedDkim[];
    dmarc: { result: string; policy?: string };
  };
  fromDomain: string;
  /** DMARC adkim: relaxed (default) compares organisational domains, strict the exact domain. */
  alignment?: 'relaxed' | 'strict';
}

/**
 * DMARC identifier alignment of a DKIM d= with the From domain, through mailauth (Public Suffix List
 * organisational domains, so `mail.mailgoat.ai` aligns with `mailgoat.ai` but `a.co.uk` not with `b.co.uk`).
 */
export function dkimAligned(fromDomain: string, signingDomain: string, alignment: 'relaxed' | 'strict' = 'relaxed'): boolean {
  if (alignment === 'strict') return fromDomain.toLowerCase().replace(/\.$/, '') === signingDomain.toLowerCase().replace(/\.$/, '');
  return getAlignment(fromDomain, [signingDomain], false) !== false;
}

interface Side {
  spf: string;
  spfDomain?: string;
  dkim: Array<{ result: string; domain?: string; selector?: string; aligned: boolean }>;
  dmarc: string;
}

function recordedSide(entries: AuthResultEntry[], fromDomain: string, alignment: 'relaxed' | 'strict'): Side {
  const first = (method: string) => entries.find((e) => e.method === method);
  const spf = first('spf');
  const mailfrom = spf?.properties['smtp.mailfrom'];
  return {
    spf: spf?.result ?? 'missing',
    ...(mailfrom ? { spfDomain: mailfrom.slice(mailfrom.lastIndexOf('@') + 1).toLowerCase() } : {}),
    dkim: entries
      .filter((e) => e.method === 'dkim')
      .map((e) => {
        const domain = dkimDomainOf(e);
        const selector = e.properties['header.s'];
        return {
          result: e.result,
          ...(domain ? { domain } : {}),
          ...(selector ? { selector } : {}),
          aligned: domain ? dkimAligned(fromDomain, domain, alignment) : false,
        };
      }),
    dmarc: first('dmarc')?.result ?? 'missing',
  };
}

function reverifiedSide(reverify: AuthenticationResultsInput['reverify'], fromDomain: string, alignment: 'relaxed' | 'strict'): Side {
  return {
    spf: reverify.spf.result.toLowerCase(),
    ...(reverify.spf.domain ? { spfDomain: reverify.spf.domain.toLowerCase() } : {}),
    dkim: reverify.dkim.map((d) => ({
      result: d.result.toLowerCase(),
      domain: d.domain.toLowerCase(),
      ...(d.selector ? { selector: d.selector } : {}),
      aligned: dkimAligned(fromDomain, d.domain, alignment),
    })),
    dmarc: reverify.dmarc.result.toLowerCase(),
  };
}

/** Rule: spf=pass. */
function spfNotPass(side: Side, who: string, fromDomain: string): Finding | undefined {
  if (side.spf === 'pass') return undefined;
  const domain = side.spfDomain ?? 'the envelope (return-path) domain';
  return fail(
    `${who}: spf=${side.spf}${side.spfDomain ? ` for ${side.spfDomain}` : ''}`,
    `Authorise the server's IP in the SPF record of ${domain} (Postal sends with MAIL FROM on the return-path domain: psrp.${fromDomain} when its CNAME is set, else dns.return_path_domain); see DNS-03`,
  );
}

/** Rule: a passing DKIM signature, aligned with From. */
function noAlignedDkimPass(side: Side, who: string, fromDomain: string): Finding | undefined {
  const passing = side.dkim.filter((d) => d.result === 'pass');
  if (passing.length === 0) {
    return fail(
      `${who}: no passing DKIM signature (${side.dkim.map((d) => `dkim=${d.result}${d.domain ? ` d=${d.domain}` : ''}`).join(', ') || 'none'})`,
      'Make the published DKIM key the one Postal signs with (DNS-04; read s= from the received message), and check nothing rewrites the message after signing',
    );
  } else if (!passing.some((d) => d.aligned)) {
    const d = passing.map((x) => `d=${x.domain ?? '?'}${x.selector ? ` s=${x.selector}` : ''}`).join(', ');
    return fail(
      `${who}: DKIM passes only for ${d}, not aligned with From ${fromDomain}`,
      `Postal signs with its install-wide key (d=<return path domain>) whenever the DKIM check of ${fromDomain} is not OK. Publish ${fromDomain}'s DKIM record exactly as Postal shows it (Domains → ${fromDomain} → DNS records: TXT <selector>._domainkey.${fromDomain}), press "Check my records" until DKIM is OK, and Postal then signs with d=${fromDomain}`,
    );
  }
  return undefined;
}

/** Rule: dmarc=pass. */
function dmarcNotPass(side: Side, who: string, fromDomain: string): Finding | undefined {
  if (side.dmarc === 'pass') return undefined;
  return fail(
    `${who}: dmarc=${side.dmarc}`,
    `DMARC passes only with an SPF or DKIM pass aligned with ${fromDomain}: fix DKIM alignment (Postal signing with d=${fromDomain}), or an aligned return path (CNAME psrp.${fromDomain})`,
  );
}

function judgeSide(side: Side, who: string, fromDomain: string): Finding[] {
  return collectFindings(spfNotPass(side, who, fromDomain), noAlignedDkimPass(side, who, fromDomain), dmarcNotPass(side, who, fromDomain));
}

export function checkAuthenticationResults(input: AuthenticationResultsInput): Verdict {
  const { provider } = input;
  const fromDomain = input.fromDomain.toLowerCase();
  const alignment = input.alignment ?? 'relaxed';
  const parsed = parseAuthenticationResults(input.authenticationResults);
  const recorded = recordedSide(parsed.results, fromDomain, alignment);
  const reverified = reverifiedSide(input.reverify, fromDomain, alignment);
  const findings = collectFindings(
    parsed.results.length === 0
      ? fail(
          `${provider} recorded no authentication results (no readable Authentication-Results header)`,
          `Read the Authentication-Results header ${provider} added to the received message`,
        )
      : judgeSide(recorded, `as recorded by ${provider}`, fromDomain),
    judgeSide(reverified, 're-verified', fromDomain),
  );

  const line = (s: Side) =>
    `spf=${s.spf} dkim=${s.dkim.map((d) => `${d.result}${d.domain ? `(d=${d.domain}${d.aligned ? ', aligned' : ', not aligned'})` : ''}`).join(',') || 'none'} dmarc=${s.dmarc}`;
  return verdictFrom({
    findings,
    passSummary: `${provider}: SPF, DKIM (d=${reverified.dkim.find((d) => d.result === 'pass' && d.aligned)?.domain ?? fromDomain}, aligned) and DMARC pass, as recorded and re-verified`,
    expected: `spf=pass dkim=pass (d aligned with ${fromDomain}) dmarc=pass`,
    observed: `recorded: ${parsed.results.length ? line(recorded) : 'nothing'}; re-verified: ${line(reverified)}`,
    evidence: [
      {
        label: `authentication results at ${provider}`,
        detail: {
          provider,
          fromDomain,
          alignment,
          authservId: parsed.authservId,
          recorded,
          reverified: {
            ...reverified,
            dkim: reverified.dkim.map((d, i) => ({ ...d, mailauthAligned: input.reverify.dkim[i]?.aligned ?? null })),
          },
          header: input.authenticationResults.slice(0, 2000),
        },
      },
    ],
  });
}
