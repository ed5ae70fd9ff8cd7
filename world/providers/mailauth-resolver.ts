/**
 * A DNS resolver that asks only the world's DNS server: what a provider's MTA and the outside
 * sender use, so SPF, DKIM, DMARC, MX and PTR answers come from the world and never from the host.
 */
import { promises as dns } from 'node:dns';
import type { DNSResolver } from 'mailauth';
import { createResolver, serverString } from '../../core/dns/resolver.ts';
import type { DnsEndpoint } from '../dns-server.ts';

export interface WorldResolver {
  /** node's resolver, pointed at the world DNS */
  resolver: dns.Resolver;
  /** the same, shaped like `dns.promises.resolve` as mailauth wants it (NXDOMAIN → ENOTFOUND) */
  resolve: DNSResolver;
}

export function worldResolver(server: DnsEndpoint, { timeoutMs = 2000, tries = 2 } = {}): WorldResolver {
  const resolver = createResolver(serverString(server), { timeoutMs, tries });
  const resolve = ((name: string, rrtype: string) => resolver.resolve(name, rrtype)) as unknown as DNSResolver;
  return { resolver, resolve };
}

/** The PTR name of an address, or undefined when there is none (or DNS does not answer in time). */
export async function reverseName(resolver: dns.Resolver, ip: string): Promise<string | undefined> {
  try {
    const [name] = await resolver.reverse(ip);
    return name;
  } catch {
    return undefined;
  }
}
