/**
 * The DNS deliverable, `postal-dns-records.txt`:
 * - `provisionDnsRecords` (npm run provision:dns) writes the records the deployment needs. Postal's DKIM
 *   records are Postal's to make (a random selector and key per domain, and the install's signing.key): once
 *   `npm run provision` has read them back (postal-state.json in the same folder) they are written as Postal
 *   made them; before that they are placeholders, commented out, never a key of ours Postal does not have.
 * - `provisionDns` makes the world's boot artifacts: records with keys made here, which the world's Postal
 *   stand-in is given as if it had made them (the world boots "already provisioned").
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { ensureDkimKey } from './dkim-key.ts';
import { generateDnsRecords, renderZoneFile } from './generate-zone.ts';
import type { DnsRecord } from '../../core/artifacts/zone-file.ts';
import { writeDeliverable } from '../deliverable-ownership.ts';
import { POSTAL_STATE_FILE_NAME, readPostalState } from '../../core/artifacts/postal-state.ts';
import { normalizeName } from '../../core/artifacts/zone-file.ts';
import { INSTALL_DKIM_SELECTOR, returnPathDomainOf } from './generate-zone.ts';

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

export function provisionDns(
  deployment: Deployment,
  outDir: string,
  options: { fresh?: boolean; force?: boolean } = {},
): ProvisionDnsResult {
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

export interface ProvisionDnsRecordsResult {
  zoneFilePath: string;
  zoneText: string;
  records: DnsRecord[];
  /** Postal's selector, when its records were read back (postal-state.json); absent: DKIM is a placeholder */
  postalSelector?: string;
}

const pOf = (record: string): string => /p=([A-Za-z0-9+/=]+)/.exec(record)![1]!;

/** `npm run provision:dns`: the records, with Postal's DKIM records when provisioning has read them back. */
export function provisionDnsRecords(deployment: Deployment, outDir: string, options: { force?: boolean } = {}): ProvisionDnsRecordsResult {
  mkdirSync(outDir, { recursive: true });
  const statePath = join(outDir, POSTAL_STATE_FILE_NAME);
  let records: DnsRecord[];
  let zoneText: string;
  let postalSelector: string | undefined;
  if (existsSync(statePath)) {
    const state = readPostalState(statePath);
    postalSelector = state.dkim.selector;
    const withPostalSelector: Deployment = {
      ...deployment,
      dns: { ...deployment.dns, dkim: { ...deployment.dns.dkim, selector: state.dkim.selector } },
    };
    records = generateDnsRecords(
      withPostalSelector,
      pOf(state.dkim.record),
      state.installDkimRecord ? pOf(state.installDkimRecord) : undefined,
    );
    zoneText = renderZoneFile(records, withPostalSelector);
  } else {
    const dkimName = `${deployment.dns.dkim.selector.toLowerCase()}._domainkey.${normalizeName(deployment.domain)}`;
    records = generateDnsRecords(deployment, '').filter((r) => !(r.type === 'TXT' && r.name === dkimName));
    zoneText = `${renderZoneFile(records, deployment)}${dkimPlaceholders(deployment)}`;
  }
  const zoneFilePath = join(outDir, ZONE_FILE_NAME);
  // Never over records provisioning did not write (the user's edits, Postal's real key) without --force.
  writeDeliverable(outDir, zoneFilePath, zoneText, 0o644, options.force);
  return { zoneFilePath, zoneText, records, ...(postalSelector ? { postalSelector } : {}) };
}

/** The two DKIM records only Postal can give, as commented placeholders: nothing here is publishable. */
function dkimPlaceholders(deployment: Deployment): string {
  const { dkimIdentifier } = deployment.postal;
  const domain = normalizeName(deployment.domain);
  return [
    '',
    '; ---------------------------------------------------------------------------',
    '; DKIM — PLACEHOLDERS, NOT RECORDS: Postal makes these keys itself. When `npm run provision` creates the',
    `; domain, Postal gives it a random selector (${dkimIdentifier}-<six letters and digits>) and its own key; that run`,
    '; reads them back and rewrites this file with the real records (and postal-state.json beside it). Publish',
    '; those, then run `npm run provision -- --phase=2`. Until then Postal signs with its install key.',
    ';',
    `; ${dkimIdentifier}-??????._domainkey.${domain}.  IN TXT  "v=DKIM1; t=s; h=sha256; p=<the key Postal shows for ${domain}>;"`,
    `; ${INSTALL_DKIM_SELECTOR}._domainkey.${returnPathDomainOf(deployment)}.  IN TXT  "<the record \`postal default-dkim-record\` prints>"`,
    '',
  ].join('\n');
}
