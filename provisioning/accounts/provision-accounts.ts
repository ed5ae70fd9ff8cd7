/**
 * Writes the accounts manifest (what the world boots from and a later step applies to a real
 * Postal) and the `postal-api-keys.txt` deliverable. Both hold credentials: mode 600 in a
 * mode-700 folder, written atomically so a reader never sees half a file.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { ensureDkimKey } from '../dns/dkim-key.ts';
import type { AccountsManifest } from '../../core/artifacts/accounts-manifest.ts';
import { API_KEYS_FILE_NAME, renderApiKeysFile } from '../../core/artifacts/api-keys-file.ts';
import { generateAccountsManifest } from './generate-accounts-manifest.ts';
import { readAccountsManifest } from '../../core/artifacts/read-accounts-manifest.ts';
import { writeDeliverable } from '../deliverable-ownership.ts';

export const ACCOUNTS_MANIFEST_FILE_NAME = 'accounts-manifest.json';

export interface ProvisionAccountsResult {
  manifest: AccountsManifest;
  manifestPath: string;
  apiKeysPath: string;
  /** absolute-or-as-given path of the DKIM key the manifest names */
  dkimPrivateKeyPath: string;
  /** how many credentials (API and SMTP) kept their key from the previous manifest */
  reusedCredentials: number;
}

export function provisionAccounts(
  deployment: Deployment,
  outDir: string,
  options: { fresh?: boolean; force?: boolean } = {},
): ProvisionAccountsResult {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  chmodSync(outDir, 0o700);
  const manifestPath = join(outDir, ACCOUNTS_MANIFEST_FILE_NAME);
  const apiKeysPath = join(outDir, API_KEYS_FILE_NAME);

  // An unreadable previous manifest stops us: silently starting over would rotate all 13 keys.
  const existing = !options.fresh && existsSync(manifestPath) ? readAccountsManifest(manifestPath) : undefined;

  // The same key provisioning/dns publishes (made here when DNS has not run yet, reused otherwise),
  // so the two steps can run in either order and still agree.
  const dkim = ensureDkimKey(outDir, deployment.dns.dkim.keyBits, { selector: deployment.dns.dkim.selector });
  const manifest = generateAccountsManifest(deployment, {
    dkimPrivateKeyFile: relative(outDir, dkim.path),
    ...(existing ? { existing } : {}),
  });

  const addresses = new Map(deployment.agents.map((agent) => [agent.id, agent.address]));
  // Mode 600, atomic, and never over a keys file provisioning did not write (Postal's real keys) without --force.
  writeDeliverable(outDir, manifestPath, JSON.stringify(manifest, null, 2) + '\n', 0o600, options.force);
  writeDeliverable(
    outDir,
    apiKeysPath,
    renderApiKeysFile(manifest, (agentId) => addresses.get(agentId) ?? agentId),
    0o600,
    options.force,
  );

  const previousKeys = new Set(existing?.credentials.map((c) => c.key) ?? []);
  return {
    manifest,
    manifestPath,
    apiKeysPath,
    dkimPrivateKeyPath: dkim.path,
    reusedCredentials: manifest.credentials.filter((c) => previousKeys.has(c.key)).length,
  };
}
