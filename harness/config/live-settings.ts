import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../../core/config-error.ts';
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

export function loadLiveSettings(
  selectedAreas: ReadonlySet<Area>,
  env: NodeJS.ProcessEnv = process.env,
  envFile = '.env.live',
): LiveSettings {
  const fromFile = existsSync(envFile) ? parseEnvFile(readFileSync(envFile, 'utf8'), envFile) : {};
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
  return {
    values,
    resolvers: listOf(lookup('DNS_RESOLVERS')).length ? listOf(lookup('DNS_RESOLVERS')) : DEFAULT_PUBLIC_RESOLVERS,
    authoritative: listOf(lookup('DNS_AUTHORITATIVE')),
    secrets: LIVE_SETTINGS.filter((s) => s.secret && values[s.key]).map((s) => values[s.key]!),
  };
}
