/**
 * The inbound check a sound deployment adds to Postal's inspection, which by itself scores spam but checks
 * neither SPF nor DMARC (Postal 3.3.2): SpamAssassin site rules that give 10 points to a message whose From
 * is the deployment's domain, or a domain publishing DMARC p=reject, when the hop that handed it to the MX
 * is not an address that domain's SPF lists — what rspamd's DMARC module does when DMARC_POLICY_REJECT is
 * weighted above the spam threshold. Postal then marks it (X-Postal-Spam: yes, spam_status "Spam").
 *
 * The rules look only at the hop `by=<mail host>`, the first one SpamAssassin sees when Postal inspects
 * incoming mail; at the mailbox providers (which share the world's spamd) their own Received line comes
 * first, so the rules never fire there. Every world hop is on 127/8, which SpamAssassin always trusts:
 * the hop is read from X-Spam-Relays-Trusted.
 */
export interface GuardedDomain {
  domain: string;
  /** the addresses the domain's SPF authorises */
  ips: string[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `postalHosts`: the names Postal's SMTP server gives itself in its Received line (the mail host; its smtp_hostname). */
export function spoofRules(postalHosts: string | readonly string[], domains: GuardedDomain[]): string[] {
  const by = [...new Set(typeof postalHosts === 'string' ? [postalHosts] : postalHosts)].map(escape).join('|');
  return domains.flatMap((d, i) => {
    const name = `POSTAL_QA_SPOOF_${i + 1}`;
    const allowed = d.ips.map((ip) => `${escape(ip)} `).join('|');
    return [
      `header __${name}_FROM From:addr =~ /\\@${escape(d.domain)}$/i`,
      `header __${name}_HOP X-Spam-Relays-Trusted =~ /^\\[ ip=(?!${allowed})\\S+ [^\\]]*\\bby=(?:${by}) /`,
      `meta ${name} __${name}_FROM && __${name}_HOP`,
      `describe ${name} From ${d.domain}, handed to the MX by an address its SPF does not list`,
      `score ${name} 10`,
    ];
  });
}
