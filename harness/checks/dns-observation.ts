/**
 * DNS answers as observed by a client, recorded so checks can be pure and reports can show them.
 * TXT answers are the record's character-strings joined (a 2048-bit DKIM key spans several).
 * MX answers are "<priority> <exchange>"; CAA `<flags> <tag> "<value>"`; names are lower-case without the trailing dot.
 */
export type DnsRecordType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'PTR' | 'NS' | 'CAA';

export type DnsStatus = 'ok' | 'nxdomain' | 'nodata' | 'error';

export interface DnsObservation {
  name: string;
  type: DnsRecordType;
  /** "address:port" of the server that answered. */
  resolver: string;
  status: DnsStatus;
  answers: string[];
  /** Set when status is "error" (timeout, refused, servfail). */
  error?: string;
}

/** A set of observations that can be replayed as a resolver, for checks that must follow references (SPF). */
export type DnsSnapshot = DnsObservation[];

export function findObservation(snapshot: DnsSnapshot, name: string, type: DnsRecordType): DnsObservation | undefined {
  const wanted = normaliseName(name);
  return snapshot.find((o) => o.type === type && normaliseName(o.name) === wanted);
}

export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
