import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderDovecotConfig, renderPasswdFile } from './dovecot-config.ts';
import { deliverToMaildir, folderPath } from './maildir.ts';
import { parsePasswd } from './system-user.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Maildir++ delivery', () => {
  it('writes INBOX to Maildir/new and Junk to Maildir/.Junk/new with the folder marker', () => {
    const root = mkdtempSync(join(tmpdir(), 'maildir-'));
    dirs.push(root);
    const maildir = join(root, 'Maildir');
    const inbox = deliverToMaildir(maildir, 'INBOX', Buffer.from('Subject: a\r\n\r\nx\r\n'));
    const junk = deliverToMaildir(maildir, 'Junk', Buffer.from('Subject: b\r\n\r\ny\r\n'));
    expect(inbox.startsWith(join(maildir, 'new'))).toBe(true);
    expect(junk.startsWith(join(maildir, '.Junk', 'new'))).toBe(true);
    expect(readFileSync(junk, 'utf8')).toContain('Subject: b');
    expect(existsSync(join(maildir, '.Junk', 'maildirfolder'))).toBe(true);
    expect(readdirSync(join(maildir, 'tmp'))).toEqual([]);
    expect(inbox).toMatch(/,S=17$/);
  });

  it('gives every message a unique name', () => {
    const root = mkdtempSync(join(tmpdir(), 'maildir-'));
    dirs.push(root);
    const names = new Set(Array.from({ length: 50 }, () => deliverToMaildir(join(root, 'Maildir'), 'INBOX', Buffer.from('x'))));
    expect(names.size).toBe(50);
  });

  it('maps folder names the Maildir++ way and refuses path tricks', () => {
    expect(folderPath('/m', 'INBOX')).toBe('/m');
    expect(folderPath('/m', 'Junk')).toBe('/m/.Junk');
    expect(folderPath('/m', 'Archive/2025')).toBe('/m/.Archive.2025');
    expect(() => folderPath('/m', '../etc')).toThrow(/invalid Maildir folder/);
  });
});

describe('Dovecot configuration', () => {
  it('writes one passwd-file line per user and refuses unsafe names', () => {
    expect(renderPasswdFile([{ user: 'seed1@gmail.test', password: 'abc' }])).toBe('seed1@gmail.test:{PLAIN}abc::::::\n');
    expect(() => renderPasswdFile([{ user: 'a:b', password: 'x' }])).toThrow(/invalid IMAP user/);
    expect(() => renderPasswdFile([{ user: 'a', password: 'x:y' }])).toThrow(/invalid password/);
  });

  it('listens on the given address only, imap only, STARTTLS with the given files', () => {
    const config = renderDovecotConfig({
      instanceName: 'postal-qa-gmail',
      address: '127.0.0.20',
      port: 143,
      baseDir: '/tmp/x/run',
      stateDir: '/tmp/x/state',
      passwdFile: '/tmp/x/passwd',
      certFile: '/tmp/x/cert.pem',
      keyFile: '/tmp/x/key.pem',
      maildirRoot: '/data/mail',
      mailUser: { name: 'mail', uid: 8, gid: 8 },
      loginUser: 'dovenull',
      internalUser: 'dovecot',
    });
    expect(config).toMatch(/^protocols = imap$/m);
    expect(config).toMatch(/^listen = 127\.0\.0\.20$/m);
    expect(config).toMatch(/^ssl = yes$/m);
    expect(config).toMatch(/^ssl_cert = <\/tmp\/x\/cert\.pem$/m);
    expect(config).toMatch(/home=\/data\/mail\/%u/);
    expect(config).toMatch(/inet_listener imaps \{\s+port = 0/);
    expect(config).toMatch(/special_use = \\Junk/);
  });

  it('reads uid and gid from a passwd file', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nmail:x:8:8:mail:/var/mail:/usr/sbin/nologin\n';
    expect(parsePasswd(passwd, 'mail')).toEqual({ name: 'mail', uid: 8, gid: 8 });
    expect(parsePasswd(passwd, 'nobody')).toBeUndefined();
  });
});
