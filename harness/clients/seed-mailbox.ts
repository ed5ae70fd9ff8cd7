// Loaded when a mailbox is first read: only the worker that reads seeds pays for it.
import type { ImapFlow } from 'imapflow';
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
 * Logs in to a seed mailbox and out again: whether its IMAP takes the seed's credentials at all. Throws
 * what the server or the connection said; `authenticationFailed` is set when the server refused the login.
 */
export async function checkSeedLogin(options: SeedReaderOptions): Promise<void> {
  const client = await imapClient(options);
  await client.connect();
  await client.logout().catch(() => client.close());
}

async function imapClient(options: SeedReaderOptions): Promise<ImapFlow> {
  const { imap } = options.seed;
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
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
}

/**
 * Reads a seed mailbox over IMAP exactly as a person would check Gmail: looks for a message carrying a
 * token in the Inbox and in the folder the server marks as Junk (RFC 6154 special use).
 */
export async function findInSeedMailbox(options: SeedReaderOptions, token: string): Promise<FoundMessage | undefined> {
  return (await findAllInSeedMailbox(options, token, { last: true }))[0];
}

/** Every message carrying `token` in its subject or body, Inbox first, then Junk (only the newest when `last`). */
export async function findAllInSeedMailbox(options: SeedReaderOptions, token: string, { last = false } = {}): Promise<FoundMessage[]> {
  const client = await imapClient(options);
  await client.connect();
  const found: FoundMessage[] = [];
  try {
    const folders = await client.list();
    const junk = folders.find((f) => f.specialUse === '\\Junk')?.path;
    const places: Array<{ placement: FoundMessage['placement']; folder: string }> = [{ placement: 'INBOX', folder: 'INBOX' }];
    if (junk) places.push({ placement: 'Junk', folder: junk });
    for (const place of places) {
      const lock = await client.getMailboxLock(place.folder);
      try {
        const uids = await client.search({ or: [{ subject: token }, { body: token }] }, { uid: true });
        const wanted = Array.isArray(uids) ? (last ? uids.slice(-1) : uids) : [];
        for (const uid of wanted) {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (message && message.source) found.push({ ...place, raw: message.source, copies: Array.isArray(uids) ? uids.length : 1 });
        }
      } finally {
        lock.release();
      }
      if (last && found.length > 0) return found;
    }
    return found;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
