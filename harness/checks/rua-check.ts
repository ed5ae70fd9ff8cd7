/**
 * DNS-09 — every aggregate-report (rua) address of the DMARC record takes mail: asked at its domain's MX
 * (RCPT TO, nothing sent), as a reporter's delivery would be. An address that refuses or cannot be
 * reached means the reports are lost and nobody sees who sends as the domain. Pure: the answers in.
 */
import { fail, verdictFrom, warn, type Finding } from './findings.ts';
import { parseTagList } from './tag-list.ts';
import type { Verdict } from './verdict.ts';

export interface RuaAnswer {
  address: string;
  mx?: string;
  code?: number;
  reply: string;
}

/** The mailto addresses of a DMARC record's rua= tag, lowercased, without size limits (!10m). */
export function ruaAddressesOf(record: string | undefined): string[] {
  const rua = record ? parseTagList(record).byName.get('rua') : undefined;
  return (rua ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => /^mailto:/i.test(u))
    .map((u) =>
      u
        .slice('mailto:'.length)
        .replace(/![0-9]+[kmgt]?$/i, '')
        .toLowerCase(),
    );
}

/** What to do when nobody answered for an address of the domain: the MX is elsewhere (DNS-01), or the mail host is down (INF-01). */
function unansweredFix(a: RuaAnswer, domain: string, mailHost: string | undefined): string {
  const mx = a.mx?.toLowerCase().replace(/\.$/, '');
  if (mx && mailHost && mx !== mailHost.toLowerCase())
    return `${domain}'s MX is ${mx}, not the mail host ${mailHost} (DNS-01): point the MX at ${mailHost}, so the reports reach Postal`;
  return `Nothing answered at ${domain}'s MX (INF-01 says whether port 25 is reachable): start Postal's SMTP server, then check the route for ${a.address.split('@')[0]}`;
}

export function checkRuaAddresses(input: { domain: string; mailHost?: string; record?: string; answers: RuaAnswer[] }): Verdict {
  const domain = input.domain.toLowerCase();
  const findings: Finding[] = [];
  if (!input.record)
    findings.push(
      warn(`no DMARC record at _dmarc.${domain}: no report address to check (DNS-05 says why)`, 'Publish the DMARC record DNS-05 asks for'),
    );
  else if (input.answers.length === 0)
    findings.push(
      warn(
        `the DMARC record at _dmarc.${domain} names no rua=mailto: address: nobody receives aggregate reports`,
        `Add rua=mailto:dmarc@${domain} to the record, with a route for it in Postal`,
      ),
    );
  for (const a of input.answers) {
    const own = a.address.endsWith(`@${domain}`);
    const where = a.mx && a.code !== undefined ? `${a.mx} answered RCPT TO:<${a.address}> with ${a.code} ${a.reply}` : a.reply;
    const fix = own
      ? `Make ${a.address} reach an inbox: a route for ${a.address.split('@')[0]} (or the catch-all *) in Postal's server, to the endpoint of the agent who reads the reports`
      : `${a.address.split('@')[1]} must take reports for ${domain}: check the address with its owner, or point rua at an address of ${domain}`;
    // Nobody answered: the cause is the MX itself (elsewhere, down, or not listening), not a missing route.
    const unanswered = own ? unansweredFix(a, domain, input.mailHost) : fix;
    if (a.code === undefined) findings.push(fail(`the report address ${a.address} could not be asked: ${where}`, unanswered));
    else if (a.code >= 500)
      findings.push(fail(`the report address ${a.address} refuses mail: ${where}; every receiver's aggregate report to it is lost`, fix));
    else if (a.code >= 400)
      findings.push(
        warn(`the report address ${a.address} answered a temporary refusal: ${where}`, `Ask again later; if it persists: ${fix}`),
      );
  }
  return verdictFrom({
    findings,
    passSummary: `every rua address takes mail: ${input.answers.map((a) => `${a.address} (${a.mx}: ${a.code})`).join(', ')}`,
    expected: 'every rua=mailto: address of the DMARC record accepted at its MX (RCPT TO 250)',
    observed: input.answers.map((a) => `${a.address}: ${a.code ?? '-'} ${a.reply}`).join('; ') || 'no rua address',
    evidence: [{ label: 'rua addresses asked', detail: input.answers }],
  });
}
