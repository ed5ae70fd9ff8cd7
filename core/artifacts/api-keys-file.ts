/**
 * `postal-api-keys.txt`, the deliverable the deployment plan names: one `<address> <key>` line per
 * agent and `smtp <key>` for the shared SMTP credential. The live harness reads it back
 * (POSTAL_API_KEYS_FILE), so the reader accepts what a person may have typed by hand and, when a
 * line is wrong, says which one — without ever echoing a key.
 */
import { readConfigFile } from '../read-user-file.ts';
import { ConfigError } from '../config-error.ts';
import type { AccountsManifest } from './accounts-manifest.ts';
import { API_KEY_PATTERN } from './accounts-manifest-schema.ts';
import { SMTP_CREDENTIAL_NAME } from './accounts-manifest.ts';

export const API_KEYS_FILE_NAME = 'postal-api-keys.txt';

const ADDRESS_PATTERN = /^[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]{2,63}$/i;

export function renderApiKeysFile(manifest: AccountsManifest, addressOf: (agentId: string) => string): string {
  const lines = [
    `# Postal API credentials for ${manifest.domain.name} (server "${manifest.server.name}"), generated ${manifest.generatedAt}.`,
    '# SECRET: keep this file mode 600; never commit, paste or log it.',
    '# Format: "<agent address> <API key>" per line (X-Server-API-Key); "smtp <key>" is the SMTP AUTH password.',
  ];
  for (const credential of manifest.credentials) {
    if (credential.type === 'API' && credential.agentId) lines.push(`${addressOf(credential.agentId)} ${credential.key}`);
  }
  for (const credential of manifest.credentials) {
    if (credential.type === 'SMTP') lines.push(`${SMTP_CREDENTIAL_NAME} ${credential.key}`);
  }
  return lines.join('\n') + '\n';
}

export interface PostalCredentialsFile {
  /** agent address (lower case) → API key, in file order */
  apiKeys: Map<string, string>;
  smtpKey?: string;
}

export function parseApiKeysFile(text: string, source: string): PostalCredentialsFile {
  const apiKeys = new Map<string, string>();
  let smtpKey: string | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${source}:${index + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) {
      throw new ConfigError(`${where}: expected "<address> <key>" (two fields separated by a space), found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    }
    const [name, key] = fields as [string, string];
    const isSmtp = name.toLowerCase() === SMTP_CREDENTIAL_NAME;
    if (!isSmtp && !ADDRESS_PATTERN.test(name)) throw new ConfigError(`${where}: "${name}" is not an email address (or "smtp")`);
    if (!API_KEY_PATTERN.test(key)) {
      throw new ConfigError(`${where}: the key for ${name} is not 24 letters and digits (got ${key.length} characters); copy it again from Postal's Credentials page`);
    }
    if (isSmtp) {
      if (smtpKey !== undefined) throw new ConfigError(`${where}: a second "smtp" line; keep one`);
      smtpKey = key;
      return;
    }
    const address = name.toLowerCase();
    if (apiKeys.has(address)) throw new ConfigError(`${where}: ${address} is listed twice; keep one line per address`);
    apiKeys.set(address, key);
  });
  if (apiKeys.size === 0) throw new ConfigError(`${source}: no "<address> <key>" lines found; the file must list each agent's API key`);
  return smtpKey === undefined ? { apiKeys } : { apiKeys, smtpKey };
}

export function readCredentialsFile(path: string): PostalCredentialsFile {
  const text = readConfigFile(path, 'API keys file', 'set POSTAL_API_KEYS_FILE or run provisioning/accounts/main.ts');
  return parseApiKeysFile(text, path);
}

/** address → API key. The SMTP line is left out: every entry here is an agent's API credential. */
export function readApiKeysFile(path: string): Map<string, string> {
  return readCredentialsFile(path).apiKeys;
}
