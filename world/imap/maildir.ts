/**
 * Maildir++ delivery, the layout Dovecot reads with `mail_location = maildir:~/Maildir`:
 * INBOX is `Maildir/{cur,new,tmp}`, a folder "Junk" is `Maildir/.Junk/{cur,new,tmp}` with a
 * `maildirfolder` marker. A message is written to tmp/ and renamed into new/, so Dovecot never
 * sees half a message.
 */
import { chownSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface MaildirOwner {
  uid: number;
  gid: number;
}

export type MaildirFolder = string; // 'INBOX' or a folder's name

let sequence = 0;

/** `<root>/Maildir` for INBOX, `<root>/Maildir/.<Folder>` for any other folder */
export function folderPath(maildir: string, folder: MaildirFolder): string {
  if (folder === 'INBOX') return maildir;
  // '/' is the IMAP hierarchy separator and '.' Maildir++'s, so segments may hold neither.
  const segments = folder.split('/');
  if (!segments.every((s) => /^[A-Za-z0-9 _-]+$/.test(s))) throw new Error(`invalid Maildir folder name "${folder}"`);
  return join(maildir, `.${segments.join('.')}`);
}

/** Creates the folder (and INBOX) with cur/new/tmp, owned by `owner` when given. Idempotent. */
export function ensureMaildirFolder(maildir: string, folder: MaildirFolder = 'INBOX', owner?: MaildirOwner): string {
  const paths = folder === 'INBOX' ? [maildir] : [maildir, folderPath(maildir, folder)];
  for (const path of paths) {
    for (const sub of ['', 'cur', 'new', 'tmp']) {
      const dir = join(path, sub);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (owner) chownSync(dir, owner.uid, owner.gid);
    }
    if (path !== maildir) {
      const marker = join(path, 'maildirfolder');
      writeFileSync(marker, '', { mode: 0o600 });
      if (owner) chownSync(marker, owner.uid, owner.gid);
    }
  }
  return folderPath(maildir, folder);
}

/** Unique per the Maildir spec: time, microseconds, pid, a counter, and the host. */
function uniqueName(size: number): string {
  const now = process.hrtime.bigint();
  const seconds = Math.floor(Date.now() / 1000);
  const micros = Number((now / 1000n) % 1_000_000n);
  sequence += 1;
  const host = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072');
  return `${seconds}.M${micros}P${process.pid}Q${sequence}.${host},S=${size}`;
}

/** Delivers one message into `folder`'s new/; returns the file's path. */
export function deliverToMaildir(maildir: string, folder: MaildirFolder, raw: Buffer, owner?: MaildirOwner): string {
  const dir = ensureMaildirFolder(maildir, folder, owner);
  const name = uniqueName(raw.length);
  const temporary = join(dir, 'tmp', name);
  const final = join(dir, 'new', name);
  writeFileSync(temporary, raw, { mode: 0o600 });
  if (owner) chownSync(temporary, owner.uid, owner.gid);
  renameSync(temporary, final);
  return final;
}
