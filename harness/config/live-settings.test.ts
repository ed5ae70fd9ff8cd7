import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Area } from '../controls/catalog.ts';
import { ConfigError } from '../../core/config-error.ts';
import { clearRegisteredSecrets, registeredSecrets } from '../../core/secret-registry.ts';
import { loadLiveSettings } from './live-settings.ts';

const ALL = new Set<Area>(['infrastructure', 'dns', 'security', 'functionality', 'performance']);
const noFile = join(tmpdir(), 'postal-qa-no-such.env');

const DNS_ONLY = new Set<Area>(['dns']);

/** The one-line ConfigError a wrong setting gets before the run (failing the test if there is none). */
function configErrorOf(env: NodeJS.ProcessEnv, areas: ReadonlySet<Area> = DNS_ONLY): string {
  try {
    loadLiveSettings(areas, env, noFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadLiveSettings', () => {
  it('names every missing setting in one line when nothing is set', () => {
    const error = (() => {
      try {
        loadLiveSettings(ALL, {}, noFile);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/^--env=live is missing 6 settings: POSTAL_API_URL .*SEED_OUTLOOK_PASSWORD/);
    expect(error?.message).not.toContain('\n');
  });

  it('needs nothing for DNS alone and defaults to the public resolvers', () => {
    const settings = loadLiveSettings(DNS_ONLY, {}, noFile);
    expect(settings.resolvers).toEqual(['1.1.1.1', '8.8.8.8', '9.9.9.9']);
  });

  it('reads .env.live, lets the environment win, and lists the secrets to mask', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const file = join(dir, '.env.live');
    const keys = join(dir, 'postal-api-keys.txt');
    writeFileSync(keys, `ceo@mailgoat.ai ${'a'.repeat(24)}\n`);
    writeFileSync(
      file,
      `# live\nPOSTAL_API_URL=https://postal.example\nPOSTAL_API_KEYS_FILE=${keys}\nSEED_GMAIL_ADDRESS=a@gmail.com\nSEED_GMAIL_PASSWORD="app-pass-1"\nSEED_OUTLOOK_ADDRESS=b@outlook.com\nSEED_OUTLOOK_PASSWORD=app-pass-2\nDNS_RESOLVERS=127.0.0.53, 127.0.0.54\n`,
    );
    const settings = loadLiveSettings(ALL, { POSTAL_API_URL: 'https://override.example' }, file);
    expect(settings.values.POSTAL_API_URL).toBe('https://override.example');
    expect(settings.resolvers).toEqual(['127.0.0.53', '127.0.0.54']);
    expect(settings.secrets.sort()).toEqual(['app-pass-1', 'app-pass-2']);
  });

  it('names the line of a broken .env.live', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const file = join(dir, '.env.live');
    writeFileSync(file, 'POSTAL_API_URL=x\nthis is not a setting\n');
    expect(() => loadLiveSettings(ALL, {}, file)).toThrow(`${file}:2:1: expected KEY=value`);
  });

  // Before, these showed up as errors inside controls halfway through the run.
  it('refuses a wrong setting before the run in one line naming it, what it expects and what it found', () => {
    expect(configErrorOf({ DNS_RESOLVERS: 'not-an-ip' })).toBe(
      `DNS_RESOLVERS: expected comma-separated IP addresses with an optional :port, e.g. 1.1.1.1,8.8.8.8, found the string "not-an-ip" (from the environment or ${noFile})`,
    );
    expect(configErrorOf({ POSTAL_API_URL: 'not-a-url' })).toMatch(
      /^POSTAL_API_URL: expected an http\(s\) URL like https:\/\/postal.mailgoat.ai, found something that is not a URL/,
    );
    expect(configErrorOf({ SPAMD_HOST: '127.0.0.1' })).toMatch(/^SPAMD_HOST: expected host:port/);
    expect(configErrorOf({ POSTAL_HEALTH_URLS: 'http://127.0.0.1:9090/health' })).toMatch(/^POSTAL_HEALTH_URLS: expected name=URL pairs/);
    expect(configErrorOf({ POSTAL_API_KEYS_FILE: tmpdir() })).toBe(
      `POSTAL_API_KEYS_FILE=${tmpdir()}: is a directory; expected a API keys file (a file)`,
    );
    expect(
      loadLiveSettings(DNS_ONLY, { DNS_RESOLVERS: '1.1.1.1, 127.0.0.1:5353, [::1]:53, 2606:4700::1111' }, noFile).resolvers,
    ).toHaveLength(4);
  });

  it('never echoes a secret it refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const keys = join(dir, 'keys.txt');
    writeFileSync(keys, 'ceo@mailgoat.ai SECRETSECRETSECRETSECRE\n');
    const error = (() => {
      try {
        loadLiveSettings(DNS_ONLY, { POSTAL_API_KEYS_FILE: keys }, noFile);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/^POSTAL_API_KEYS_FILE=.*keys\.txt:1:17: the key for ceo@mailgoat.ai is not 24 letters/);
    expect(error?.message).not.toContain('SECRET');
  });

  it('refuses a misspelt key in the file with the closest known one, and a missing --env-file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const file = join(dir, 'typo.env');
    writeFileSync(file, 'SEED_GMAIL_ADRESS=a@gmail.com\nPROVISION_HOST=root@host\n');
    expect(() => loadLiveSettings(DNS_ONLY, {}, { path: file, explicit: true })).toThrow(
      `${file}: unknown setting SEED_GMAIL_ADRESS (did you mean SEED_GMAIL_ADDRESS?)`,
    );
    expect(() => loadLiveSettings(DNS_ONLY, {}, { path: join(dir, 'nope.env'), explicit: true })).toThrow(/^--env-file=.*nope\.env/);
    // The default file is optional; a named one is not.
    expect(() => loadLiveSettings(DNS_ONLY, {}, { path: join(dir, 'nope.env'), explicit: false })).not.toThrow();
  });

  it("checks every endpoint setting before the run and masks the outside sender's password", () => {
    expect(configErrorOf({ POSTAL_SMTP: 'mail.mailgoat.ai:99999' })).toMatch(/^POSTAL_SMTP: expected host\[:port\]/);
    expect(configErrorOf({ HOST_RESOLVER: 'dns.google' })).toMatch(/^HOST_RESOLVER: expected "system" or a DNS server address/);
    expect(configErrorOf({ SEED_GMAIL_IMAP_TLS: 'ssl' })).toMatch(/^SEED_GMAIL_IMAP_TLS: expected implicit or starttls/);
    expect(configErrorOf({ POSTAL_SERVER_IP: 'mail.mailgoat.ai' })).toMatch(/^POSTAL_SERVER_IP: expected an IP address/);
    expect(configErrorOf({ CA_FILE: noFile })).toMatch(/^CA_FILE=/);
    expect(configErrorOf({ POSTAL_QA_DELIVERY_TIMEOUT_S: 'soon' })).toMatch(
      /^POSTAL_QA_DELIVERY_TIMEOUT_S=soon: must be a number of seconds/,
    );
    expect(configErrorOf({ OUTSIDE_SMTP_PASSWORD: '', OUTSIDE_SMTP_FROM: 'nobody' })).toMatch(
      /^OUTSIDE_SMTP_FROM: expected an email address/,
    );
    expect(loadLiveSettings(DNS_ONLY, { OUTSIDE_SMTP_PASSWORD: 'hunter2-outside' }, noFile).secrets).toEqual(['hunter2-outside']);
  });

  it('checks the mail-tester settings and refuses an account and an address together', () => {
    expect(configErrorOf({ MAIL_TESTER_USER: 'mail goat' })).toMatch(/^MAIL_TESTER_USER: expected your mail-tester account name/);
    expect(configErrorOf({ MAIL_TESTER_ADDRESS: 'test-abc' })).toMatch(
      /^MAIL_TESTER_ADDRESS: expected an email address like test-abc123@srv1\.mail-tester\.com/,
    );
    expect(configErrorOf({ MAIL_TESTER_URL: 'www.mail-tester.com' })).toMatch(/^MAIL_TESTER_URL: expected an http\(s\) URL/);
    expect(configErrorOf({ MAIL_TESTER_DOMAIN: 'mail-tester' })).toMatch(/^MAIL_TESTER_DOMAIN: expected a domain/);
    expect(configErrorOf({ MAIL_TESTER_USER: 'mailgoat', MAIL_TESTER_ADDRESS: 'test-abc@srv1.mail-tester.com' })).toMatch(
      /^MAIL_TESTER_USER and MAIL_TESTER_ADDRESS are both set: keep one/,
    );
    expect(loadLiveSettings(DNS_ONLY, { MAIL_TESTER_USER: 'mail-goat.qa' }, noFile).values.MAIL_TESTER_USER).toBe('mail-goat.qa');
  });

  it('refuses a URL with a user name or password, a query in a base URL, and keys over plain http, never echoing the URL', () => {
    const withPassword = configErrorOf({ POSTAL_API_URL: 'https://admin:hunter2-pw@postal.example' });
    expect(withPassword).toMatch(/^POSTAL_API_URL: a user name or password in the URL is not accepted/);
    const typo = configErrorOf({ POSTAL_API_URL: 'htps://admin:hunter2-pw@postal.example' });
    expect(typo).toMatch(/^POSTAL_API_URL: a user name or password in the URL is not accepted/);
    expect(configErrorOf({ POSTAL_API_URL: 'htps://postal.example' })).toMatch(
      /^POSTAL_API_URL: expected an http\(s\) URL .*found the scheme "htps:"/,
    );
    expect(configErrorOf({ POSTAL_API_URL: 'https://postal.example?x=1' })).toMatch(
      /^POSTAL_API_URL: expected a base URL without a "\?…" query/,
    );
    expect(configErrorOf({ MAIL_TESTER_URL: 'https://www.mail-tester.com/#x' })).toMatch(/^MAIL_TESTER_URL: expected a base URL/);
    expect(configErrorOf({ POSTAL_API_URL: 'http://postal.example' })).toMatch(
      /^POSTAL_API_URL: http:\/\/ would send the API keys in clear text to postal\.example; use https:\/\/, or pass --allow-plain-http/,
    );
    expect(configErrorOf({ MAILGOAT_SERVER_URL: 'http://10.0.0.5' })).toMatch(
      /^MAILGOAT_SERVER_URL: http:\/\/ would send the API keys in clear text/,
    );
    expect(configErrorOf({ INBOX_LIST_URLS: 'ceo=http://u:hunter2-pw@127.0.0.1:8001/messages' })).toMatch(
      /^INBOX_LIST_URLS: pair 1: a user name or password/,
    );
    for (const message of [withPassword, typo]) expect(message).not.toContain('hunter2');
    expect(registeredSecrets()).toContain('hunter2-pw');
    // Loopback, or a user who says so, may use http.
    expect(loadLiveSettings(DNS_ONLY, { POSTAL_API_URL: 'http://127.0.0.1:5000' }, noFile).values.POSTAL_API_URL).toBe(
      'http://127.0.0.1:5000',
    );
    expect(loadLiveSettings(DNS_ONLY, { POSTAL_API_URL: 'http://localhost' }, noFile).values.POSTAL_API_URL).toBe('http://localhost');
    expect(
      loadLiveSettings(DNS_ONLY, { POSTAL_API_URL: 'http://postal.example' }, noFile, { allowPlainHttp: true }).values.POSTAL_API_URL,
    ).toBe('http://postal.example');
  });

  it('never quotes a command, registers it as a secret, and refuses control characters in any value', () => {
    clearRegisteredSecrets();
    const command = 'sshpass -p hunter2-cmd ssh root@host true';
    const message = configErrorOf({ OUTBOUND_SMTP_COMMAND: command });
    expect(message).toMatch(/^OUTBOUND_SMTP_COMMAND: expected a command containing \{ip\} or \{host\} \(from/);
    expect(message).not.toContain('hunter2');
    expect(registeredSecrets()).toContain(command);
    expect(configErrorOf({ SEED_GMAIL_IMAP: 'imap.gmail.com\n:993' })).toMatch(
      /^SEED_GMAIL_IMAP: contains a control character \(a line break, a tab\) at character 15/,
    );
    expect(configErrorOf({ SEED_GMAIL_IMAP: 'imap_gmail.com:993' })).toMatch(/^SEED_GMAIL_IMAP: expected host\[:port\]/);
    expect(configErrorOf({ SEED_GMAIL_IMAP: `${'a'.repeat(64)}.com:993` })).toMatch(/^SEED_GMAIL_IMAP: expected host\[:port\]/);
  });

  it('refuses a CA file whose PEM block is not a certificate, and a deadline below a second', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    expect(configErrorOf({ CA_FILE: ca })).toMatch(
      /^CA_FILE=.*ca\.pem: certificate 1 of 1 cannot be read \(.+\); export the CA again as PEM$/,
    );
    expect(configErrorOf({ POSTAL_QA_DELIVERY_TIMEOUT_S: '1e-9' })).toMatch(
      /^POSTAL_QA_DELIVERY_TIMEOUT_S=1e-9: must be a number of seconds from 1 to 3600/,
    );
    expect(configErrorOf({ POSTAL_QA_CONNECT_TIMEOUT_S: '0.5' })).toMatch(
      /^POSTAL_QA_CONNECT_TIMEOUT_S=0.5: must be a number of seconds from 1 to 3600/,
    );
  });

  it('reads a password without the comment after it, and registers secrets from a file before any key is judged', () => {
    clearRegisteredSecrets();
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const file = join(dir, 'live.env');
    writeFileSync(
      file,
      'SEED_GMAIL_ADDRESS=a@gmail.com\nSEED_GMAIL_PASSWORD=app-pass-9 # the app password\nSEED_GMAIL_PASWORD=typo-secret-1\n',
    );
    expect(() => loadLiveSettings(DNS_ONLY, {}, { path: file, explicit: true })).toThrow(
      /unknown setting SEED_GMAIL_PASWORD \(did you mean SEED_GMAIL_PASSWORD\?\)/,
    );
    expect(registeredSecrets()).toEqual(expect.arrayContaining(['app-pass-9', 'typo-secret-1']));
    writeFileSync(file, 'SEED_GMAIL_ADDRESS=a@gmail.com\nSEED_GMAIL_PASSWORD=app-pass-9 # the app password\n');
    expect(loadLiveSettings(DNS_ONLY, {}, { path: file, explicit: true }).values.SEED_GMAIL_PASSWORD).toBe('app-pass-9');
  });
});
