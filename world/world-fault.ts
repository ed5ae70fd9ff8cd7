/** What a named fault is: the parts of the world it changes (zone, stale zone, manifest, Postal, the started world). */
import type { AccountsManifest } from '../core/artifacts/accounts-manifest.ts';
import type { DnsRecord } from '../core/artifacts/zone-file.ts';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import type { PostalFaultOptions } from './postal/postal-faults.ts';
import type { DomainDnssec, World } from './world.ts';

export interface FaultContext {
  deployment: Deployment;
}

export interface WorldFault {
  name: string;
  description: string;
  /**
   * Where the misconfiguration comes from: a Postal issue or discussion URL, a file of Postal's source
   * ("postalserver/postal@3.3.2:<path>"), or a checker's documented test (mail-tester, internet.nl,
   * checkdmarc, testssl.sh, nmap's SMTP scripts, MXToolbox) — an operator really makes it.
   */
  source: string;
  zone?: (records: DnsRecord[], ctx: FaultContext) => DnsRecord[];
  staleZone?: (records: DnsRecord[], ctx: FaultContext) => DnsRecord[];
  manifest?: (manifest: AccountsManifest, ctx: FaultContext) => AccountsManifest;
  postal?: PostalFaultOptions;
  /** How the world's DNS server signs the domain's zone (world/dnssec/). */
  dnssec?: DomainDnssec;
  afterStart?: (world: World, ctx: FaultContext) => void | Promise<void>;
}
