import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import type { LiveSettings } from '../config/live-settings.ts';
import { openLiveTarget } from './live.ts';

const deployment = loadDeployment('fixtures/deployment.json');
const keyOf = (i: number) => `Key${String(i).padStart(2, '0')}abcdefghijklmnopqrs`.slice(0, 24);

function settings(values: Record<string, string>): LiveSettings {
  // Resolvers on loopback: describing a live target must never reach the Internet from a test.
  return { values, resolvers: ['127.0.0.1:1'], authoritative: ['127.0.0.1:1'], secrets: ['gmail-app-password'] };
}

function keysFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'postal-qa-live-')), 'postal-api-keys.txt');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

describe('openLiveTarget', () => {
  it('describes the production server from the live settings, and lists every key and password to mask', async () => {
    const file = keysFile(deployment.agents.map((a, i) => `${a.address} ${keyOf(i)}`));
    const target = await openLiveTarget(
      deployment,
      settings({
        POSTAL_API_URL: 'https://postal.mailgoat.ai/',
        POSTAL_API_KEYS_FILE: file,
        SEED_GMAIL_ADDRESS: 'seed@gmail.com',
        SEED_GMAIL_PASSWORD: 'gmail-app-password',
        POSTAL_SERVICES_COMMAND: 'ssh root@91.98.35.3 docker compose -p postal ps --format json',
        INBOX_LIST_COMMAND: 'ssh host mailgoat inbox list --json --db-path /srv/{agent}.db',
      }),
    );
    const d = target.descriptor;
    expect(d).toMatchObject({ env: 'live', serverIp: '91.98.35.3', hostResolver: 'system' });
    expect(d.postal?.webUrl).toBe('https://postal.mailgoat.ai');
    expect(d.postal?.services).toEqual({ kind: 'command', command: 'ssh root@91.98.35.3 docker compose -p postal ps --format json' });
    expect(d.accounts).toHaveLength(13);
    expect(d.seeds).toEqual([
      {
        provider: 'Gmail',
        address: 'seed@gmail.com',
        imap: {
          host: 'imap.gmail.com',
          port: 993,
          secure: true,
          user: 'seed@gmail.com',
          password: 'gmail-app-password',
          servername: 'imap.gmail.com',
        },
      },
    ]);
    expect(d.outsideSender).toMatchObject({ host: 'smtp.gmail.com', port: 587, from: 'seed@gmail.com' });
    expect(d.inboxReader).toEqual({ kind: 'command', template: 'ssh host mailgoat inbox list --json --db-path /srv/{agent}.db' });
    expect(d.mailTester).toBeUndefined();
    expect(target.secrets).toContain('gmail-app-password');
    for (let i = 0; i < 13; i++) expect(target.secrets).toContain(keyOf(i));
  });

  it('points every endpoint where the settings say: tunnels, a private CA, another resolver, another outside sender', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-live-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const target = await openLiveTarget(deployment, {
      ...settings({
        POSTAL_API_URL: 'https://postal.mailgoat.ai:8443',
        POSTAL_SERVER_IP: '127.0.0.10',
        POSTAL_SMTP: 'localhost:2525',
        HOST_RESOLVER: '127.0.0.53:5353',
        CA_FILE: ca,
        SEED_OUTLOOK_ADDRESS: 'seed@outlook.com',
        SEED_OUTLOOK_PASSWORD: 'p',
        SEED_OUTLOOK_IMAP: 'localhost:1143',
        SEED_OUTLOOK_USER: 'login-name',
        OUTSIDE_SMTP: 'smtp.example.net:2587',
        OUTSIDE_SMTP_USER: 'me@example.net',
        OUTSIDE_SMTP_PASSWORD: 'q',
        INBOX_LIST_URLS: 'ceo=http://127.0.0.1:8001/messages,qa=http://127.0.0.1:8002/messages',
        POSTAL_SERVICES_URL: 'http://127.0.0.1:9000/compose/ps',
        RELAY_PROBE_RECIPIENT: 'relay@example.org',
        POSTAL_QA_DELIVERY_TIMEOUT_S: '20',
        MAIL_TESTER_USER: 'mailgoat',
      }),
      resolvers: ['127.0.0.1:1', '127.0.0.2:1'],
    });
    const d = target.descriptor;
    expect(d).toMatchObject({
      serverIp: '127.0.0.10',
      publicServerIp: '91.98.35.3',
      hostResolver: '127.0.0.53:5353',
      relayProbeRecipient: 'relay@example.org',
    });
    expect(d.trustedCaPem).toContain('BEGIN CERTIFICATE');
    expect(d.postal?.smtp).toEqual({ host: 'localhost', port: 2525 });
    expect(d.postal?.services).toEqual({ kind: 'http', url: 'http://127.0.0.1:9000/compose/ps' });
    expect(d.seeds[0]?.imap).toMatchObject({ host: 'localhost', port: 1143, secure: false, user: 'login-name' });
    expect(d.outsideSender).toMatchObject({
      host: 'smtp.example.net',
      port: 2587,
      user: 'me@example.net',
      password: 'q',
      from: 'me@example.net',
    });
    expect(d.inboxReader).toEqual({ kind: 'http', urls: { ceo: 'http://127.0.0.1:8001/messages', qa: 'http://127.0.0.1:8002/messages' } });
    expect(d.timeouts.deliveryMs).toBe(20_000);
    expect(d.mailTester).toEqual({ webUrl: 'https://www.mail-tester.com', domain: 'mail-tester.com', user: 'mailgoat' });
    // The authoritative server is also a listed resolver: DNS-07 asks it once.
    expect(d.dns.resolvers.map((r) => r.server)).toEqual(['127.0.0.1:1', '127.0.0.2:1']);
  });

  it('names the agent whose key is missing from the keys file', async () => {
    const file = keysFile(deployment.agents.slice(1).map((a, i) => `${a.address} ${keyOf(i)}`));
    await expect(
      openLiveTarget(deployment, settings({ POSTAL_API_URL: 'https://postal.mailgoat.ai', POSTAL_API_KEYS_FILE: file })),
    ).rejects.toThrow(`${file}: no API key for ceo@mailgoat.ai; add a line "ceo@mailgoat.ai <key>"`);
  });

  it('needs nothing but DNS for --only=dns: no Postal side at all', async () => {
    const target = await openLiveTarget(deployment, settings({}));
    expect(target.descriptor.postal).toBeUndefined();
    expect(target.descriptor.accounts).toEqual([]);
  });
});
