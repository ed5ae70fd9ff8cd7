/**
 * The embedded world: a small Internet on loopback addresses (see addresses.ts).
 * For now it holds the DNS: a primary authoritative server and a secondary that serves the same
 * data, or a stale copy of the zone when `staleZoneText` is given (propagation not finished).
 */
import type { Deployment } from '../harness/config/deployment-schema.ts';
import { worldAddresses, type WorldAddresses } from './addresses.ts';
import { DnsServer, type DnsEndpoint, type DnsServerOptions } from './dns-server.ts';
import { buildWorldRecords } from './world-dns.ts';

export interface StartWorldOptions {
  deployment: Deployment;
  /** the deployment's zone file (postal-dns-records.txt or a user's own) */
  zoneText: string;
  /** when given, the secondary DNS serves this zone instead (a stale copy) */
  staleZoneText?: string;
  /** first three octets of the world's addresses; default 127.0.0 */
  net?: string;
  /** port of both DNS servers (UDP and TCP); default 53 */
  dnsPort?: number;
  /** logs every DNS query */
  onDnsQuery?: DnsServerOptions['onQuery'];
}

export interface World {
  addresses: WorldAddresses;
  endpoints: {
    dns: DnsEndpoint;
    dnsSecondary: DnsEndpoint;
  };
  /** Stops everything; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startWorld(options: StartWorldOptions): Promise<World> {
  const addresses = worldAddresses(options.net);
  const port = options.dnsPort ?? 53;
  const fresh = buildWorldRecords({ deployment: options.deployment, zoneText: options.zoneText, net: addresses.net, serial: 2 });
  const secondaryRecords =
    options.staleZoneText === undefined
      ? fresh
      : buildWorldRecords({ deployment: options.deployment, zoneText: options.staleZoneText, net: addresses.net, serial: 1 });

  const primary = new DnsServer({ address: addresses.dns, port, records: fresh, onQuery: options.onDnsQuery });
  const secondary = new DnsServer({ address: addresses.dnsSecondary, port, records: secondaryRecords, onQuery: options.onDnsQuery });
  const started: Array<{ stop(): Promise<void> }> = [];

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= Promise.allSettled(started.map((s) => s.stop())).then(() => undefined);
    return stopping;
  };

  try {
    for (const server of [primary, secondary]) {
      started.push(server);
      await server.start();
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    addresses,
    endpoints: { dns: primary.endpoint, dnsSecondary: secondary.endpoint },
    stop,
  };
}
