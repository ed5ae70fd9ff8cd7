import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { createDnsClient } from './dns-client.ts';

/** The callback shape `net.connect({ lookup })`, `tls.connect` and undici's `connect.lookup` expect. */
export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/**
 * Resolves host names the way the target's clients must: through the target's own DNS (the world's
 * resolver in embedded mode), or the system resolver for live. Names are never mapped behind DNS's back.
 */
export function createHostLookup(server: string | 'system', timeoutMs: number): LookupFunction {
  if (server === 'system') return systemLookup as unknown as LookupFunction;
  const dns = createDnsClient({ server, timeoutMs });
  return (hostname, options, callback) => {
    const reply = (address: string) =>
      options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);
    if (isIP(hostname)) return reply(hostname);
    dns.query(hostname, 'A').then((observation) => {
      const address = observation.answers[0];
      if (observation.status === 'ok' && address) return reply(address);
      const error: NodeJS.ErrnoException = new Error(
        `cannot resolve ${hostname} via ${dns.server}: ${observation.status}${observation.error ? ` (${observation.error})` : ''}`,
      );
      error.code = observation.status === 'nxdomain' ? 'ENOTFOUND' : 'ENODATA';
      callback(error, '');
    }, (error: NodeJS.ErrnoException) => callback(error, ''));
  };
}

/** Promise form, for evidence ("mail.mailgoat.ai → 127.0.0.10"). */
export function resolveHost(lookup: LookupFunction, hostname: string): Promise<string> {
  return new Promise((resolve, reject) =>
    lookup(hostname, {}, (error, address) => (error ? reject(error) : resolve(typeof address === 'string' ? address : address[0]!.address))),
  );
}
