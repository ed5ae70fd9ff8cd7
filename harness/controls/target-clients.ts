import { createHostLookup, type LookupFunction } from '../../core/dns/host-lookup.ts';
import { createHttpClient, type HttpClient } from '../clients/http-client.ts';
import { createPostalApi, type PostalApi } from '../clients/postal-api-client.ts';
import type { TargetDescriptor } from '../targets/target.ts';

export interface TargetClients {
  lookup: LookupFunction;
  http: HttpClient;
  /** Undefined when the target has no Postal settings (e.g. live with --only=dns). */
  postal?: PostalApi;
  close(): Promise<void>;
}

/** The protocol clients a spec file uses, configured from the target descriptor and nothing else. */
export function clientsFor(target: TargetDescriptor): TargetClients {
  const lookup = createHostLookup(target.hostResolver, target.timeouts.dnsMs);
  const http = createHttpClient({ lookup, ca: target.trustedCaPem, timeoutMs: target.timeouts.connectMs });
  return {
    lookup,
    http,
    postal: target.postal ? createPostalApi(http, target.postal.webUrl) : undefined,
    close: () => http.close(),
  };
}

export function requirePostal(clients: TargetClients): PostalApi {
  if (!clients.postal) throw new Error('this target has no Postal API settings (POSTAL_API_URL)');
  return clients.postal;
}
