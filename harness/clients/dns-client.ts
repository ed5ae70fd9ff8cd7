/**
 * DNS client on node's resolver (c-ares), pointed at one server. Every answer comes back as a
 * DnsObservation — never a throw — so checks can be pure and reports can show what was asked and said.
 */
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { createResolver, parseServer } from '../../core/dns/resolver.ts';
import type { DnsObservation, DnsRecordType, DnsSnapshot } from '../checks/dns-observation.ts';
import { normaliseName } from '../checks/dns-observation.ts';
import { answerFromObservation, dnsError, isDnsRecordType, type ResolveFunction, type ResolverAnswer } from '../checks/replay-resolver.ts';

export { parseServer };

export interface DnsClientOptions {
  /** "127.0.0.53", "127.0.0.53:5353", "::1" or "[::1]:5353". */
  server: string;
  /** Upper bound for one query, retries included. */
  timeoutMs: number;
}

export interface DnsClient {
  /** "address:port" of the server asked, as it appears in observations. */
  readonly server: string;
  query(name: string, type: DnsRecordType): Promise<DnsObservation>;
  /** PTR lookup of an address; the observation's name is `<reversed>.in-addr.arpa` (or `.ip6.arpa`). */
  reverse(ip: string): Promise<DnsObservation>;
}

const ERROR_TEXT: Record<string, string> = {
  ETIMEOUT: 'no answer',
  ECONNREFUSED: 'connection refused',
  EREFUSED: 'the server refused the query',
  ESERVFAIL: 'the server failed (SERVFAIL)',
  EBADRESP: 'malformed response',
  ECANCELLED: 'query cancelled',
};

/** `91.98.35.3` → `3.35.98.91.in-addr.arpa`; IPv6 → nibbles under ip6.arpa. */
export function reverseName(ip: string): string {
  const family = isIP(ip);
  if (family === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (family === 6) {
    const [head = '', tail = ''] = ip.toLowerCase().split('::');
    const headGroups = head ? head.split(':') : [];
    const tailGroups = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
    const groups = ip.includes('::')
      ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
      : headGroups;
    const nibbles = groups
      .map((g) => g.padStart(4, '0'))
      .join('')
      .split('');
    return `${nibbles.reverse().join('.')}.ip6.arpa`;
  }
  throw new TypeError(`"${ip}" is not an IP address`);
}

async function resolveRaw(resolver: dnsPromises.Resolver, name: string, type: DnsRecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${normaliseName(mx.exchange)}`);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    case 'CNAME':
      return (await resolver.resolveCname(name)).map(normaliseName);
    case 'PTR':
      return (await resolver.resolvePtr(name)).map(normaliseName);
    case 'NS':
      return (await resolver.resolveNs(name)).map(normaliseName);
    case 'CAA':
      return (await resolver.resolveCaa(name)).map((caa) => {
        const [tag, value] = (Object.entries(caa) as Array<[string, unknown]>).find(([key]) => key !== 'critical') ?? ['issue', ''];
        return `${caa.critical} ${tag} "${String(value)}"`;
      });
  }
}

export function createDnsClient(options: DnsClientOptions): DnsClient {
  const { label } = parseServer(options.server);
  const timeoutMs = Math.max(1, Math.floor(options.timeoutMs));
  // c-ares doubles the per-try timeout on retry, so `tries: 2` waits about 3× `timeout` in all;
  // a third of the budget per try keeps the whole query near timeoutMs. A guard timer enforces it.
  const perTryMs = Math.max(50, Math.floor(timeoutMs / 3));

  async function query(rawName: string, type: DnsRecordType): Promise<DnsObservation> {
    const name = normaliseName(rawName);
    const base = { name, type, resolver: label } as const;
    // One resolver per query, so cancelling a timed-out query cannot cancel another in flight.
    const resolver = createResolver(options.server, { timeoutMs: perTryMs, tries: 2 });

    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([resolveRaw(resolver, name, type), guard]);
      if (outcome === 'timeout') {
        resolver.cancel();
        return { ...base, status: 'error', answers: [], error: errorText('ETIMEOUT', name, type, label, timeoutMs) };
      }
      if (outcome.length === 0) return { ...base, status: 'nodata', answers: [] };
      return { ...base, status: 'ok', answers: outcome };
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EUNKNOWN';
      if (code === 'ENOTFOUND') return { ...base, status: 'nxdomain', answers: [] };
      if (code === 'ENODATA') return { ...base, status: 'nodata', answers: [] };
      const detail = code in ERROR_TEXT ? undefined : (err as Error).message;
      return { ...base, status: 'error', answers: [], error: errorText(code, name, type, label, timeoutMs, detail) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    server: label,
    query,
    reverse: (ip: string) => query(reverseName(ip), 'PTR'),
  };
}

function errorText(code: string, name: string, type: string, server: string, timeoutMs: number, detail?: string): string {
  const what = ERROR_TEXT[code] ?? detail ?? 'query failed';
  const within = code === 'ETIMEOUT' ? ` within ${timeoutMs} ms` : '';
  return `${code}: ${what} for ${type} ${name} from DNS server ${server}${within}`;
}

/**
 * A resolver shaped like `dns.promises.resolve` (what mailauth takes) that asks the client and
 * records every observation into `snapshot` (replacing an earlier one for the same question).
 */
export function recordingResolver(client: DnsClient, snapshot: DnsSnapshot): ResolveFunction {
  return async (name: string, rrtype: string): Promise<ResolverAnswer> => {
    const type = rrtype.toUpperCase();
    if (!isDnsRecordType(type)) throw dnsError('ENOTIMP', normaliseName(name), type);
    const observation = await client.query(name, type);
    const index = snapshot.findIndex(
      (o) => o.type === observation.type && o.name === observation.name && o.resolver === observation.resolver,
    );
    if (index >= 0) snapshot[index] = observation;
    else snapshot.push(observation);
    return answerFromObservation(observation);
  };
}
