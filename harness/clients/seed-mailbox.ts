import { ImapFlow } from 'imapflow';
import type { SeedMailbox } from '../targets/target.ts';

export interface FoundMessage {
  /** "INBOX" or "Junk" (the folder's role, whatever the provider calls it). */
  placement: 'INBOX' | 'Junk';
  folder: string;
  raw: Buffer;
  /** How many messages in that folder carry the token (more than one: delivered more than once). */
  copies: number;
}

export interface SeedReaderOptions {
  seed: SeedMailbox;
  /** Extra root for the IMAP server's certificate (the world CA); live uses the system store. */
  ca?: string;
  servername?: string;
  timeoutMs: number;
}

/**
 * Reads a seed mailbox over IMAP exactly as a person would check Gmail: looks for a message carrying a
 * token in the Inbox and in the folder the server marks as Junk (RFC 6154 special use).
 */
export async function findInSeedMailbox(options: SeedReaderOptions, token: string): Promise<FoundMessage | undefined> {
  const { imap } = options.seed;
  const client = new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    doSTARTTLS: imap.secure ? undefined : true,
    auth: { user: imap.user, pass: imap.password },
    tls: { ca: options.ca, servername: options.servername },
    servername: options.servername,
    logger: false,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  await client.connect();
  try {
    const folders = await client.list();
    const junk = folders.find((f) => f.specialUse === '\\Junk')?.path;
    const places: Array<{ placement: FoundMessage['placement']; folder: string }> = [{ placement: 'INBOX', folder: 'INBOX' }];
    if (junk) places.push({ placement: 'Junk', folder: junk });
    for (const place of places) {
      const lock = await client.getMailboxLock(place.folder);
      try {
        const uids = await client.search({ or: [{ subject: token }, { body: token }] }, { uid: true });
        const uid = Array.isArray(uids) ? uids.at(-1) : undefined;
        if (uid !== undefined) {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (message && message.source) return { ...place, raw: message.source, copies: Array.isArray(uids) ? uids.length : 1 };
        }
      } finally {
        lock.release();
      }
    }
    return undefined;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
