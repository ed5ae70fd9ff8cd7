import { readConfigFile } from '../read-user-file.ts';
import { ConfigError } from '../config-error.ts';
import { formatZodError } from '../format-zod-error.ts';
import type { AccountsManifest } from './accounts-manifest.ts';
import { accountsManifestSchema } from './accounts-manifest-schema.ts';

export function parseAccountsManifest(text: string, source: string): AccountsManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message}); fix it or provision again with --fresh`);
  }
  // reportInput tells a wrong type from a missing field; secret: the manifest holds API keys, never echoed.
  const parsed = accountsManifestSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(`${formatZodError(source, parsed.error, accountsManifestSchema, { secret: true })}; fix it or provision again with --fresh`);
  return parsed.data;
}

/** Reads and validates an accounts manifest; every problem is a one-line ConfigError naming the field. */
export function readAccountsManifest(path: string): AccountsManifest {
  const text = readConfigFile(path, 'accounts manifest', 'run provisioning/accounts/main.ts first');
  return parseAccountsManifest(text, path);
}
