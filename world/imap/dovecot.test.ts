import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, type WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { assertTraversable, imapGreets, startDovecot, type Dovecot } from './dovecot.ts';
import { deliverToMaildir } from './maildir.ts';

// world net 127.0.72 for these tests: never clashes with a running world or other engineers' tests.
const ADDRESS = '127.0.72.20';
const USER = 'seed1@gmail.test';
const PASSWORD = 'Seed1Password';

let ca: WorldCertificateAuthority;
let dovecot: Dovecot;
let dataDir: string;
let startMs = 0;

const client = (password = PASSWORD): ImapFlow =>
  new ImapFlow({
    host: ADDRESS,
    port: 143,
    secure: false,
    auth: { user: USER, pass: password },
    tls: { ca: [ca.certificatePem], servername: 'imap.gmail.test' },
    logger: false,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
  });

beforeAll(async () => {
  ca = await createCertificateAuthority();
  const cert = await ca.issue(['imap.gmail.test', 'mx.gmail.test']);
  dataDir = mkdtempSync(join(tmpdir(), 'dovecot-test-'));
  // mkdtemp gives 0700; the mail user Dovecot runs as must be able to traverse it.
  chmodSync(dataDir, 0o711);
  const t0 = performance.now();
  dovecot = await startDovecot({
    name: 'gmail-test',
    address: ADDRESS,
    maildirRoot: join(dataDir, 'mail'),
    users: [{ user: USER, password: PASSWORD }],
    tls: { certPem: cert.certificatePem, keyPem: cert.privateKeyPem },
    onLog: process.env.DOVECOT_LOG ? (line) => console.log(line) : undefined,
  });
  startMs = performance.now() - t0;
  console.log(`startDovecot ready in ${startMs.toFixed(0)} ms`);
});
afterAll(async () => {
  await dovecot?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('startDovecot', () => {
  it('logs in over STARTTLS with a certificate from the world CA and lists INBOX and Junk', async () => {
    const imap = client();
    await imap.connect();
    try {
      const list = await imap.list();
      const paths = list.map((m) => m.path);
      expect(paths).toEqual(expect.arrayContaining(['INBOX', 'Junk']));
      expect(list.find((m) => m.path === 'Junk')?.specialUse).toBe('\\Junk');
      // imapflow upgraded the plain connection with STARTTLS before logging in
      expect((imap as unknown as { socket: { encrypted?: boolean } }).socket.encrypted).toBe(true);
    } finally {
      await imap.logout();
    }
  });

  it('shows a message dropped into the Maildir (INBOX and Junk)', async () => {
    const maildir = dovecot.maildirOf(USER);
    const raw = (subject: string): Buffer =>
      Buffer.from(`From: a@sender.test\r\nTo: ${USER}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@sender.test>\r\n\r\nhello\r\n`);
    deliverToMaildir(maildir, 'INBOX', raw('inbox-one'), dovecot.mailOwner);
    deliverToMaildir(maildir, 'Junk', raw('junk-one'), dovecot.mailOwner);
    const imap = client();
    await imap.connect();
    try {
      for (const [folder, subject] of [
        ['INBOX', 'inbox-one'],
        ['Junk', 'junk-one'],
      ] as const) {
        const lock = await imap.getMailboxLock(folder);
        try {
          const subjects: string[] = [];
          for await (const message of imap.fetch('1:*', { envelope: true })) subjects.push(message.envelope?.subject ?? '');
          expect(subjects).toEqual([subject]);
        } finally {
          lock.release();
        }
      }
    } finally {
      await imap.logout();
    }
  });

  it('says clearly when the mail user cannot reach the Maildirs', () => {
    const closed = mkdtempSync(join(tmpdir(), 'dovecot-closed-'));
    try {
      expect(() => assertTraversable(join(closed, 'mail'), { name: 'mail', uid: 8, gid: 8 })).toThrow(
        /cannot reach .* mode 700 .*chmod o\+x/,
      );
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it('stop() frees the port and removes its runtime folder; idempotent', async () => {
    const cert = await ca.issue(['imap.other.test']);
    const other = await startDovecot({
      name: 'other',
      address: '127.0.72.22',
      maildirRoot: join(dataDir, 'other'),
      users: [{ user: 'x@other.test', password: 'pw' }],
      tls: { certPem: cert.certificatePem, keyPem: cert.privateKeyPem },
    });
    await Promise.all([other.stop(), other.stop()]);
    expect(await imapGreets(other.endpoint, 300)).toBe(false);
    expect(() => process.kill(other.pid, 0)).toThrow();
  });
  // Last: Dovecot then delays further logins from this IP for seconds (its brute-force penalty).
  it('refuses a wrong password', async () => {
    const imap = client('wrong');
    await expect(imap.connect()).rejects.toThrow();
    imap.close();
  });
});
