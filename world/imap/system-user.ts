/**
 * Looks up a system user's uid and primary gid from /etc/passwd (node has no getpwnam), so the
 * world can hand Maildirs to the account Dovecot's mail processes run as.
 */
import { readFileSync } from 'node:fs';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

export function parsePasswd(text: string, name: string): SystemUser | undefined {
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

export function lookupSystemUser(name: string, passwdPath = '/etc/passwd'): SystemUser {
  const found = parsePasswd(readFileSync(passwdPath, 'utf8'), name);
  if (!found) throw new Error(`system user "${name}" not found in ${passwdPath} (is Debian's dovecot-core installed?)`);
  return found;
}
