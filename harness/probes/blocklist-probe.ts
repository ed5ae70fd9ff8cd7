/**
 * The DNS blocklists asked about the server (DNS-08, FN-05's blocklist deduction): each list for the
 * subject and for its RFC 5782 test point, through one resolver — DNSBL_RESOLVER, else the target's
 * resolver for host names, else the system's (Spamhaus refuses the big public resolvers).
 */
import { getServers } from 'node:dns';
import { BLOCKLISTS, blocklistQuery, TEST_POINTS } from '../../core/dnsbl/blocklists.ts';
import { blocklistStatus, type BlocklistLookup } from '../checks/blocklist-check.ts';
import { createDnsClient } from '../clients/dns-client.ts';
import type { ProbeContext } from './probe-context.ts';

export interface BlocklistProbe {
  /** "address[:port]" the lists are asked through. */
  readonly resolver: string;
  /** Every list of the subject's kind, asked about the server IP and the mail domain. */
  lookups(subjects: { ip: string; domain: string }): Promise<BlocklistLookup[]>;
  /** Whether a major IP list lists `ip` (for FN-05's deduction). */
  listsIp(ip: string): Promise<boolean>;
}

export function blocklistProbe(context: ProbeContext): BlocklistProbe {
  const { target } = context;
  const resolver = target.blocklistResolver ?? (target.hostResolver !== 'system' ? target.hostResolver : (getServers()[0] ?? '127.0.0.53'));
  const client = createDnsClient({ server: resolver, timeoutMs: target.timeouts.dnsMs });
  const cache = new Map<string, Promise<BlocklistLookup[]>>();

  async function ask(subject: string, kind: 'ip' | 'domain'): Promise<BlocklistLookup[]> {
    return Promise.all(
      BLOCKLISTS.filter((list) => list.lists === kind).map(async (list) => {
        const [answer, testPoint] = await Promise.all([
          client.query(blocklistQuery(list, subject), 'A'),
          client.query(blocklistQuery(list, TEST_POINTS[kind].listed), 'A'),
        ]);
        const lookup: BlocklistLookup = { list, subject, answer, testPoint };
        if (answer.status === 'ok' && answer.answers.length > 0) {
          const txt = await client.query(blocklistQuery(list, subject), 'TXT');
          if (txt.answers.length > 0) lookup.reason = txt.answers;
        }
        return lookup;
      }),
    );
  }
  const cached = (subject: string, kind: 'ip' | 'domain'): Promise<BlocklistLookup[]> => {
    const key = `${kind} ${subject}`;
    if (!cache.has(key)) cache.set(key, ask(subject, kind));
    return cache.get(key)!;
  };
  return {
    resolver,
    async lookups({ ip, domain }) {
      return [...(await cached(ip, 'ip')), ...(await cached(domain, 'domain'))];
    },
    async listsIp(ip) {
      return (await cached(ip, 'ip')).some((lookup) => lookup.list.major && blocklistStatus(lookup).state === 'listed');
    },
  };
}
