/** What a named fault is: the parts of the world it changes (zone, stale zone, manifest, Postal, the started world). */
import type { AccountsManifest } from '../core/artifacts/accounts-manifest.ts';
import type { DnsRecord } from '../core/artifacts/zone-file.ts';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import type { PostalFaultOptions } from './postal/postal-faults.ts';
import type { World } from './world.ts';

export interface FaultContext {
  deployment: Deployment;
}

export interface WorldFault {
  name: string;
  description: string;
  /** The public report of this mistake (an issue, a checker's documented test, an RFC section). */
  source?: string;
  zone?: (records: DnsRecord[], ctx: FaultContext) => DnsRecord[];
  staleZone?: (records: DnsRecord[], ctx: FaultContext) => DnsRecord[];
  manifest?: (manifest: AccountsManifest, ctx: FaultContext) => AccountsManifest;
  postal?: PostalFaultOptions;
  afterStart?: (world: World, ctx: FaultContext) => void | Promise<void>;
}
