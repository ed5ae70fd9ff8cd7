/**
 * The deployment's DNS as the target's resolvers answer it: the authoritative (or primary) server for
 * the domain's own records, the reverse zone's server for PTR, and every resolver that must agree.
 */
import type { DnsObservation, DnsRecordType, DnsSnapshot } from '../checks/dns-observation.ts';
import { createDnsClient, type DnsClient } from '../clients/dns-client.ts';
import { gatherSpf } from '../clients/spf-gatherer.ts';
import type { ResolverEndpoint } from '../targets/target.ts';
import type { ProbeContext } from './probe-context.ts';

export interface DnsZoneProbe {
  query(name: string, type: DnsRecordType): Promise<DnsObservation>;
  /** The PTR of an address, and the A records of every name it gives (forward confirmation). */
  reverseAndForward(ip: string): Promise<{ ptr: DnsObservation; forward: DnsObservation[] }>;
  /** Every record SPF evaluation of `domain` for `ip` needs, gathered once. */
  spfSnapshot(domain: string, ip: string): Promise<DnsSnapshot>;
  /** Each question asked of every resolver that must agree (DNS-07), in resolver order. */
  askEveryResolver(questions: Array<{ name: string; type: DnsRecordType }>): Promise<DnsObservation[]>;
  resolverLabels(): string[];
}

export function dnsZoneProbe(context: ProbeContext): DnsZoneProbe {
  const { target } = context;
  const client = (endpoint: ResolverEndpoint): DnsClient => createDnsClient({ server: endpoint.server, timeoutMs: target.timeouts.dnsMs });
  const primary = client(target.dns.primary);
  return {
    query: (name, type) => primary.query(name, type),
    async reverseAndForward(ip) {
      const ptr = await client(target.dns.reverse).reverse(ip);
      const forward: DnsObservation[] = [];
      for (const name of ptr.answers) forward.push(await primary.query(name, 'A'));
      return { ptr, forward };
    },
    spfSnapshot: (domain, ip) => gatherSpf({ domain, ip, client: primary }),
    async askEveryResolver(questions) {
      const observations: DnsObservation[] = [];
      for (const resolver of target.dns.resolvers.map(client))
        for (const q of questions) observations.push(await resolver.query(q.name, q.type));
      return observations;
    },
    resolverLabels: () => target.dns.resolvers.map((r) => r.label),
  };
}
