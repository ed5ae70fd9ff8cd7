/**
 * The one place a DNS resolver is made. Every part of the project that asks DNS — the harness's
 * clients, the world's providers and Postal stand-in, mailauth's verifier — asks through a resolver
 * from here, pointed at one server, so no answer ever comes from the host's resolver by accident.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';

export interface ResolverOptions {
  /** c-ares' per-try timeout; it doubles on each retry. */
  timeoutMs?: number;
  tries?: number;
  /** Ask from this local address (a simulated host queries from its own address). */
  localAddress?: string;
}

/** Splits "host[:port]" into what `setServers` accepts and an "address:port" label. */
export function parseServer(server: string): { setServersArg: string; label: string } {
  const s = server.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) {
    const host = bracketed[1] ?? '';
    const port = bracketed[2] ?? '53';
    return { setServersArg: `[${host}]:${port}`, label: `[${host}]:${port}` };
  }
  if (isIP(s) === 6) return { setServersArg: s, label: `[${s}]:53` };
  const hostPort = /^([^:]+):(\d+)$/.exec(s);
  if (hostPort && isIP(hostPort[1]!) === 4 && Number(hostPort[2]) > 0 && Number(hostPort[2]) < 65536) return { setServersArg: s, label: s };
  if (isIP(s) === 4) return { setServersArg: s, label: `${s}:53` };
  throw new Error(`DNS server "${server}" is not an address like 127.0.0.53 or 127.0.0.53:5353`);
}

/** "address" for port 53, "address:port" otherwise: the form settings and labels use. */
export function serverString(endpoint: { address: string; port: number }): string {
  return endpoint.port === 53 ? endpoint.address : `${endpoint.address}:${endpoint.port}`;
}

/** A resolver that asks `server` ("addr" or "addr:port") and nothing else. */
export function createResolver(server: string, options: ResolverOptions = {}): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 2_000, tries: options.tries ?? 2 });
  resolver.setServers([parseServer(server).setServersArg]);
  if (options.localAddress) resolver.setLocalAddress(options.localAddress);
  return resolver;
}

/** The `(name, rrtype)` shape mailauth wants (like `dns.promises.resolve`; NXDOMAIN arrives as ENOTFOUND). */
export type ResolveFunction = (name: string, rrtype: string) => Promise<unknown>;

/** `server` may be "system": the host's own resolver (live mode with no resolver setting). */
export function resolveFunction(server: string, options: ResolverOptions = {}): ResolveFunction {
  if (server === 'system') return (name, rrtype) => dns.resolve(name, rrtype as 'TXT');
  const resolver = createResolver(server, options);
  return (name, rrtype) => resolver.resolve(name, rrtype as 'TXT');
}
