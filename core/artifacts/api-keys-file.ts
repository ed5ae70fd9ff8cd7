/**
 * `postal-api-keys.txt`, the deliverable the deployment plan names: one `<address> <key>` line per
 * agent and `smtp <key>` for the shared SMTP credential. The live harness reads it back
 * (POSTAL_API_KEYS_FILE), so the reader accepts what a person may have typed by hand and, when a
 * line is wrong, says which one — without ever echoing a key.
 */
import { readConfigFile } from '../read-user-file.ts';
import { ConfigError } from '../config-error.ts';
import { registerSecret } from '../secret-registry.ts';
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

/**
 * Every field that is not an address is registered as a secret before a line is judged (a key may sit
 * in the wrong column), and a mistake names file:line:column and what was expected — never a field's text.
 */
export function parseApiKeysFile(text: string, source: string): PostalCredentialsFile {
  const apiKeys = new Map<string, string>();
  let smtpKey: string | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const raw of lines) {
    if (raw.trim().startsWith('#')) continue;
    for (const field of raw.trim().split(/\s+/)) if (!ADDRESS_PATTERN.test(field) && field.toLowerCase() !== SMTP_CREDENTIAL_NAME) registerSecret(field);
  }
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const indent = raw.length - raw.trimStart().length;
    const fields = line.split(/\s+/);
    const keyColumn = indent + line.indexOf(fields[1] ?? '', fields[0]!.length) + 1;
    const at = (column: number): string => `${source}:${index + 1}:${column}`;
    if (fields.length !== 2) {
      throw new ConfigError(`${at(indent + 1)}: expected "<address> <key>" (two fields separated by a space), found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    }
    const [name, key] = fields as [string, string];
    const isSmtp = name.toLowerCase() === SMTP_CREDENTIAL_NAME;
    if (!isSmtp && !ADDRESS_PATTERN.test(name)) {
      const swapped = ADDRESS_PATTERN.test(key) && API_KEY_PATTERN.test(name);
      throw new ConfigError(`${at(indent + 1)}: the first field is not an email address (or "smtp")${swapped ? '; the two columns look swapped: write "<address> <key>"' : ''}`);
    }
    const who = isSmtp ? 'smtp' : name.toLowerCase();
    if (!API_KEY_PATTERN.test(key)) {
      throw new ConfigError(`${at(keyColumn)}: the key for ${who} is not 24 letters and digits (got ${key.length} characters); copy it again from Postal's Credentials page`);
    }
    if (isSmtp) {
      if (smtpKey !== undefined) throw new ConfigError(`${at(indent + 1)}: a second "smtp" line; keep one`);
      smtpKey = key;
      return;
    }
    if (apiKeys.has(who)) throw new ConfigError(`${at(indent + 1)}: ${who} is listed twice; keep one line per address`);
    apiKeys.set(who, key);
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
