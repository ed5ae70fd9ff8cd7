/** Writes the DNS deliverable (`postal-dns-records.txt`) and the DKIM private key into an output folder. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { ensureDkimKey } from './dkim-key.ts';
import { generateDnsRecords, renderZoneFile } from './generate-zone.ts';
import type { DnsRecord } from '../../core/artifacts/zone-file.ts';
import { writeDeliverable } from '../deliverable-ownership.ts';

export const ZONE_FILE_NAME = 'postal-dns-records.txt';

export interface ProvisionDnsResult {
  zoneFilePath: string;
  dkimPrivateKeyPath: string;
  /** Postal's install-wide signing.key (1024-bit RSA, as `postal bootstrap` makes it). */
  installSigningKeyPath: string;
  records: DnsRecord[];
  /** the rendered zone file */
  zoneText: string;
  dkimPublicKeyBase64: string;
  /** whether an existing DKIM key was reused */
  dkimKeyReused: boolean;
}

export function provisionDns(deployment: Deployment, outDir: string, options: { fresh?: boolean; force?: boolean } = {}): ProvisionDnsResult {
  mkdirSync(outDir, { recursive: true });
  const key = ensureDkimKey(outDir, deployment.dns.dkim.keyBits, { selector: deployment.dns.dkim.selector, fresh: options.fresh });
  const installKey = ensureDkimKey(outDir, 1024, { selector: 'postal-install-signing', fresh: options.fresh });
  const records = generateDnsRecords(deployment, key.publicKeyBase64, installKey.publicKeyBase64);
  const zoneText = renderZoneFile(records, deployment);
  const zoneFilePath = join(outDir, ZONE_FILE_NAME);
  // Written aside and renamed, so a concurrent reader sees the old file or the new one, never half; and
  // never over a file provisioning did not write (the records Postal's real key went into) without --force.
  writeDeliverable(outDir, zoneFilePath, zoneText, 0o644, options.force);
  return {
    zoneFilePath,
    dkimPrivateKeyPath: key.path,
    installSigningKeyPath: installKey.path,
    records,
    zoneText,
    dkimPublicKeyBase64: key.publicKeyBase64,
    dkimKeyReused: key.reused,
  };
}
