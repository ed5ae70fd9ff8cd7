/**
 * What goes into a provider's aggregate report about one message, read from mailauth's verdict:
 * the policy published (p, sp, pct, adkim, aspf), the identifiers, each DKIM signature and the SPF
 * result, whether each is aligned, and the disposition applied. A message whose From domain publishes
 * no DMARC record is not reported (there is nobody to report to).
 */
import type { JudgedMessage, PublishedPolicy } from './dmarc-report-xml.ts';

interface MailauthVerdict {
  dkim?: { headerFrom?: string[]; results?: Array<{ signingDomain?: string; selector?: string; status?: { result?: string } }> };
  spf?: { domain?: string; status?: { result?: string } } | false;
  dmarc?:
    | {
        status?: { result?: string };
        domain?: string;
        policy?: string;
        p?: string;
        sp?: string;
        pct?: number;
        alignment?: { spf?: { result?: string | false; strict?: boolean }; dkim?: { result?: string | false; strict?: boolean } };
      }
    | false;
}

export function judgedMessage(
  auth: unknown,
  context: { sourceIp: string; helo: string; mailFrom: string; envelopeTo: string; rejected: boolean },
): { policy: PublishedPolicy; message: JudgedMessage } | undefined {
  const verdict = auth as MailauthVerdict;
  const dmarc = verdict.dmarc;
  if (!dmarc || !dmarc.domain || !['pass', 'fail'].includes(dmarc.status?.result ?? '')) return undefined;
  const from = verdict.dkim?.headerFrom?.[0] ?? '';
  const headerFrom = from.slice(from.lastIndexOf('@') + 1).toLowerCase() || dmarc.domain;
  const envelopeFrom = context.mailFrom
    ? context.mailFrom.slice(context.mailFrom.lastIndexOf('@') + 1).toLowerCase()
    : context.helo.toLowerCase();
  const failed = dmarc.status?.result === 'fail';
  const disposition = !failed
    ? 'none'
    : context.rejected || dmarc.policy === 'reject'
      ? 'reject'
      : dmarc.policy === 'quarantine'
        ? 'quarantine'
        : 'none';
  const spf = verdict.spf || undefined;
  return {
    policy: {
      domain: dmarc.domain,
      adkim: dmarc.alignment?.dkim?.strict ? 's' : 'r',
      aspf: dmarc.alignment?.spf?.strict ? 's' : 'r',
      p: dmarc.p ?? 'none',
      sp: dmarc.sp ?? dmarc.p ?? 'none',
      pct: dmarc.pct ?? 100,
    },
    message: {
      sourceIp: context.sourceIp,
      headerFrom,
      envelopeFrom,
      envelopeTo: context.envelopeTo,
      disposition,
      dkimAligned: Boolean(dmarc.alignment?.dkim?.result),
      spfAligned: Boolean(dmarc.alignment?.spf?.result),
      dkim: (verdict.dkim?.results ?? [])
        .filter((r) => r.signingDomain)
        .map((r) => ({ domain: r.signingDomain!.toLowerCase(), selector: r.selector ?? '', result: r.status?.result ?? 'none' })),
      spf: {
        domain: spf?.domain?.toLowerCase() ?? envelopeFrom,
        scope: context.mailFrom ? 'mfrom' : 'helo',
        result: spf?.status?.result ?? 'none',
      },
    },
  };
}
