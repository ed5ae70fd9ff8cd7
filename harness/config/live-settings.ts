import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseApiKeysFile } from '../../core/artifacts/api-keys-file.ts';
import { POSTAL_STATE_FILE_NAME, readPostalState } from '../../core/artifacts/postal-state.ts';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../core/config-error.ts';
import { parseEnvFile } from '../../core/env-file.ts';

export { parseEnvFile };
import { closestKey, describeFound } from '../../core/format-zod-error.ts';
import { controlCharacterColumn, isHostName } from '../../core/host-name.ts';
import { registerCommandSecrets, registerSecret, registerUrlSecrets } from '../../core/secret-registry.ts';
import { urlProblem, type UrlRules } from './url-setting.ts';
import { readUserFile } from '../../core/read-user-file.ts';
import type { Area } from '../controls/catalog.ts';
import { DEFAULT_PUBLIC_RESOLVERS } from './public-resolvers.ts';
import { DEADLINE_DESCRIPTIONS, DEADLINE_SETTINGS, readDeadlineOverrides } from './deadline-overrides.ts';

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
  {
    key: 'POSTAL_API_URL',
    description: 'base URL of the Postal web/API, e.g. https://postal.mailgoat.ai',
    neededBy: ['infrastructure', 'security', 'functionality', 'performance'],
    secret: false,
  },
  {
    key: 'POSTAL_API_KEYS_FILE',
    description: 'path to postal-api-keys.txt (one "address key" line per agent)',
    neededBy: ['infrastructure', 'security', 'functionality', 'performance'],
    secret: false,
  },
  { key: 'SEED_GMAIL_ADDRESS', description: 'a Gmail seed mailbox the suite sends to', neededBy: ['functionality'], secret: false },
  { key: 'SEED_GMAIL_PASSWORD', description: 'app password of the Gmail seed (IMAP)', neededBy: ['functionality'], secret: true },
  { key: 'SEED_OUTLOOK_ADDRESS', description: 'an Outlook seed mailbox the suite sends to', neededBy: ['functionality'], secret: false },
  { key: 'SEED_OUTLOOK_PASSWORD', description: 'app password of the Outlook seed (IMAP)', neededBy: ['functionality'], secret: true },
];

/**
 * Optional settings: without them a control that needs one is skipped, saying which to set, or the real
 * provider's default is used. Every endpoint the live target talks to is one of these, so the same code
 * path runs against production, an SSH tunnel, or the embedded world (`npm run world -- --live-env=<file>`).
 */
export const OPTIONAL_LIVE_SETTINGS: Array<{ key: string; description: string; secret: boolean }> = [
  {
    key: 'POSTAL_SERVER_IP',
    description: "the server's address as the Internet sees it (A record, SPF, PTR); default: server.ip of the deployment file",
    secret: false,
  },
  { key: 'POSTAL_SMTP', description: "host[:port] of Postal's SMTP service; default: <server.mailHost>:25", secret: false },
  {
    key: 'POSTAL_SMTP_CREDENTIAL',
    description: "an SMTP credential key of the mail server (Credentials → SMTP): FN-02 also sends through Postal's SMTP server with it",
    secret: true,
  },
  {
    key: 'HOST_RESOLVER',
    description: 'DNS server ("address[:port]") the suite resolves host names with, or "system" (default)',
    secret: false,
  },
  {
    key: 'CA_FILE',
    description: "PEM file of an extra root certificate to trust (a private CA, or the world's); default: the system store only",
    secret: false,
  },
  {
    key: 'DNSSEC_TRUST_ANCHOR',
    description: "the root's DS a DNSSEC validator trusts (DNS-13), `. DS <tag> <alg> <digest type> <hex>`; default IANA's root anchors",
    secret: false,
  },
  {
    key: 'DNSBL_RESOLVER',
    description:
      'DNS server ("address[:port]") the blocklists are asked through (DNS-08); default HOST_RESOLVER, else the system\'s. Spamhaus refuses public resolvers: use your own recursive resolver',
    secret: false,
  },
  {
    key: 'OUTBOUND_SMTP_COMMAND',
    description:
      'a command run on the server that prints the first line {ip}:25 sends ({host} and {ip} substituted), for INF-07, e.g. "ssh root@91.98.35.3 \'timeout 10 bash -c \\"exec 3<>/dev/tcp/{ip}/25 && head -n1 <&3\\"\'"',
    secret: false,
  },
  {
    key: 'OUTBOUND_SMTP_DOMAINS',
    description: 'providers whose preferred MX INF-07 tries (default gmail.com,outlook.com,yahoo.com)',
    secret: false,
  },
  { key: 'DNS_RESOLVERS', description: 'resolvers DNS-07 compares, comma-separated (default 1.1.1.1,8.8.8.8,9.9.9.9)', secret: false },
  { key: 'DNS_AUTHORITATIVE', description: "the domain's authoritative servers (default: discovered from NS)", secret: false },
  { key: 'SEED_GMAIL_IMAP', description: "host[:port] of the Gmail seed's IMAP (default imap.gmail.com:993)", secret: false },
  { key: 'SEED_GMAIL_IMAP_TLS', description: 'implicit or starttls (default: implicit on 993, starttls otherwise)', secret: false },
  { key: 'SEED_GMAIL_USER', description: 'IMAP login of the Gmail seed (default: its address)', secret: false },
  { key: 'SEED_OUTLOOK_IMAP', description: "host[:port] of the Outlook seed's IMAP (default outlook.office365.com:993)", secret: false },
  { key: 'SEED_OUTLOOK_IMAP_TLS', description: 'implicit or starttls (default: implicit on 993, starttls otherwise)', secret: false },
  { key: 'SEED_OUTLOOK_USER', description: 'IMAP login of the Outlook seed (default: its address)', secret: false },
  {
    key: 'OUTSIDE_SMTP',
    description:
      "host[:port] of an SMTP submission service outside the deployment, for mail from outside (FN-07); default smtp.gmail.com:587 with the Gmail seed's login",
    secret: false,
  },
  { key: 'OUTSIDE_SMTP_USER', description: "login at OUTSIDE_SMTP (default: the Gmail seed's address)", secret: false },
  { key: 'OUTSIDE_SMTP_PASSWORD', description: "password at OUTSIDE_SMTP (default: the Gmail seed's app password)", secret: true },
  { key: 'OUTSIDE_SMTP_FROM', description: 'the From address of mail from outside (default: OUTSIDE_SMTP_USER)', secret: false },
  {
    key: 'POSTAL_SERVICES_COMMAND',
    description: 'prints `docker compose ps --format json`, e.g. "ssh root@91.98.35.3 docker compose -p postal ps --format json"',
    secret: false,
  },
  { key: 'POSTAL_SERVICES_URL', description: 'instead of POSTAL_SERVICES_COMMAND: a URL that serves the same JSON', secret: false },
  {
    key: 'POSTAL_CONTAINERS_COMMAND',
    description:
      'prints `docker ps -a --format json` (MariaDB runs apart from the compose project as postal-mariadb), e.g. "ssh root@91.98.35.3 docker ps -a --format json"',
    secret: false,
  },
  { key: 'POSTAL_CONTAINERS_URL', description: 'instead of POSTAL_CONTAINERS_COMMAND: a URL that serves the same JSON', secret: false },
  {
    key: 'POSTAL_DKIM_RECORD',
    description: "the domain's DKIM record exactly as Postal's DNS page shows it (DNS-04 compares the published one with it)",
    secret: false,
  },
  {
    key: 'POSTAL_STATE_FILE',
    description:
      "the postal-state.json npm run provision writes (Postal's DKIM selector and record): DNS-04, DNS-07 and FN-04 expect Postal's selector; default: the file of that name beside POSTAL_API_KEYS_FILE, when there is one",
    secret: false,
  },
  { key: 'MAILGOAT_CLI', description: 'the MailGoat CLI command for FN-06, e.g. "node /opt/mailgoat/dist/index.js"', secret: false },
  {
    key: 'MAILGOAT_SERVER_URL',
    description: 'the `server` the CLI is configured with, when it differs from POSTAL_API_URL',
    secret: false,
  },
  {
    key: 'MAILGOAT_INBOX_DB',
    description:
      "an agent's MailGoat inbox database ({agent} substituted), for FN-06's `inbox --json --db-path`, when the recipient's own `inbox serve` already runs",
    secret: false,
  },
  {
    key: 'MAILGOAT_INBOX_SERVE',
    description:
      "address[:port] where FN-06 runs the CLI's own `mailgoat inbox serve` as the recipient's endpoint: where Postal's route for the recipient posts, reachable from this machine (port: the recipient's endpoint port)",
    secret: false,
  },
  {
    key: 'POSTAL_HEALTH_URLS',
    description:
      'worker and smtp health URLs reachable from here, e.g. through an SSH tunnel: "worker=http://127.0.0.1:9090/health,smtp=http://127.0.0.1:9091/health"',
    secret: false,
  },
  {
    key: 'INBOX_LIST_COMMAND',
    description:
      'prints an agent inbox as `mailgoat inbox list --json`, {agent} substituted, run by /bin/sh, e.g. "ssh mailgoat@host \'mailgoat inbox list --json --db-path /srv/inbox/{agent}.db\'"',
    secret: false,
  },
  {
    key: 'INBOX_LIST_URLS',
    description: 'instead of INBOX_LIST_COMMAND: agent=URL pairs, each URL serving that inbox as `inbox list --json` does',
    secret: false,
  },
  { key: 'SPAMD_HOST', description: 'host:port of a SpamAssassin spamd used to score received mail (FN-05)', secret: false },
  {
    key: 'MAIL_TESTER_USER',
    description:
      "your mail-tester.com account name: FN-05 sends to <user>-<run id>@MAIL_TESTER_DOMAIN and takes mail-tester's own score from its JSON API (one test credit per run)",
    secret: false,
  },
  {
    key: 'MAIL_TESTER_ADDRESS',
    description:
      'instead of MAIL_TESTER_USER: a one-off address from mail-tester.com (test-…@srv1.mail-tester.com); a new one is needed for every run',
    secret: false,
  },
  { key: 'MAIL_TESTER_DOMAIN', description: "the domain of MAIL_TESTER_USER's addresses (default mail-tester.com)", secret: false },
  {
    key: 'MAIL_TESTER_URL',
    description: "where mail-tester's reports are read, <url>/<id>&format=json (default https://www.mail-tester.com)",
    secret: false,
  },
  {
    key: 'DMARC_REPORTS_WAIT_S',
    description:
      "seconds FN-08 waits for the providers' DMARC aggregate reports on this run's own seed mail (default 0: read what has arrived; real providers report once a day)",
    secret: false,
  },
  {
    key: 'DMARC_REPORTS_DIR',
    description: 'a folder of DMARC aggregate report files (.xml, .xml.gz, .zip, .eml) FN-08 reads besides the rua inbox',
    secret: false,
  },
  {
    key: 'DMARC_REPORTS_IMAP',
    description: 'host[:port] of an IMAP mailbox that receives the rua reports (read instead of the agent inbox when set)',
    secret: false,
  },
  { key: 'DMARC_REPORTS_IMAP_USER', description: "that mailbox's IMAP login", secret: false },
  { key: 'DMARC_REPORTS_IMAP_PASSWORD', description: "that mailbox's password", secret: true },
  { key: 'DMARC_REPORTS_IMAP_TLS', description: 'implicit or starttls (implicit on 993, starttls otherwise)', secret: false },
  { key: 'DMARC_REPORTS_IMAP_MAILBOX', description: 'the folder the reports land in (default INBOX)', secret: false },
  {
    key: 'SPOOF_PROBE_DOMAIN',
    description:
      'a domain publishing DMARC p=reject that SEC-07 forges in its second message to an agent (default paypal.com; its policy is read and shown)',
    secret: false,
  },
  {
    key: 'RELAY_PROBE_RECIPIENT',
    description:
      'the outside mailbox SEC-01 tries to relay to; an accepted attempt is carried through DATA and looked for there, so make it a seed mailbox the run reads (default: SEED_GMAIL_ADDRESS; an address the run cannot read judges acceptance at RCPT only)',
    secret: false,
  },
  ...Object.entries(DEADLINE_SETTINGS).map(([field, key]) => ({
    key,
    description: `seconds: ${DEADLINE_DESCRIPTIONS[field as keyof typeof DEADLINE_SETTINGS]}`,
    secret: false,
  })),
];

export interface LiveSettings {
  values: Record<string, string>;
  /** Resolvers compared by DNS-07, "address[:port]". */
  resolvers: string[];
  /** Authoritative servers to ask for the domain's records; discovered from NS when empty. */
  authoritative: string[];
  secrets: string[];
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** "address" or "address:port" (IPv6 in brackets with a port), the form core/dns/resolver.ts reads. */
function isServer(text: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return isIP(bracketed[1]!) === 6 && validPort(bracketed[2]);
  if (isIP(text) === 6) return true;
  const [address, port, ...rest] = text.split(':');
  return rest.length === 0 && isIP(address!) === 4 && validPort(port);
}
const validPort = (port: string | undefined): boolean =>
  port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
const isHttpUrl = (text: string): boolean => {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};
const serverList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** "host" or "host:port": a DNS name or an IPv4 address. */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const [host, port] = text.split(':');
  return { host: host!, port: port === undefined ? defaultPort : Number(port) };
}
const isHostPort = (text: string): boolean => {
  const [host, port, ...rest] = text.split(':');
  return rest.length === 0 && isHostName(host!) && validPort(port);
};
const hostPort = (example: string) => z.string().refine(isHostPort, `expected host[:port], e.g. ${example}`).optional();
const tlsMode = z.enum(['implicit', 'starttls'], { message: 'expected implicit or starttls' }).optional();
const emailAddress = (example: string) =>
  z
    .string()
    .regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,63}$/i, `expected an email address like ${example}`)
    .optional();

/**
 * What each setting must look like, checked before the run: a wrong value is exit 2 naming the
 * setting, never an error inside a control halfway through the run. Secrets are only checked for
 * presence and never echoed.
 */
const liveSettingsSchema = z.object({
  POSTAL_API_URL: z.string().optional(),
  POSTAL_API_KEYS_FILE: z.string().optional(),
  SEED_GMAIL_ADDRESS: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,63}$/i, 'expected an email address like seed@gmail.com')
    .optional(),
  SEED_OUTLOOK_ADDRESS: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,63}$/i, 'expected an email address like seed@outlook.com')
    .optional(),
  SEED_GMAIL_PASSWORD: z.string().optional(),
  SEED_OUTLOOK_PASSWORD: z.string().optional(),
  DNS_RESOLVERS: z
    .string()
    .refine(
      (v) => serverList(v).length > 0 && serverList(v).every(isServer),
      'expected comma-separated IP addresses with an optional :port, e.g. 1.1.1.1,8.8.8.8',
    )
    .optional(),
  DNS_AUTHORITATIVE: z
    .string()
    .refine(
      (v) => serverList(v).length > 0 && serverList(v).every(isServer),
      'expected comma-separated IP addresses with an optional :port, e.g. 213.133.100.98',
    )
    .optional(),
  POSTAL_SERVICES_COMMAND: z.string().trim().min(1).optional(),
  POSTAL_CONTAINERS_COMMAND: z.string().trim().min(1).optional(),
  POSTAL_DKIM_RECORD: z
    .string()
    .regex(/^v=DKIM1; t=s; h=sha256; p=[A-Za-z0-9+/=]+;?$/, 'expected the record as Postal shows it: v=DKIM1; t=s; h=sha256; p=<key>;')
    .optional(),
  POSTAL_STATE_FILE: z.string().trim().min(1).optional(),
  MAILGOAT_CLI: z.string().trim().min(1).optional(),
  MAILGOAT_INBOX_DB: z.string().trim().min(1).optional(),
  MAILGOAT_INBOX_SERVE: z
    .string()
    .refine(
      (v) => isServer(v) && isIP(v.split(':')[0]!) === 4,
      "expected the IPv4 address (with an optional :port) where Postal's route for the recipient posts, e.g. 10.0.0.5 or 10.0.0.5:3002",
    )
    .optional(),
  POSTAL_HEALTH_URLS: z
    .string()
    .refine(
      (v) =>
        serverList(v).length > 0 &&
        serverList(v).every((pair) => /^[a-z0-9_-]+=/i.test(pair) && isHttpUrl(pair.slice(pair.indexOf('=') + 1))),
      'expected name=URL pairs separated by commas, e.g. worker=http://127.0.0.1:9090/health',
    )
    .optional(),
  INBOX_LIST_COMMAND: z
    .string()
    .refine(
      (v) => v.includes('{agent}'),
      'expected a command containing {agent}, e.g. "mailgoat inbox list --json --db-path /srv/inbox/{agent}.db"',
    )
    .optional(),
  SPAMD_HOST: z
    .string()
    .refine(
      (v) => v.split(':').length === 2 && isHostName(v.split(':')[0]!) && /^\d{1,5}$/.test(v.split(':')[1]!) && validPort(v.split(':')[1]),
      'expected host:port, e.g. 127.0.0.1:783',
    )
    .optional(),
  POSTAL_SERVER_IP: z
    .string()
    .refine((v) => isIP(v) !== 0, 'expected an IP address like 91.98.35.3')
    .optional(),
  POSTAL_SMTP: hostPort('mail.mailgoat.ai:25'),
  POSTAL_SMTP_CREDENTIAL: z.string().regex(/^\S+$/, 'expected the credential key Postal shows (no spaces)').optional(),
  HOST_RESOLVER: z
    .string()
    .refine((v) => v === 'system' || isServer(v), 'expected "system" or a DNS server address with an optional :port, e.g. 127.0.0.53:53')
    .optional(),
  CA_FILE: z.string().trim().min(1).optional(),
  DNSSEC_TRUST_ANCHOR: z
    .string()
    .trim()
    .regex(
      /^\.?\s*(IN\s+)?DS\s+\d{1,5}\s+\d{1,3}\s+\d{1,3}\s+[0-9a-f]{40,128}$/i,
      'expected the root DS as ". DS <key tag> <algorithm> <digest type> <hex digest>"',
    )
    .optional(),
  OUTBOUND_SMTP_COMMAND: z
    .string()
    .refine((v) => v.includes('{ip}') || v.includes('{host}'), 'expected a command containing {ip} or {host}')
    .optional(),
  OUTBOUND_SMTP_DOMAINS: z
    .string()
    .refine(
      (v) => serverList(v).length > 0 && serverList(v).every((d) => isHostName(d) && /\.[a-z]{2,63}$/i.test(d)),
      'expected comma-separated domains, e.g. gmail.com,outlook.com',
    )
    .optional(),
  DNSBL_RESOLVER: z.string().refine(isServer, 'expected a DNS server address with an optional :port, e.g. 127.0.0.53').optional(),
  SEED_GMAIL_IMAP: hostPort('imap.gmail.com:993'),
  SEED_OUTLOOK_IMAP: hostPort('outlook.office365.com:993'),
  SEED_GMAIL_IMAP_TLS: tlsMode,
  SEED_OUTLOOK_IMAP_TLS: tlsMode,
  SEED_GMAIL_USER: z.string().trim().min(1).optional(),
  SEED_OUTLOOK_USER: z.string().trim().min(1).optional(),
  OUTSIDE_SMTP: hostPort('smtp.gmail.com:587'),
  OUTSIDE_SMTP_USER: z.string().trim().min(1).optional(),
  OUTSIDE_SMTP_PASSWORD: z.string().optional(),
  OUTSIDE_SMTP_FROM: emailAddress('someone@example.com'),
  POSTAL_SERVICES_URL: z.string().optional(),
  POSTAL_CONTAINERS_URL: z.string().optional(),
  MAILGOAT_SERVER_URL: z.string().optional(),
  INBOX_LIST_URLS: z
    .string()
    .refine(
      (v) =>
        serverList(v).length > 0 &&
        serverList(v).every((pair) => /^[a-z0-9_-]+=/i.test(pair) && isHttpUrl(pair.slice(pair.indexOf('=') + 1))),
      'expected agent=URL pairs separated by commas, e.g. ceo=http://127.0.0.1:8001/messages',
    )
    .optional(),
  RELAY_PROBE_RECIPIENT: emailAddress('postal-qa-relay-probe@example.com'),
  DMARC_REPORTS_WAIT_S: z
    .string()
    .regex(/^\d{1,4}$/, 'expected whole seconds from 0 to 9999, e.g. 0 or 20')
    .optional(),
  DMARC_REPORTS_DIR: z.string().trim().min(1).optional(),
  DMARC_REPORTS_IMAP: hostPort('imap.example.com:993'),
  DMARC_REPORTS_IMAP_USER: z.string().trim().min(1).optional(),
  DMARC_REPORTS_IMAP_PASSWORD: z.string().optional(),
  DMARC_REPORTS_IMAP_TLS: tlsMode,
  DMARC_REPORTS_IMAP_MAILBOX: z.string().trim().min(1).optional(),
  SPOOF_PROBE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,63}$/i, 'expected a domain like paypal.com')
    .optional(),
  MAIL_TESTER_USER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'expected your mail-tester account name (letters, digits, dots, dashes, underscores), e.g. mailgoat')
    .optional(),
  MAIL_TESTER_ADDRESS: emailAddress('test-abc123@srv1.mail-tester.com'),
  MAIL_TESTER_DOMAIN: z
    .string()
    .refine((v) => isHostName(v) && /\.[a-z]{2,63}$/i.test(v), 'expected a domain like mail-tester.com')
    .optional(),
  MAIL_TESTER_URL: z.string().optional(),
});

const SECRET_KEYS = new Set([...LIVE_SETTINGS, ...OPTIONAL_LIVE_SETTINGS].filter((s) => s.secret).map((s) => s.key));

/** Settings that are one URL, and what each must be. */
const URL_SETTINGS: Record<string, Omit<UrlRules, 'allowPlainHttp'>> = {
  POSTAL_API_URL: { base: true, carriesKeys: true, example: 'https://postal.mailgoat.ai' },
  MAILGOAT_SERVER_URL: { base: true, carriesKeys: true, example: 'https://postal.mailgoat.ai' },
  MAIL_TESTER_URL: { base: true, example: 'https://www.mail-tester.com' },
  POSTAL_SERVICES_URL: { example: 'http://127.0.0.1:9000/compose/ps' },
  POSTAL_CONTAINERS_URL: { example: 'http://127.0.0.1:9000/docker/ps' },
};
/** Settings that are name=URL pairs. */
const URL_PAIR_SETTINGS: Record<string, Omit<UrlRules, 'allowPlainHttp'>> = {
  POSTAL_HEALTH_URLS: { example: 'worker=http://127.0.0.1:9090/health' },
  INBOX_LIST_URLS: { example: 'ceo=http://127.0.0.1:8001/messages' },
};
/** Commands run by /bin/sh (an ssh line may carry a password anywhere in it). */
const COMMAND_SETTINGS = [
  'OUTBOUND_SMTP_COMMAND',
  'POSTAL_SERVICES_COMMAND',
  'POSTAL_CONTAINERS_COMMAND',
  'INBOX_LIST_COMMAND',
  'MAILGOAT_CLI',
];
/** Values an error line never quotes: secrets, and whatever may hold one. */
const NEVER_ECHOED = new Set([...SECRET_KEYS, ...Object.keys(URL_SETTINGS), ...Object.keys(URL_PAIR_SETTINGS), ...COMMAND_SETTINGS]);
/** A key in a settings file that looks like it holds a secret, known or misspelt (SEED_GMAIL_PASWORD). */
const SECRET_NAME = /PASS|PASW|PWD|SECRET|TOKEN|KEY$|CREDENTIAL/;

/**
 * Registers every value that is or may hold a secret — passwords, URL userinfo and query values,
 * commands — before any value is checked, so no error, log or report about it can show it.
 */
export function registerSettingSecrets(values: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!value) continue;
    if (SECRET_KEYS.has(key) || SECRET_NAME.test(key)) registerSecret(value);
    if (key in URL_SETTINGS || key.endsWith('_URL')) registerUrlSecrets(value);
    if (key in URL_PAIR_SETTINGS) for (const pair of serverList(value)) registerUrlSecrets(pair.slice(pair.indexOf('=') + 1));
    if (COMMAND_SETTINGS.includes(key) || key.endsWith('_COMMAND')) registerCommandSecrets(value);
  }
}

export interface SettingsOptions {
  /** --allow-plain-http: API keys may go over http:// to a host that is not loopback */
  allowPlainHttp?: boolean;
}

/** One line for the first wrong setting: its name, what it must be, what it is (never a secret's value). */
function checkSettings(values: Record<string, string>, source: string, options: SettingsOptions): void {
  for (const [key, value] of Object.entries(values)) {
    const column = controlCharacterColumn(value);
    if (column !== undefined)
      throw new ConfigError(
        `${key}: contains a control character (a line break, a tab) at character ${column}; expected one line of text (from ${source})`,
      );
  }
  const parsed = liveSettingsSchema.safeParse(values, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    const found = NEVER_ECHOED.has(key) ? '' : `, found ${describeFound(values[key])}`;
    throw new ConfigError(`${key}: ${issue.message}${found} (from ${source})`);
  }
  if (values.DMARC_REPORTS_IMAP && !(values.DMARC_REPORTS_IMAP_USER && values.DMARC_REPORTS_IMAP_PASSWORD)) {
    throw new ConfigError(
      `DMARC_REPORTS_IMAP is set without DMARC_REPORTS_IMAP_USER and DMARC_REPORTS_IMAP_PASSWORD: give the mailbox's login too (from ${source})`,
    );
  }
  for (const [key, rules] of Object.entries(URL_SETTINGS)) {
    const problem = values[key] === undefined ? undefined : urlProblem(values[key], { ...rules, allowPlainHttp: options.allowPlainHttp });
    if (problem) throw new ConfigError(`${key}: ${problem} (from ${source})`);
  }
  for (const [key, rules] of Object.entries(URL_PAIR_SETTINGS)) {
    for (const [index, pair] of serverList(values[key] ?? '').entries()) {
      const problem = urlProblem(pair.slice(pair.indexOf('=') + 1), rules);
      if (problem) throw new ConfigError(`${key}: pair ${index + 1}: ${problem} (from ${source})`);
    }
  }
  if (values.MAIL_TESTER_USER && values.MAIL_TESTER_ADDRESS) {
    throw new ConfigError(
      `MAIL_TESTER_USER and MAIL_TESTER_ADDRESS are both set: keep one (an account makes a new address each run; an address is used once) (from ${source})`,
    );
  }
  try {
    readDeadlineOverrides(values);
  } catch (error) {
    throw new ConfigError(`${(error as Error).message} (from ${source})`);
  }
  const keysFile = values.POSTAL_API_KEYS_FILE;
  if (keysFile) {
    // Read and parsed now, not when the live target opens: a wrong file is exit 2 before anything is asked of the server.
    const text = readUserFile({
      path: keysFile,
      namedBy: 'POSTAL_API_KEYS_FILE',
      what: 'API keys file',
      whenMissing: 'point it at postal-api-keys.txt',
    });
    parseApiKeysFile(text, `POSTAL_API_KEYS_FILE=${keysFile}`);
  }
  // Read and checked now too: a wrong state file would otherwise fail DNS-04 for the wrong reason.
  const stateFile = postalStateFileOf(values);
  if (stateFile) readPostalState(stateFile.path, stateFile.namedBy);
  if (values.CA_FILE) checkCaFile(values.CA_FILE);
}

/** Every PEM block of CA_FILE must be a certificate Node can read: garbage is refused now, not met as "self-signed root" later. */
function checkCaFile(path: string): void {
  const pem = readUserFile({
    path,
    namedBy: 'CA_FILE',
    what: 'CA certificate (PEM)',
    whenMissing: 'point it at a PEM file with BEGIN CERTIFICATE',
  });
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new ConfigError(
      `CA_FILE=${path}: no "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block in it; expected a PEM certificate`,
    );
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0]!.replace(/^error:[0-9A-F]+:/i, '');
      throw new ConfigError(
        `CA_FILE=${path}: certificate ${index + 1} of ${blocks.length} cannot be read (${reason}); export the CA again as PEM`,
      );
    }
  });
}

/** POSTAL_STATE_FILE, else postal-state.json beside POSTAL_API_KEYS_FILE when provisioning wrote one there. */
export function postalStateFileOf(values: Record<string, string>): { path: string; namedBy: string } | undefined {
  if (values.POSTAL_STATE_FILE) return { path: values.POSTAL_STATE_FILE, namedBy: 'POSTAL_STATE_FILE' };
  if (!values.POSTAL_API_KEYS_FILE) return undefined;
  const beside = join(dirname(values.POSTAL_API_KEYS_FILE), POSTAL_STATE_FILE_NAME);
  return existsSync(beside) ? { path: beside, namedBy: `${POSTAL_STATE_FILE_NAME} beside POSTAL_API_KEYS_FILE` } : undefined;
}

/** Keys other tools read from the same file (provisioning's SSH settings): accepted, not ours to check. */
const FOREIGN_KEY_PREFIXES = ['PROVISION_'];
const KNOWN_KEYS = [...LIVE_SETTINGS, ...OPTIONAL_LIVE_SETTINGS].map((s) => s.key);

/** A misspelt key in the file would silently fall back to a default (a real provider): refuse it, naming the closest. */
function checkFileKeys(fromFile: Record<string, string>, source: string): void {
  for (const key of Object.keys(fromFile)) {
    if (KNOWN_KEYS.includes(key) || FOREIGN_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    const suggestion = closestKey(key, KNOWN_KEYS);
    throw new ConfigError(
      `${source}: unknown setting ${key}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; docs/live-settings.md lists them`,
    );
  }
}

export interface EnvFileChoice {
  path: string;
  /** Given with --env-file: a missing file is an error, not "no file". */
  explicit: boolean;
}

export function readEnvFile(choice: EnvFileChoice): Record<string, string> {
  if (!choice.explicit && !existsSync(choice.path)) return {};
  const values = parseEnvFile(
    readUserFile({
      path: choice.path,
      namedBy: choice.explicit ? '--env-file' : undefined,
      what: 'live settings file (KEY=value lines)',
      whenMissing: 'write one with `npm run world -- --live-env=<file>` or from docs/live-settings.md',
    }),
    choice.path,
  );
  registerSettingSecrets(values);
  checkFileKeys(values, choice.path);
  return values;
}

export function loadLiveSettings(
  selectedAreas: ReadonlySet<Area>,
  env: NodeJS.ProcessEnv = process.env,
  envFile: string | EnvFileChoice = '.env.live',
  options: SettingsOptions = {},
): LiveSettings {
  const choice = typeof envFile === 'string' ? { path: envFile, explicit: false } : envFile;
  return resolveLiveSettings(selectedAreas, env, readEnvFile(choice), `the environment or ${choice.path}`, options);
}

/** The settings from two layers (the environment wins over the file), checked; `source` names them in errors. */
export function resolveLiveSettings(
  selectedAreas: ReadonlySet<Area>,
  env: Record<string, string | undefined>,
  fromFile: Record<string, string>,
  source: string,
  options: SettingsOptions = {},
): LiveSettings {
  registerSettingSecrets(Object.fromEntries(KNOWN_KEYS.map((key) => [key, env[key]])));
  registerSettingSecrets(fromFile);
  const lookup = (key: string): string | undefined => env[key] || fromFile[key] || undefined;
  const missing = LIVE_SETTINGS.filter((s) => s.neededBy.some((a) => selectedAreas.has(a)) && !lookup(s.key));
  if (missing.length > 0) {
    throw new ConfigError(
      `--env=live is missing ${missing.length} setting${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `${m.key} (${m.description})`).join('; ')} — set them in ${source}, or narrow the run with --only=dns`,
    );
  }
  const values: Record<string, string> = {};
  for (const key of KNOWN_KEYS) {
    const value = lookup(key);
    if (value) values[key] = value;
  }
  checkSettings(values, source, options);
  return {
    values,
    resolvers: listOf(lookup('DNS_RESOLVERS')).length ? listOf(lookup('DNS_RESOLVERS')) : DEFAULT_PUBLIC_RESOLVERS,
    authoritative: listOf(lookup('DNS_AUTHORITATIVE')),
    secrets: [...SECRET_KEYS].filter((key) => values[key]).map((key) => values[key]!),
  };
}
