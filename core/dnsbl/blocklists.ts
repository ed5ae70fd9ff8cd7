/**
 * The DNS blocklists a QA engineer checks before go-live: the ones Gmail, Outlook and Yahoo's filters
 * and most receiving servers consult (major: a listing there costs delivery), and others MXToolbox and
 * mail-tester also show (a listing there is worth fixing, but rarely blocks). Data only: the harness
 * queries them (DNS-08), the world serves them with their RFC 5782 test points.
 */
export interface Blocklist {
  zone: string;
  name: string;
  /** What is looked up: the server's IP (reversed octets) or the mail domain. */
  lists: 'ip' | 'domain';
  /** Consulted by the big providers or by default in common filters: a listing fails DNS-08. */
  major: boolean;
  /** Where the operator looks the listing up and asks for removal. */
  lookup: string;
  /**
   * Answers that are not listings but refusals (Spamhaus: 127.255.255.252 typo, .254 public resolver,
   * .255 too many queries): the list could not be asked, which is not the same as "not listed".
   */
  refusals?: Record<string, string>;
}

const SPAMHAUS_REFUSALS = {
  '127.255.255.252': 'the query was malformed (typo in the zone)',
  '127.255.255.254': 'Spamhaus refuses queries that come through a public or open resolver',
  '127.255.255.255': 'Spamhaus refuses: too many queries from this resolver',
};

export const BLOCKLISTS: readonly Blocklist[] = [
  {
    zone: 'zen.spamhaus.org',
    name: 'Spamhaus ZEN',
    lists: 'ip',
    major: true,
    lookup: 'https://check.spamhaus.org/',
    refusals: SPAMHAUS_REFUSALS,
  },
  { zone: 'bl.spamcop.net', name: 'SpamCop', lists: 'ip', major: true, lookup: 'https://www.spamcop.net/bl.shtml' },
  { zone: 'b.barracudacentral.org', name: 'Barracuda', lists: 'ip', major: true, lookup: 'https://www.barracudacentral.org/lookups' },
  { zone: 'psbl.surriel.com', name: 'PSBL', lists: 'ip', major: false, lookup: 'https://psbl.org/' },
  { zone: 'bl.mailspike.net', name: 'Mailspike', lists: 'ip', major: false, lookup: 'https://mailspike.io/' },
  {
    zone: 'dnsbl-1.uceprotect.net',
    name: 'UCEPROTECT level 1',
    lists: 'ip',
    major: false,
    lookup: 'https://www.uceprotect.net/en/rblcheck.php',
  },
  { zone: 'ix.dnsbl.manitu.net', name: 'NiX Spam', lists: 'ip', major: false, lookup: 'https://www.nixspam.net/' },
  {
    zone: 'dbl.spamhaus.org',
    name: 'Spamhaus DBL',
    lists: 'domain',
    major: true,
    lookup: 'https://check.spamhaus.org/',
    refusals: { ...SPAMHAUS_REFUSALS, '127.0.1.255': 'the domain is an IP address or otherwise not queryable' },
  },
  { zone: 'multi.surbl.org', name: 'SURBL', lists: 'domain', major: false, lookup: 'https://www.surbl.org/surbl-analysis' },
];

/** RFC 5782 §5: every IP list must list 127.0.0.2 and must not list 127.0.0.1; domain lists use "test" and "invalid". */
export const TEST_POINTS = { ip: { listed: '127.0.0.2', unlisted: '127.0.0.1' }, domain: { listed: 'test', unlisted: 'invalid' } } as const;

/** The name to look up: `3.35.98.91.zen.spamhaus.org` for 91.98.35.3, `mailgoat.ai.dbl.spamhaus.org` for a domain. */
export function blocklistQuery(list: Pick<Blocklist, 'zone' | 'lists'>, subject: string): string {
  return list.lists === 'ip' ? `${subject.split('.').reverse().join('.')}.${list.zone}` : `${subject}.${list.zone}`;
}
