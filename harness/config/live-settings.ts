import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseApiKeysFile } from '../../core/artifacts/api-keys-file.ts';
import { ConfigError } from '../../core/config-error.ts';
import { describeFound } from '../../core/format-zod-error.ts';
import { readUserFile } from '../../core/read-user-file.ts';
import type { Area } from '../controls/catalog.ts';
import { DEFAULT_PUBLIC_RESOLVERS } from '../targets/public-resolvers.ts';

/**
 * Settings the live target needs, from the environment or a `.env.live` file (environment wins).
 * Each setting says which areas need it, so `--only=dns` against live needs no API key.
 */
export interface LiveSettingSpec {
  key: string;
  description: string;
  neededBy: Area[];
  secret: boolean;
}

export const LIVE_SETTINGS: LiveSettingSpec[] = [
  { key: 'POSTAL_API_URL', description: 'base URL of the Postal web/API, e.g. https://postal.mailgoat.ai', neededBy: ['infrastructure', 'security', 'functionality', 'performance'], secret: false },
  { key: 'POSTAL_API_KEYS_FILE', description: 'path to postal-api-keys.txt (one "address key" line per agent)', neededBy: ['infrastructure', 'security', 'functionality', 'performance'], secret: false },
  { key: 'SEED_GMAIL_ADDRESS', description: 'a Gmail seed mailbox the suite sends to', neededBy: ['functionality'], secret: false },
  { key: 'SEED_GMAIL_PASSWORD', description: 'app password of the Gmail seed (IMAP)', neededBy: ['functionality'], secret: true },
  { key: 'SEED_OUTLOOK_ADDRESS', description: 'an Outlook seed mailbox the suite sends to', neededBy: ['functionality'], secret: false },
  { key: 'SEED_OUTLOOK_PASSWORD', description: 'app password of the Outlook seed (IMAP)', neededBy: ['functionality'], secret: true },
];

/** Optional settings: without them the controls that need them are skipped, saying which to set. */
export const OPTIONAL_LIVE_SETTINGS: Array<{ key: string; description: string; secret: boolean }> = [
  { key: 'DNS_RESOLVERS', description: 'resolvers DNS-07 compares, comma-separated', secret: false },
  { key: 'DNS_AUTHORITATIVE', description: "the domain's authoritative servers (default: discovered from NS)", secret: false },
  { key: 'POSTAL_SERVICES_COMMAND', description: 'prints `docker compose ps --format json`, e.g. "ssh root@91.98.35.3 docker compose -p postal ps --format json"', secret: false },
  { key: 'POSTAL_CONTAINERS_COMMAND', description: 'prints `docker ps -a --format json` (MariaDB runs apart from the compose project as postal-mariadb), e.g. "ssh root@91.98.35.3 docker ps -a --format json"', secret: false },
  { key: 'POSTAL_DKIM_RECORD', description: "the domain's DKIM record exactly as Postal's DNS page shows it (DNS-04 compares the published one with it)", secret: false },
  { key: 'MAILGOAT_CLI', description: 'the MailGoat CLI command for FN-06, e.g. "node /opt/mailgoat/dist/index.js"', secret: false },
  { key: 'MAILGOAT_INBOX_DB', description: "an agent's MailGoat inbox database ({agent} substituted), for FN-06's `inbox --json --db-path`", secret: false },
  { key: 'POSTAL_HEALTH_URLS', description: 'worker and smtp health URLs reachable from here, e.g. through an SSH tunnel: "worker=http://127.0.0.1:9090/health,smtp=http://127.0.0.1:9091/health"', secret: false },
  { key: 'INBOX_LIST_COMMAND', description: 'prints an agent inbox as `mailgoat inbox list --json`, {agent} substituted, e.g. "ssh mailgoat@host mailgoat inbox list --json --db-path /srv/inbox/{agent}.db"', secret: false },
  { key: 'SPAMD_HOST', description: 'host:port of a SpamAssassin spamd used to score received mail (FN-05)', secret: false },
];

export interface LiveSettings {
  values: Record<string, string>;
  /** Resolvers compared by DNS-07, "address[:port]". */
  resolvers: string[];
  /** Authoritative servers to ask for the domain's records; discovered from NS when empty. */
  authoritative: string[];
  secrets: string[];
}

export function parseEnvFile(text: string, source: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) throw new ConfigError(`${source}:${index + 1}: expected KEY=value`);
    values[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  });
  return values;
}

function listOf(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** "address" or "address:port" (IPv6 in brackets with a port), the form core/dns/resolver.ts reads. */
function isServer(text: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return isIP(bracketed[1]!) === 6 && validPort(bracketed[2]);
  if (isIP(text) === 6) return true;
  const [address, port, ...rest] = text.split(':');
  return rest.length === 0 && isIP(address!) === 4 && validPort(port);
}
const validPort = (port: string | undefined): boolean => port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
const isHttpUrl = (text: string): boolean => {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};
const serverList = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * What each setting must look like, checked before the run: a wrong value is exit 2 naming the
 * setting, never an error inside a control halfway through the run. Secrets are only checked for
 * presence and never echoed.
 */
const liveSettingsSchema = z.object({
  POSTAL_API_URL: z.string().refine(isHttpUrl, 'expected an http(s) URL like https://postal.mailgoat.ai').optional(),
  POSTAL_API_KEYS_FILE: z.string().optional(),
  SEED_GMAIL_ADDRESS: z.string().regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,63}$/i, 'expected an email address like seed@gmail.com').optional(),
  SEED_OUTLOOK_ADDRESS: z.string().regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,63}$/i, 'expected an email address like seed@outlook.com').optional(),
  SEED_GMAIL_PASSWORD: z.string().optional(),
  SEED_OUTLOOK_PASSWORD: z.string().optional(),
  DNS_RESOLVERS: z
    .string()
    .refine((v) => serverList(v).length > 0 && serverList(v).every(isServer), 'expected comma-separated IP addresses with an optional :port, e.g. 1.1.1.1,8.8.8.8')
    .optional(),
  DNS_AUTHORITATIVE: z
    .string()
    .refine((v) => serverList(v).length > 0 && serverList(v).every(isServer), 'expected comma-separated IP addresses with an optional :port, e.g. 213.133.100.98')
    .optional(),
  POSTAL_SERVICES_COMMAND: z.string().trim().min(1).optional(),
  POSTAL_CONTAINERS_COMMAND: z.string().trim().min(1).optional(),
  POSTAL_DKIM_RECORD: z.string().regex(/^v=DKIM1; t=s; h=sha256; p=[A-Za-z0-9+/=]+;?$/, 'expected the record as Postal shows it: v=DKIM1; t=s; h=sha256; p=<key>;').optional(),
  MAILGOAT_CLI: z.string().trim().min(1).optional(),
  MAILGOAT_INBOX_DB: z.string().trim().min(1).optional(),
  POSTAL_HEALTH_URLS: z
    .string()
    .refine(
      (v) => serverList(v).length > 0 && serverList(v).every((pair) => /^[a-z0-9_-]+=/i.test(pair) && isHttpUrl(pair.slice(pair.indexOf('=') + 1))),
      'expected name=URL pairs separated by commas, e.g. worker=http://127.0.0.1:9090/health',
    )
    .optional(),
  INBOX_LIST_COMMAND: z.string().refine((v) => v.includes('{agent}'), 'expected a command containing {agent}, e.g. "mailgoat inbox list --json --db-path /srv/inbox/{agent}.db"').optional(),
  SPAMD_HOST: z
    .string()
    .refine((v) => /^[a-z0-9.-]+:\d{1,5}$/i.test(v) && validPort(v.split(':')[1]), 'expected host:port, e.g. 127.0.0.1:783')
    .optional(),
});

const SECRET_KEYS = new Set([...LIVE_SETTINGS, ...OPTIONAL_LIVE_SETTINGS].filter((s) => s.secret).map((s) => s.key));

/** One line for the first wrong setting: its name, what it must be, what it is (never a secret's value). */
function checkSettings(values: Record<string, string>, envFile: string): void {
  const parsed = liveSettingsSchema.safeParse(values, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    const found = SECRET_KEYS.has(key) ? '' : `, found ${describeFound(values[key])}`;
    throw new ConfigError(`${key}: ${issue.message}${found} (from the environment or ${envFile})`);
  }
  const keysFile = values.POSTAL_API_KEYS_FILE;
  if (keysFile) {
    // Read and parsed now, not when the live target opens: a wrong file is exit 2 before anything is asked of the server.
    const text = readUserFile({ path: keysFile, namedBy: 'POSTAL_API_KEYS_FILE', what: 'API keys file', whenMissing: 'point it at postal-api-keys.txt' });
    parseApiKeysFile(text, `POSTAL_API_KEYS_FILE=${keysFile}`);
  }
}

export function loadLiveSettings(
  selectedAreas: ReadonlySet<Area>,
  env: NodeJS.ProcessEnv = process.env,
  envFile = '.env.live',
): LiveSettings {
  const fromFile = existsSync(envFile) ? parseEnvFile(readUserFile({ path: envFile, what: 'live settings file (KEY=value lines)' }), envFile) : {};
  const lookup = (key: string): string | undefined => env[key] || fromFile[key] || undefined;

  const missing = LIVE_SETTINGS.filter((s) => s.neededBy.some((a) => selectedAreas.has(a)) && !lookup(s.key));
  if (missing.length > 0) {
    throw new ConfigError(
      `--env=live is missing ${missing.length} setting${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `${m.key} (${m.description})`).join('; ')} — set them as environment variables or in ${envFile}, or narrow the run with --only=dns`,
    );
  }
  const values: Record<string, string> = {};
  for (const s of [...LIVE_SETTINGS, ...OPTIONAL_LIVE_SETTINGS]) {
    const value = lookup(s.key);
    if (value) values[s.key] = value;
  }
  checkSettings(values, envFile);
  return {
    values,
    resolvers: listOf(lookup('DNS_RESOLVERS')).length ? listOf(lookup('DNS_RESOLVERS')) : DEFAULT_PUBLIC_RESOLVERS,
    authoritative: listOf(lookup('DNS_AUTHORITATIVE')),
    secrets: LIVE_SETTINGS.filter((s) => s.secret && values[s.key]).map((s) => values[s.key]!),
  };
}
