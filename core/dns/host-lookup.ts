import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { createResolver } from './resolver.ts';

/** The callback shape `net.connect({ lookup })`, `tls.connect` and undici's `connect.lookup` expect. */
export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/**
 * Resolves host names the way the target's clients must: through the target's own DNS (the world's
 * resolver in embedded mode, a configured resolver live), or the system resolver (`server` "system"). Names are never
 * mapped behind DNS's back.
 */
export function createHostLookup(server: string, timeoutMs: number): LookupFunction {
  if (server === 'system') return systemLookup;
  return (hostname, options, callback) => {
    const reply = (address: string) => (options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4));
    if (isIP(hostname)) return reply(hostname);
    // One resolver per lookup: cancelling a timed-out lookup must not cancel another in flight.
    const resolver = createResolver(server, { timeoutMs: Math.max(50, Math.floor(timeoutMs / 3)), tries: 2 });
    const guard = setTimeout(() => resolver.cancel(), timeoutMs);
    resolver.resolve4(hostname).then(
      (addresses) => {
        clearTimeout(guard);
        const address = addresses[0];
        if (address) return reply(address);
        callback(Object.assign(new Error(`cannot resolve ${hostname} via ${server}: no A record`), { code: 'ENODATA' }), '');
      },
      (error: NodeJS.ErrnoException) => {
        clearTimeout(guard);
        const what =
          error.code === 'ENOTFOUND'
            ? 'no such name (NXDOMAIN)'
            : error.code === 'ECANCELLED'
              ? `no answer within ${timeoutMs} ms`
              : (error.code ?? error.message);
        callback(Object.assign(new Error(`cannot resolve ${hostname} via ${server}: ${what}`), { code: error.code ?? 'ENODATA' }), '');
      },
    );
  };
}

/** Promise form, for evidence ("mail.mailgoat.ai → 127.0.0.10"). */
export function resolveHost(lookup: LookupFunction, hostname: string): Promise<string> {
  return new Promise((resolve, reject) =>
    lookup(hostname, {}, (error, address) =>
      error ? reject(error) : resolve(typeof address === 'string' ? address : address[0]!.address),
    ),
  );
}
