/**
 * Bad input, as a user gives it: every row runs the real CLI (exactly what `npm test` runs; a few rows
 * through npm itself, on each Node line found) and must end with exit 2 and exactly one line on stderr
 * naming the field, flag or setting — no stack trace, no "internal error" — before any target opens: no
 * world process is ever seen below the CLI, the report (when it can be written) records the error and
 * no target, and where no report may be written the previous one is left byte for byte. A row that
 * holds a secret checks that it appears nowhere: stdout, stderr, every file of the report folder.
 * The second part holds the mistakes only a running deployment reveals (a wrong seed password, keys
 * sent to a redirecting http URL), against a world of its own on its second net (e2e/support/loopback-net.ts).
 * Each row has a generous deadline for a cold, busy 2-core machine; nothing measures elapsed time.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { formatEnvFile, parseEnvFile } from '../core/env-file.ts';
import { startCli, type CliProcess } from './support/cli-process.ts';
import { cleanEnv } from './support/clean-env.ts';
import { loopbackNet } from './support/loopback-net.ts';
import { runCli, type CliRun } from './support/run-cli.ts';

const ROW_TIMEOUT_MS = 120_000;
/** One control through the live path against the world: seconds when idle, minutes on a busy 2-core machine. */
const LIVE_RUN_MS = 240_000;
const scratch = mkdtempSync(join(tmpdir(), 'postal-qa-bad-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = JSON.parse(readFileSync(join(PROJECT_ROOT, 'fixtures', 'deployment.json'), 'utf8'));
/** A deployment file with one change, written to the scratch folder. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write wrong types into the parsed fixture on purpose
function deploymentWith(name: string, change: (d: any) => void): string {
  const copy = structuredClone(fixture);
  change(copy);
  return write(name, JSON.stringify(copy, null, 2));
}
function write(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}
const folder = (name: string): string => {
  const path = join(scratch, name);
  mkdirSync(path, { recursive: true });
  return path;
};

const ROW_NET = loopbackNet(import.meta.url, 0);
const WORLD_NET = loopbackNet(import.meta.url, 1);
/** The parent's environment without what configures a run; should validation ever let a row through, its world starts on a net of its own. */
const rowEnv = (set: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => cleanEnv({ POSTAL_QA_WORLD_NET: ROW_NET, ...set });

interface Row {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** the one stderr line must contain this: the field, flag or setting (and what is wrong) */
  says: string | RegExp;
  /** run from another folder (for .env.live and ./reports, read from the current folder) */
  cwd?: string;
  /** false when the row's report folder must not take a report (unwritable, empty, held by another run) */
  reportWritten?: boolean;
  /** text that must appear nowhere: stdout, stderr, any file of the report folder */
  secrets?: string[];
  /** run through `npm test --` with this node binary's folder first on PATH */
  npmWithNode?: string;
  /** the report folder is held by another (living) run */
  locked?: boolean;
}

const live = ['--env=live', '--only=dns'];
const liveRunDir = folder('live-cwd');
mkdirSync(join(liveRunDir, '.env.live'));
/** A folder with a previous ./reports/ in it, for the rows that must never fall back to ./reports. */
const cwdWithReports = folder('cwd-with-reports');

const KEY = 'Qw3rTy7uIo9pAs2dFg4hJk6L';
const KEY2 = 'Zx8cVb5nMm1lKj3hGf7dSa9P';
const keysFile = (name: string, text: string): string => write(name, text);
const envFile = (name: string, text: string): string => write(name, text);
const validPem = execFileSync(
  'openssl',
  ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=bad-input-test', '-days', '1'],
  { stdio: ['ignore', 'pipe', 'ignore'] },
).toString();

/** Node 22 and 24 from the npm registry's `node` package when npx has them (CI fetches them): the --env-file rows run on each. */
function nodeBinary(major: number): string | undefined {
  if (process.versions.node.startsWith(`${major}.`)) return process.execPath;
  try {
    return (
      execFileSync('npx', ['--offline', '-y', '-p', `node@${major}`, 'node', '-p', 'process.execPath'], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}
const NODES = [20, 22, 24].map((major) => ({ major, binary: nodeBinary(major) }));

const rows: Row[] = [
  // Wrong types, once reported as "required field is missing".
  {
    name: 'server.ip is a number',
    args: [`--deployment=${deploymentWith('ip-number.json', (d) => (d.server.ip = 12345))}`],
    says: 'server.ip: expected an IPv4 address (string), found the number 12345',
  },
  {
    name: 'agents is a number',
    args: [`--deployment=${deploymentWith('agents-number.json', (d) => (d.agents = 42))}`],
    says: 'agents: expected a list of agents (array), found the number 42',
  },
  {
    name: 'spamScoreMin is a string',
    args: [`--deployment=${deploymentWith('score-string.json', (d) => (d.thresholds.spamScoreMin = '8'))}`],
    says: 'thresholds.spamScoreMin: expected a score from 0 to 10 (number), found the string "8"',
  },
  // Accepted without a word, once.
  {
    name: '12 agents where the plan has 13',
    args: [`--deployment=${deploymentWith('twelve-agents.json', (d) => d.agents.shift())}`],
    says: 'agents: expected 13 agents (expectedAgentCount',
  },
  {
    name: 'a duplicate agent address',
    args: [`--deployment=${deploymentWith('duplicate-address.json', (d) => (d.agents[4].address = 'dev1@mailgoat.ai'))}`],
    says: 'agents[4].address: expected a unique address, found "dev1@mailgoat.ai" again (also agents[3])',
  },
  {
    name: 'a catch-all that is not one of the agents',
    args: [`--deployment=${deploymentWith('catch-all-nobody.json', (d) => (d.catchAll = 'everyone'))}`],
    says: 'catchAll: expected one of the agent ids',
  },
  {
    name: 'two catch-alls',
    args: [`--deployment=${deploymentWith('catch-all-two.json', (d) => (d.catchAll = ['team', 'qa']))}`],
    says: 'catchAll: expected one agent id (the single catch-all) (string), found an array of 2 items',
  },
  {
    name: 'a 5 MB whitespace-padded deployment file',
    args: [`--deployment=${write('padded.json', `${JSON.stringify(fixture)}${' '.repeat(5 * 1024 * 1024)}`)}`],
    says: /^--deployment=.*padded\.json: the deployment file is 5\.0 MB; at most 1\.0 MB is accepted$/,
  },
  {
    name: 'a waiver expiring on 2030-02-30',
    args: [
      `--waivers=${write('waiver-feb-30.json', JSON.stringify([{ control: 'DNS-06', justification: 'PTR requested from Hetzner, ticket 123', expires: '2030-02-30' }]))}`,
    ],
    says: '[0].expires: must be a real calendar date',
  },
  // Fields that end up in a host name, a URL, a zone or a heading: once a started world and "Invalid URL".
  {
    name: 'inboxEndpoint.host is "not a host!"',
    args: [`--deployment=${deploymentWith('inbox-host.json', (d) => (d.inboxEndpoint.host = 'not a host!'))}`],
    says: 'inboxEndpoint.host: must be a host name (RFC 1123',
  },
  {
    name: 'dns.track.name is "tr ack"',
    args: [`--deployment=${deploymentWith('track-name.json', (d) => (d.dns.track.name = 'tr ack'))}`],
    says: 'dns.track.name: must be a single DNS label',
  },
  {
    name: 'a line break in the deployment name forging a heading',
    args: [`--deployment=${deploymentWith('name-newline.json', (d) => (d.name = 'MailGoat\n# Verdict: PASS'))}`],
    says: 'name: must be one line of text without control characters',
  },
  {
    name: 'an inbox path with a space',
    args: [`--deployment=${deploymentWith('inbox-path.json', (d) => (d.inboxEndpoint.path = '/web hooks'))}`],
    says: 'inboxEndpoint.path: must be a URL path',
  },
  {
    name: 'a domain without a top-level domain',
    args: [`--deployment=${deploymentWith('domain-no-tld.json', (d) => (d.domain = 'mailgoat'))}`],
    says: 'domain: must be a fully qualified host name',
  },
  {
    name: 'an IPv4 octet over 255',
    args: [`--deployment=${deploymentWith('ip-300.json', (d) => (d.server.ip = '91.98.35.300'))}`],
    says: 'server.ip: must be an IPv4 address',
  },
  {
    name: 'a misspelt deployment field',
    args: [`--deployment=${deploymentWith('misspelt.json', (d) => ((d.server.mailhost = d.server.mailHost), delete d.server.mailHost))}`],
    says: 'server.mailhost: unknown field (did you mean "mailHost"?)',
  },
  {
    name: 'a DKIM selector Postal never makes',
    args: [`--deployment=${deploymentWith('selector.json', (d) => (d.dns.dkim.selector = 'default'))}`],
    says: 'dns.dkim.selector: must be the selector Postal shows',
  },
  {
    name: 'an agent id in capitals',
    args: [`--deployment=${deploymentWith('agent-id.json', (d) => (d.agents[0].id = 'CEO'))}`],
    says: 'agents[0].id: must be lower-case letters, digits and dashes',
  },
  // Files the user named that cannot be read as one.
  {
    name: '--waivers names a directory',
    args: [`--waivers=${folder('waivers-dir')}`],
    says: /^--waivers=.*waivers-dir: is a directory; expected a waivers file/,
  },
  {
    name: '--waivers names a missing file',
    args: [`--waivers=${join(scratch, 'no-waivers.json')}`],
    says: /^--waivers=.*no-waivers\.json: waivers file not found/,
  },
  { name: '--waivers names a device', args: ['--waivers=/dev/zero'], says: '--waivers=/dev/zero: is not a regular file' },
  {
    name: 'a waiver for a control that does not exist',
    args: [
      `--waivers=${write('waiver-unknown.json', JSON.stringify([{ control: 'DNS-42', justification: 'accepted by the CTO, ticket 7', expires: '2999-01-01' }]))}`,
    ],
    says: '"DNS-42" is not a control of the catalog',
  },
  {
    name: '--deployment names a directory',
    args: [`--deployment=${folder('deployment-dir')}`],
    says: /^--deployment=.*deployment-dir: is a directory/,
  },
  {
    name: '--deployment names a missing file',
    args: [`--deployment=${join(scratch, 'nope.json')}`],
    says: /^--deployment=.*nope\.json: deployment file not found/,
  },
  {
    name: '--deployment is not UTF-8',
    args: [`--deployment=${write('latin1.json', Buffer.from('{"name": "caf\xe9"}', 'latin1'))}`],
    says: /^--deployment=.*latin1\.json: the deployment file is not UTF-8 text$/,
  },
  {
    name: '--deployment is not JSON',
    args: [`--deployment=${write('broken.json', '{ "name": ')}`],
    says: /broken\.json: the deployment file is not valid JSON/,
  },
  {
    name: '--zone-file names a directory',
    args: [`--zone-file=${folder('zone-dir')}`],
    says: /^--zone-file=.*zone-dir: is a directory; expected a zone file/,
  },
  {
    name: '--zone-file names a missing file',
    args: [`--zone-file=${join(scratch, 'no-zone.txt')}`],
    says: /^--zone-file=.*no-zone\.txt: zone file not found/,
  },
  {
    name: '--compare-to names a directory',
    args: [`--compare-to=${folder('compare-dir')}`],
    says: /^--compare-to=.*compare-dir: is a directory/,
  },
  {
    name: '--compare-to is not a postal-qa results.json',
    args: [`--compare-to=${write('not-results.json', '{"tool":"other"}')}`],
    says: /^--compare-to=.*not-results\.json: not a postal-qa results\.json/,
  },
  {
    name: 'POSTAL_API_KEYS_FILE names a directory',
    args: live,
    env: { POSTAL_API_KEYS_FILE: folder('keys-dir') },
    says: /^POSTAL_API_KEYS_FILE=.*keys-dir: is a directory; expected a API keys file/,
  },
  {
    name: '.env.live is a directory',
    args: [...live, `--deployment=${join(PROJECT_ROOT, 'fixtures', 'deployment.json')}`],
    cwd: liveRunDir,
    says: '.env.live: is a directory',
  },
  // Secrets in every source, malformed: named by file:line:column, never echoed, nowhere in the report.
  {
    name: 'a keys file with its two columns swapped',
    args: live,
    env: { POSTAL_API_KEYS_FILE: keysFile('swapped.txt', `# keys\nceo@mailgoat.ai ${KEY2}\n${KEY} qa@mailgoat.ai\n`) },
    says: /^POSTAL_API_KEYS_FILE=.*swapped\.txt:3:1: the first field is not an email address \(or "smtp"\); the two columns look swapped/,
    secrets: [KEY, KEY2],
  },
  {
    name: 'a keys file line with three fields',
    args: live,
    env: { POSTAL_API_KEYS_FILE: keysFile('three.txt', `ceo@mailgoat.ai ${KEY} ${KEY2}\n`) },
    says: /three\.txt:1:1: expected "<address> <key>" \(two fields separated by a space\), found 3 fields/,
    secrets: [KEY, KEY2],
  },
  {
    name: 'a key cut short when pasted',
    args: live,
    env: { POSTAL_API_KEYS_FILE: keysFile('short.txt', `ceo@mailgoat.ai ${KEY.slice(0, 20)}\n`) },
    says: /short\.txt:1:17: the key for ceo@mailgoat\.ai is not 24 letters and digits \(got 20 characters\)/,
    secrets: [KEY.slice(0, 20)],
  },
  {
    name: 'a keys file listing one address twice',
    args: live,
    env: { POSTAL_API_KEYS_FILE: keysFile('twice.txt', `qa@mailgoat.ai ${KEY}\nqa@mailgoat.ai ${KEY2}\n`) },
    says: /twice\.txt:2:1: qa@mailgoat\.ai is listed twice/,
    secrets: [KEY, KEY2],
  },
  {
    name: 'POSTAL_API_URL with a user and password',
    args: live,
    env: { POSTAL_API_URL: 'https://admin:Hunter2-url-pw@postal.example.com' },
    says: 'POSTAL_API_URL: a user name or password in the URL is not accepted',
    secrets: ['Hunter2-url-pw'],
  },
  {
    name: 'POSTAL_API_URL with a user and password and a scheme typo',
    args: live,
    env: { POSTAL_API_URL: 'htps://admin:Hunter2-typo-pw@postal.example.com' },
    says: 'POSTAL_API_URL: a user name or password in the URL is not accepted',
    secrets: ['Hunter2-typo-pw'],
  },
  {
    name: 'OUTBOUND_SMTP_COMMAND holding sshpass -p without {ip}',
    args: live,
    env: { OUTBOUND_SMTP_COMMAND: 'sshpass -p Hunter2-ssh-pw ssh root@91.98.35.3 nc gmail-smtp-in.l.google.com 25' },
    says: 'OUTBOUND_SMTP_COMMAND: expected a command containing {ip} or {host}',
    secrets: ['Hunter2-ssh-pw'],
  },
  {
    name: 'POSTAL_HEALTH_URLS with a password in a URL',
    args: live,
    env: { POSTAL_HEALTH_URLS: 'worker=http://ops:Hunter2-health@127.0.0.1:9090/health' },
    says: 'POSTAL_HEALTH_URLS: pair 1: a user name or password in the URL is not accepted',
    secrets: ['Hunter2-health'],
  },
  {
    name: 'a misspelt password setting in the env file',
    args: [...live, `--env-file=${envFile('typo-secret.env', 'SEED_GMAIL_ADDRESS=seed@gmail.com\nSEED_GMAIL_PASWORD=Hunter2-typo-key\n')}`],
    says: /typo-secret\.env: unknown setting SEED_GMAIL_PASWORD \(did you mean SEED_GMAIL_PASSWORD\?\)/,
    secrets: ['Hunter2-typo-key'],
  },
  {
    name: 'an env file value with an unclosed quote',
    args: [...live, `--env-file=${envFile('quote.env', 'SEED_GMAIL_PASSWORD="Hunter2-quoted\n')}`],
    says: /quote\.env:1:21: in the value of SEED_GMAIL_PASSWORD, the opening " has no closing "/,
    secrets: ['Hunter2-quoted'],
  },
  {
    name: 'an env file line without =',
    args: [...live, `--env-file=${envFile('no-equals.env', 'SEED_GMAIL_PASSWORD Hunter2-spaced\n')}`],
    says: /no-equals\.env:1:1: expected KEY=value/,
    secrets: ['Hunter2-spaced'],
  },
  {
    name: 'an env file key in lower case',
    args: [...live, `--env-file=${envFile('lower.env', 'seed_gmail_password=Hunter2-lower\n')}`],
    says: /lower\.env:1:1: setting names are upper case; write SEED_GMAIL_PASSWORD, not seed_gmail_password$/,
    secrets: ['Hunter2-lower'],
  },
  // Keys over plain HTTP, and values that parse but cannot work.
  {
    name: 'POSTAL_API_URL over plain http to a remote host',
    args: live,
    env: { POSTAL_API_URL: 'http://postal.mailgoat.ai' },
    says: 'POSTAL_API_URL: http:// would send the API keys in clear text to postal.mailgoat.ai; use https://, or pass --allow-plain-http',
  },
  {
    name: 'MAILGOAT_SERVER_URL over plain http to a remote host',
    args: live,
    env: { MAILGOAT_SERVER_URL: 'http://10.0.0.5' },
    says: 'MAILGOAT_SERVER_URL: http:// would send the API keys in clear text to 10.0.0.5',
  },
  {
    name: 'POSTAL_API_URL with a query string',
    args: live,
    env: { POSTAL_API_URL: 'https://postal.mailgoat.ai/?x=1' },
    says: 'POSTAL_API_URL: expected a base URL without a "?…" query or "#…" fragment',
  },
  {
    name: 'MAIL_TESTER_URL with a fragment',
    args: live,
    env: { MAIL_TESTER_URL: 'https://www.mail-tester.com/#x' },
    says: 'MAIL_TESTER_URL: expected a base URL without a "?…" query',
  },
  {
    name: 'POSTAL_API_URL with a scheme typo',
    args: live,
    env: { POSTAL_API_URL: 'htps://postal.mailgoat.ai' },
    says: 'POSTAL_API_URL: expected an http(s) URL like https://postal.mailgoat.ai, found the scheme "htps:"',
  },
  {
    name: 'a CA_FILE whose PEM block is garbage',
    args: live,
    env: { CA_FILE: write('garbage.pem', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n') },
    says: /^CA_FILE=.*garbage\.pem: certificate 1 of 1 cannot be read/,
  },
  {
    name: 'a CA_FILE with a good and a garbage certificate',
    args: live,
    env: { CA_FILE: write('half-garbage.pem', `${validPem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`) },
    says: /^CA_FILE=.*half-garbage\.pem: certificate 2 of 2 cannot be read/,
  },
  {
    name: 'a CA_FILE that is not PEM at all',
    args: live,
    env: { CA_FILE: write('not-pem.txt', 'hello\n') },
    says: /^CA_FILE=.*not-pem\.txt: no "-----BEGIN CERTIFICATE-----"/,
  },
  {
    name: 'POSTAL_QA_DELIVERY_TIMEOUT_S=1e-9',
    args: [],
    env: { POSTAL_QA_DELIVERY_TIMEOUT_S: '1e-9' },
    says: 'POSTAL_QA_DELIVERY_TIMEOUT_S=1e-9: must be a number of seconds from 1 to 3600',
  },
  {
    name: 'POSTAL_QA_CONNECT_TIMEOUT_S=0.5',
    args: [],
    env: { POSTAL_QA_CONNECT_TIMEOUT_S: '0.5' },
    says: 'POSTAL_QA_CONNECT_TIMEOUT_S=0.5: must be a number of seconds from 1 to 3600',
  },
  {
    name: 'a deadline override that is not a number',
    args: [],
    env: { POSTAL_QA_DELIVERY_TIMEOUT_S: 'soon' },
    says: 'POSTAL_QA_DELIVERY_TIMEOUT_S=soon: must be a number of seconds',
  },
  // Live settings, once errors inside controls.
  {
    name: 'DNS_RESOLVERS=not-an-ip',
    args: live,
    env: { DNS_RESOLVERS: 'not-an-ip' },
    says: 'DNS_RESOLVERS: expected comma-separated IP addresses',
  },
  { name: 'POSTAL_API_URL=not-a-url', args: live, env: { POSTAL_API_URL: 'not-a-url' }, says: 'POSTAL_API_URL: expected an http(s) URL' },
  {
    name: 'SEED_GMAIL_IMAP with an underscore in the host',
    args: live,
    env: { SEED_GMAIL_IMAP: 'imap_gmail.com:993' },
    says: 'SEED_GMAIL_IMAP: expected host[:port]',
  },
  {
    name: 'POSTAL_SMTP with a line break',
    args: live,
    env: { POSTAL_SMTP: 'mail.mailgoat.ai\n:25' },
    says: 'POSTAL_SMTP: contains a control character (a line break, a tab) at character 17',
  },
  { name: 'SPAMD_HOST without a port', args: live, env: { SPAMD_HOST: 'localhost' }, says: 'SPAMD_HOST: expected host:port' },
  {
    name: 'INBOX_LIST_COMMAND without {agent}',
    args: live,
    env: { INBOX_LIST_COMMAND: 'mailgoat inbox list --json' },
    says: 'INBOX_LIST_COMMAND: expected a command containing {agent}',
  },
  {
    name: 'the live settings fn needs, all missing',
    args: ['--env=live', '--only=fn'],
    says: '--env=live is missing 6 settings: POSTAL_API_URL',
  },
  {
    name: 'POSTAL_QA_WORLD_NET outside 127/8',
    args: [],
    env: { POSTAL_QA_WORLD_NET: '10.0.0' },
    says: 'POSTAL_QA_WORLD_NET: expected the first three octets of a loopback /24',
  },
  {
    name: 'POSTAL_QA_WORLD_NET=127.0.040 (not canonical)',
    args: [],
    env: { POSTAL_QA_WORLD_NET: '127.0.040' },
    says: 'POSTAL_QA_WORLD_NET: expected the first three octets of a loopback /24 like 127.0.16 (no leading zeros), found "127.0.040"',
  },
  {
    name: 'POSTAL_QA_WORLD_NET with four octets',
    args: [],
    env: { POSTAL_QA_WORLD_NET: '127.0.0.1' },
    says: 'POSTAL_QA_WORLD_NET: expected the first three octets',
  },
  // Flags.
  { name: '--evn=live (a typo)', args: ['--evn=live'], says: '--evn: unknown option (did you mean --env?)' },
  { name: '--env=LIVE', args: ['--env=LIVE'], says: '--env=LIVE: unknown environment; use one of embedded, local, live' },
  {
    name: '--env given twice with two values',
    args: ['--env=live', '--env=embedded'],
    says: '--env is given twice (live and embedded); keep one',
  },
  { name: 'an unknown fault', args: ['--fault=no-such-fault'], says: '--fault=no-such-fault: no such fault' },
  { name: '--fault=, (a blank list)', args: ['--fault=,'], says: '--fault=,: names no fault' },
  {
    name: 'a --waivers file that is a deployment file',
    args: [`--waivers=${join(PROJECT_ROOT, 'fixtures', 'deployment.json')}`],
    says: /^--waivers=.*deployment\.json: \(root\): expected a list \(array\), found an object$/,
  },
  {
    name: '--zone-file that is not a zone',
    args: [`--zone-file=${write('not-a-zone.txt', 'this is not a zone\n')}`],
    says: /^--zone-file=.*not-a-zone\.txt: zone file line 1: unknown or unsupported record type "is"/,
  },
  { name: 'a fault against live', args: ['--env=live', '--fault=worker-down'], says: '--fault only works with --env=embedded' },
  {
    name: '--reporter=nonexistent',
    args: ['--reporter=nonexistent'],
    says: '--reporter=nonexistent: no such vitest reporter; use one of default',
  },
  { name: '--only=,', args: ['--only=,'], says: '--only=,: names no control or area' },
  { name: '--only=" "', args: ['--only= '], says: '--only needs a value' },
  { name: '--only names an unknown control', args: ['--only=DNS-99'], says: '--only: unknown control or area "DNS-99"' },
  { name: '--max-messages=0', args: ['--max-messages=0'], says: '--max-messages=0: must be a whole number from 1 to 10000' },
  { name: '--until-pass=5x', args: ['--only=dns', '--until-pass=5x'], says: '--until-pass=5x: expected a duration from 1s to 7d' },
  {
    name: '--read-only with --allow-load',
    args: ['--env=live', '--read-only', '--allow-load'],
    says: '--read-only and --allow-load contradict each other',
  },
  { name: '--allow-plain-http without --env=live', args: ['--allow-plain-http'], says: '--allow-plain-http only works with --env=live' },
  { name: '--env-file without --env=live', args: [`--env-file=${join(scratch, 'x.env')}`], says: '--env-file only works with --env=live' },
  { name: 'a bare word where a flag belongs', args: ['specs/dns'], says: 'specs/dns: unknown option; --help lists them' },
  ...NODES.map(({ major, binary }): Row => ({
    name: `npm test -- --env=live --env-file=<missing> on Node ${major}${binary ? '' : " (not found: run through the machine's Node)"}`,
    args: ['--env=live', `--env-file=${join(scratch, `missing-${major}.env`)}`],
    npmWithNode: binary ?? process.execPath,
    says: /^--env-file=.*missing-\d+\.env: live settings file \(KEY=value lines\) not found/,
  })),
  // The report folder: never ./reports behind the user's back, never one another run holds.
  {
    name: '--report-dir= (empty) leaves ./reports alone',
    args: ['--report-dir='],
    cwd: cwdWithReports,
    says: '--report-dir needs a value',
    reportWritten: false,
  },
  {
    name: '--report-dir held by another run',
    args: ['--only=DNS-01'],
    says: /^--report-dir=.*: another postal-qa run \(pid \d+\) is writing its report there; wait for it to finish, or choose another --report-dir$/,
    locked: true,
    reportWritten: false,
  },
  {
    name: '--report-dir names a file',
    args: [`--report-dir=${write('a-file', 'x')}`],
    says: /^--report-dir=.*a-file: reports cannot be written there/,
    reportWritten: false,
  },
  ...['/etc/hostname/sub', '/sys/x', '/proc/x'].map((dir): Row => ({
    name: `--report-dir=${dir} (unwritable)`,
    args: [`--report-dir=${dir}`],
    says: `--report-dir=${dir}: reports cannot be written there`,
    reportWritten: false,
  })),
];

/** The CLI as `npm test` starts it (a row with npmWithNode: through npm on that Node); SIGKILLed at the row's deadline. */
function runRow(row: Row, args: string[], env: NodeJS.ProcessEnv, cwd: string, deadlineMs = ROW_TIMEOUT_MS - 10_000): Promise<CliRun> {
  if (row.npmWithNode)
    return runCli('npm', ['test', `--prefix=${PROJECT_ROOT}`, '--', ...args], {
      cwd,
      env: { ...env, PATH: `${dirname(row.npmWithNode)}:${env.PATH}` },
      deadlineMs,
    });
  const harness = harnessCommand(args);
  return runCli(harness.command, harness.args, { cwd, env, deadlineMs });
}

/** Every file under `dir`, as text (latin1, so any byte sequence can be searched). */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'latin1') }));
}

const PREVIOUS_REPORT = '# QA Test Report — the previous run\n\n**Verdict: PASS** — all 27 controls passed.\n';
function withPreviousReport(dir: string): string {
  mkdirSync(join(dir, 'test-results'), { recursive: true });
  writeFileSync(join(dir, 'QA-TEST-REPORT.md'), PREVIOUS_REPORT);
  writeFileSync(join(dir, 'test-results', 'results.json'), JSON.stringify({ tool: 'postal-qa', verdict: 'PASS', controls: [] }));
  return dir;
}
withPreviousReport(join(cwdWithReports, 'reports'));

/** This process's identity as the lock file holds it: a living run. */
function livingLock(): string {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return `${process.pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
}

describe.concurrent('bad input: exit 2, one line naming what is wrong, before any target opens', () => {
  it('has at least 60 rows', () => expect(rows.length).toBeGreaterThanOrEqual(60));

  it.each(rows)(
    '$name',
    async (row) => {
      const reportDir = withPreviousReport(mkdtempSync(join(scratch, 'reports-')));
      if (row.locked) writeFileSync(join(reportDir, '.postal-qa.lock'), livingLock());
      const hasReportDir = row.args.some((a) => a.startsWith('--report-dir'));
      const run = await runRow(
        row,
        [...(hasReportDir ? [] : [`--report-dir=${reportDir}`]), ...row.args],
        rowEnv(row.env),
        row.cwd ?? PROJECT_ROOT,
      );
      const context = `exit ${run.code} (${run.signal ?? 'no signal'})\nstderr:\n${run.stderr}\nstdout:\n${run.stdout}`;
      expect(run.code, context).toBe(2);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, context).toHaveLength(1);
      const line = lines[0]!.replace(/^postal-qa: /, '');
      expect(lines[0], context).toMatch(/^postal-qa: /);
      if (typeof row.says === 'string') expect(line, context).toContain(row.says);
      else expect(line, context).toMatch(row.says);
      expect(run.stderr).not.toMatch(/internal error|\n\s+at |ZodError|EISDIR/);
      // No world was started: nothing below the CLI ever ran world/main.ts.
      expect(
        run.seen.filter((cmd) => cmd.includes('world/main.ts')),
        context,
      ).toEqual([]);
      if (row.reportWritten !== false) {
        // The report records the error and no target: nothing was opened.
        const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as {
          configError: string | null;
          target: unknown;
        };
        expect(results.configError).toBe(line);
        expect(results.target).toBeNull();
      } else {
        // Nothing may be written: the previous report is left byte for byte (./reports too, for an empty --report-dir).
        expect(readFileSync(join(reportDir, 'QA-TEST-REPORT.md'), 'utf8')).toBe(PREVIOUS_REPORT);
        expect(readFileSync(join(cwdWithReports, 'reports', 'QA-TEST-REPORT.md'), 'utf8')).toBe(PREVIOUS_REPORT);
      }
      for (const secret of row.secrets ?? []) {
        expect(run.stdout, `stdout holds ${secret}`).not.toContain(secret);
        expect(run.stderr, `stderr holds ${secret}`).not.toContain(secret);
        for (const file of filesUnder(reportDir)) expect(file.text, `${file.path} holds ${secret}`).not.toContain(secret);
      }
    },
    ROW_TIMEOUT_MS,
  );
});

/**
 * Mistakes only a running deployment reveals: a world of its own (`npm run world -- --live-env`), and
 * the suite through the live path with one setting changed.
 */
describe('bad values a deployment reveals: evidence in the control that depends on them, never a secret', () => {
  const NET = WORLD_NET;
  const worldDir = mkdtempSync(join(scratch, 'world-'));
  const worldEnv = join(worldDir, 'world.env');
  let world: CliProcess;
  let values: Record<string, string>;
  let redirector: Server;
  let beyond: Server;
  let beyondHits = 0;
  let redirectorHits = 0;

  beforeAll(async () => {
    world = startCli(
      process.execPath,
      ['--import', 'tsx', 'world/main.ts', `--net=${NET}`, `--out=${join(worldDir, 'files')}`, `--live-env=${worldEnv}`],
      { cwd: PROJECT_ROOT, env: rowEnv() },
    );
    await world.waitFor('World ready.', 120_000);
    values = parseEnvFile(readFileSync(worldEnv, 'utf8'), worldEnv);
    // An http URL on loopback (allowed) that answers every request with a redirect, and where it points.
    beyond = createServer((_, res) => (beyondHits++, res.end('{}')));
    redirector = createServer(
      (_, res) => (redirectorHits++, res.writeHead(301, { location: `http://${NET}.98:8098/api/v1/send/message` }).end()),
    );
    await new Promise<void>((r) => beyond.listen(8098, `${NET}.98`, r));
    await new Promise<void>((r) => redirector.listen(8099, `${NET}.99`, r));
  }, 150_000);

  afterAll(async () => {
    world?.signalGroup('SIGTERM');
    await world?.closed;
    redirector?.close();
    beyond?.close();
  });

  /** The suite through the live path: the world's settings with `change` applied and `rawLines` added as typed. */
  async function liveRun(
    change: Record<string, string>,
    only: string,
    rawLines: string[] = [],
  ): Promise<CliRun & { reportDir: string; report: string }> {
    const file = join(worldDir, `${only}-${randomUUID()}.env`);
    const rawKeys = rawLines.map((l) => l.split('=')[0]!);
    const kept = Object.fromEntries(Object.entries({ ...values, ...change }).filter(([key]) => !rawKeys.includes(key)));
    writeFileSync(file, formatEnvFile(kept, ['bad-input']) + rawLines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
    const reportDir = mkdtempSync(join(scratch, 'live-reports-'));
    const run = await runRow(
      { name: only, args: [], says: '' },
      ['--env=live', `--env-file=${file}`, `--only=${only}`, `--report-dir=${reportDir}`],
      rowEnv({ POSTAL_QA_ARTIFACTS: 'off' }),
      PROJECT_ROOT,
      LIVE_RUN_MS,
    );
    const markdown = join(reportDir, 'QA-TEST-REPORT.md');
    if (!existsSync(markdown))
      throw new Error(`no report from the ${only} run (exit ${run.code}, ${run.signal ?? 'no signal'}):\n${run.stdout}\n${run.stderr}`);
    return { ...run, reportDir, report: readFileSync(markdown, 'utf8') };
  }
  // The control's own line in the results list (its verdict in bold), not its mention under "What to fix first".
  const controlLine = (report: string, id: string): string =>
    report.split('\n').find((l) => l.includes(`\`${id}\``) && / \*\*[A-Z]+\*\*/.test(l)) ?? '';
  const nowhere = (run: CliRun & { reportDir: string }, secret: string): void => {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
    for (const file of filesUnder(run.reportDir)) expect(file.text, file.path).not.toContain(secret);
  };

  it(
    'a wrong SEED_GMAIL_PASSWORD: FN-02 is blocked by the seed login (naming the setting), not failed on Postal; exit 1',
    async () => {
      const run = await liveRun({ SEED_GMAIL_PASSWORD: 'Wrong-seed-pw-1' }, 'FN-02');
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(controlLine(run.report, 'FN-02')).toMatch(
        /\*\*BLOCKED\*\* — the Gmail seed refused the login of .* \(SEED_GMAIL_PASSWORD\? SEED_GMAIL_USER\?\)/,
      );
      expect(run.report).not.toMatch(/did not arrive/);
      nowhere(run, 'Wrong-seed-pw-1');
    },
    LIVE_RUN_MS + 30_000,
  );

  it(
    'the right SEED_GMAIL_PASSWORD with a "# comment" after it: the comment is not part of the password',
    async () => {
      const run = await liveRun({}, 'FN-02', [`SEED_GMAIL_PASSWORD=${values.SEED_GMAIL_PASSWORD} # the app password`]);
      expect(controlLine(run.report, 'FN-02'), run.stdout + run.stderr).toContain('**PASS**');
      nowhere(run, values.SEED_GMAIL_PASSWORD!);
    },
    LIVE_RUN_MS + 30_000,
  );

  it(
    "a wrong OUTSIDE_SMTP_PASSWORD: FN-07 is blocked by the outside sender's login",
    async () => {
      const run = await liveRun({ OUTSIDE_SMTP_PASSWORD: 'Wrong-outside-pw-2' }, 'FN-07');
      expect(run.code).toBe(1);
      expect(controlLine(run.report, 'FN-07')).toMatch(
        /\*\*BLOCKED\*\* — the outside sender .* refused the login .*\(OUTSIDE_SMTP_PASSWORD\?/,
      );
      nowhere(run, 'Wrong-outside-pw-2');
    },
    LIVE_RUN_MS + 30_000,
  );

  it(
    'an OUTBOUND_SMTP_COMMAND holding a password: INF-07 runs it, and the password is nowhere',
    async () => {
      const run = await liveRun(
        { OUTBOUND_SMTP_COMMAND: `PASS=Hunter2-cmd-pw; ${values.OUTBOUND_SMTP_COMMAND!.replace(/"/g, "'")}` },
        'INF-07',
      );
      expect(controlLine(run.report, 'INF-07'), run.stdout).toContain('**PASS**');
      nowhere(run, 'Hunter2-cmd-pw');
    },
    LIVE_RUN_MS + 30_000,
  );

  it(
    'POSTAL_API_URL on an http address that redirects: no key follows the redirect, the evidence says so',
    async () => {
      const run = await liveRun({ POSTAL_API_URL: `http://${NET}.99:8099` }, 'INF-06');
      expect(redirectorHits).toBeGreaterThan(0);
      expect(beyondHits).toBe(0);
      expect(run.report).toContain(`HTTP 301 redirect to http://${NET}.98:8098/api/v1/send/message, not followed`);
      for (const key of readFileSync(values.POSTAL_API_KEYS_FILE!, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(' ')[1]!))
        nowhere(run, key);
    },
    LIVE_RUN_MS + 30_000,
  );
});
