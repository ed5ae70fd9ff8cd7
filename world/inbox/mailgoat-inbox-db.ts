/**
 * The SQLite database `mailgoat inbox serve` (MailGoat CLI 1.2.0) keeps, written by the world's inbox
 * receivers so the real CLI's `inbox` command shows what an agent received. Table, columns and values
 * follow what 1.2.0 writes for a Postal Hash payload (observed by running a build of its tag v1.2.0):
 * id = the payload's message_id (the Message-ID header; Postal's numeric id only when that is blank),
 * from_email = the envelope sender, to_emails = rcpt_to split on commas as JSON text, snippet = the whole
 * plain body, timestamp = ISO 8601, read 0, created_at/updated_at = SQLite's datetime('now').
 * Debian's `sqlite3` shell does the writing: no native npm module to build. One shell per database stays
 * open (`sqlite-session.ts`), and rows that arrive while a write is on disk are committed together in
 * the next transaction (group commit), so a burst costs a few commits, not one process per message.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteSession } from './sqlite-session.ts';

/** The schema 1.2.0's InboxStore creates (same tables, columns, defaults and indexes), so the CLI opens it as its own. */
export const MAILGOAT_INBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox_messages (
  id TEXT PRIMARY KEY,
  from_email TEXT NOT NULL,
  to_emails TEXT NOT NULL,
  subject TEXT NOT NULL,
  snippet TEXT,
  timestamp TEXT NOT NULL,
  read INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS idx_inbox_messages_timestamp ON inbox_messages(timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_inbox_messages_read ON inbox_messages(read);
CREATE TABLE IF NOT EXISTS webhook_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  message_id TEXT,
  payload_json TEXT NOT NULL,
  received_at TEXT NOT NULL,
  handler_status TEXT NOT NULL DEFAULT 'pending',
  handler_result_json TEXT,
  error_text TEXT
);
CREATE INDEX IF NOT EXISTS idx_webhook_events_received_at ON webhook_events(received_at DESC);
CREATE INDEX IF NOT EXISTS idx_webhook_events_type ON webhook_events(type);
`;

export interface MailgoatInboxRow {
  id: string;
  from_email: string;
  /** JSON text of an array of addresses */
  to_emails: string;
  subject: string;
  snippet: string;
  timestamp: string;
}

type Payload = Record<string, unknown>;

/** JavaScript truthiness, which is how 1.2.0 picks the first usable field ("" and 0 are skipped). */
const firstSet = (...values: unknown[]): unknown => values.find((v) => Boolean(v));

/** A Postal Hash payload as 1.2.0's `inbox serve` turns it into a row (it looks in `details`/`message` first; Hash has neither). */
export function mailgoatInboxRow(payload: Payload, now: () => Date = () => new Date()): MailgoatInboxRow {
  const details = (payload.details ?? payload.message ?? payload) as Payload;
  const id = firstSet(payload.message_id, details.message_id, payload.id, details.id) ?? `${now().getTime()}-${randomBytes(4).toString('hex')}`;
  const from = firstSet(details.mail_from, details.from, payload.from, payload.mail_from) ?? 'unknown@unknown';
  const toValue = firstSet(details.rcpt_to, details.to, payload.to, payload.rcpt_to) ?? [];
  const to = Array.isArray(toValue)
    ? toValue.map(String)
    : String(toValue)
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
  const rawTime = firstSet(payload.timestamp, details.timestamp, details.received_at, payload.received_at);
  // Postal sends float seconds; a string is parsed as a date. An unusable one becomes "now", as 1.2.0's store does.
  const instant = rawTime === undefined ? now() : typeof rawTime === 'number' ? new Date(rawTime * 1000) : new Date(String(rawTime));
  const timestamp = Number.isNaN(instant.getTime()) ? now().toISOString() : instant.toISOString();
  return {
    id: String(id),
    from_email: String(from),
    to_emails: JSON.stringify(to),
    subject: String(firstSet(details.subject, payload.subject) ?? ''),
    snippet: String(firstSet(payload.plain_body, payload.snippet, details.snippet) ?? ''),
    timestamp,
  };
}

const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** 1.2.0's upsert: a second delivery of the same id replaces the fields and bumps updated_at, keeping read and created_at. */
export function upsertSql(row: MailgoatInboxRow): string {
  const values = [row.id, row.from_email, row.to_emails, row.subject, row.snippet, row.timestamp].map(literal).join(', ');
  return `INSERT INTO inbox_messages (id, from_email, to_emails, subject, snippet, timestamp, read, updated_at)
VALUES (${values}, 0, datetime('now'))
ON CONFLICT(id) DO UPDATE SET from_email=excluded.from_email, to_emails=excluded.to_emails, subject=excluded.subject,
  snippet=excluded.snippet, timestamp=excluded.timestamp, updated_at=datetime('now');`;
}

/** Runs one script through `sqlite3`; rejects with its stderr, or when it takes longer than `timeoutMs`. */
export function runSqlite(path: string, script: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sqlite3', ['-bail', '-batch', path], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`cannot run sqlite3 (Debian package sqlite3): ${error.code ?? error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`sqlite3 ${path} ${signal ? `killed (${signal}) after ${timeoutMs} ms` : `exited ${code}`}: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(script);
  });
}

export interface MailgoatInboxDatabase {
  path: string;
  /** Resolves once the row is on disk, so whoever sees the delivery acknowledged can read it with the CLI. */
  store(payload: Payload): Promise<MailgoatInboxRow>;
  /** Ends the database's sqlite3 shell after the writes already asked for. */
  close(): Promise<void>;
}

interface QueuedRow {
  row: MailgoatInboxRow;
  resolve(row: MailgoatInboxRow): void;
  reject(error: Error): void;
}

export function mailgoatInboxDatabase(path: string): MailgoatInboxDatabase {
  // One writer per database: sqlite3 processes racing for the lock would need retries.
  const session = sqliteSession(path);
  let waiting: QueuedRow[] = [];
  let writing: Promise<void> | undefined;

  const writeWaiting = async (): Promise<void> => {
    // `writing` is cleared in the same tick the loop sees nothing waiting, so a row queued by a caller
    // that was just resolved always starts (or joins) a write.
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        // The folder and file are checked per batch, as the CLI makes them per open: one removed meanwhile
        // comes back (the open shell would otherwise keep writing to the deleted file).
        if (!existsSync(path)) {
          await session.close();
          mkdirSync(dirname(path), { recursive: true });
        }
        // WAL as 1.2.0 sets it; .timeout waits out a CLI that is reading at that moment.
        await session.run(`.timeout 5000\nPRAGMA journal_mode = WAL;\n${MAILGOAT_INBOX_SCHEMA}\nBEGIN;\n${batch.map((q) => upsertSql(q.row)).join('\n')}\nCOMMIT;\n`);
        for (const q of batch) q.resolve(q.row);
      } catch (error) {
        for (const q of batch) q.reject(error as Error);
      }
    }
    writing = undefined;
  };

  return {
    path,
    store(payload) {
      const row = mailgoatInboxRow(payload);
      const stored = new Promise<MailgoatInboxRow>((resolve, reject) => waiting.push({ row, resolve, reject }));
      writing ??= writeWaiting();
      return stored;
    },
    async close() {
      await writing;
      await session.close();
    },
  };
}
