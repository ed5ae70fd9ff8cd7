/**
 * DNS as the stand-in sees it: the world's DNS server, queried from the stand-in's own address
 * (like the host's resolver in `dns.resolv_conf_path`). A short cache, as a caching resolver would have,
 * so a record changed by a fault shows up within `cacheMs`.
 */
import { createResolver } from '../../core/dns/resolver.ts';

export interface PostalResolver {
  mx(name: string): Promise<Array<{ exchange: string; priority: number }>>;
  a(name: string): Promise<string[]>;
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  /** DNSResolver#ip_to_hostname: the PTR name of an address, or the address itself when it has none. */
  ipToHostname(ip: string): Promise<string>;
}

const EMPTY_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export function createPostalResolver(options: {
  dnsServer: string;
  localAddress: string;
  cacheMs?: number;
  timeoutMs?: number;
}): PostalResolver {
  const resolver = createResolver(options.dnsServer, {
    timeoutMs: options.timeoutMs ?? 2000,
    tries: 2,
    localAddress: options.localAddress,
  });
  const cacheMs = options.cacheMs ?? 1000;
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < cacheMs) return hit.value as Promise<T>;
    const value = load().catch((error: NodeJS.ErrnoException) => {
      if (error.code && EMPTY_CODES.has(error.code)) return [] as unknown as T;
      cache.delete(key); // never cache a transient failure
      throw error;
    });
    cache.set(key, { at: Date.now(), value });
    return value;
  }

  return {
    mx: (name) => cached(`MX ${name}`, () => resolver.resolveMx(name)),
    a: (name) => cached(`A ${name}`, () => resolver.resolve4(name)),
    txt: (name) => cached(`TXT ${name}`, async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))),
    cname: (name) => cached(`CNAME ${name}`, () => resolver.resolveCname(name)),
    ipToHostname: (ip) =>
      cached(`PTR ${ip}`, () => resolver.reverse(ip)).then(
        (names) => names[0]?.replace(/\.$/, '') ?? ip,
        () => ip,
      ),
  };
}
