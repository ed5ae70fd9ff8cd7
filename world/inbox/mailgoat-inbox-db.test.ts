import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mailgoatInboxDatabase, mailgoatInboxRow, runSqlite } from './mailgoat-inbox-db.ts';

/** A Postal Hash payload as the stand-in posts it (the fields 1.2.0 reads, and some it ignores). */
const payload = {
  id: 101,
  rcpt_to: 'agent@mailgoat.ai',
  mail_from: 'bounce@rp.mailgoat.ai',
  from: 'Sender <sender@mailgoat.ai>',
  token: 'Xq3kLm9PzT0a',
  subject: "Inbound 'test'",
  message_id: '4f1c2d3e-aaaa-bbbb-cccc-0123456789ab@rp.mailgoat.ai',
  timestamp: 1714000000.123456,
  plain_body: 'Hello agent\nsecond line',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postal-qa-mailgoat-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rows = async (path: string) => JSON.parse((await runSqlite(path, '.mode json\nSELECT * FROM inbox_messages ORDER BY id;\n')) || '[]') as Array<Record<string, unknown>>;

describe('mailgoatInboxRow: a Hash payload as `inbox serve` 1.2.0 stores it', () => {
  it('keys the row by the Message-ID, takes the envelope sender, and the whole plain body as snippet', () => {
    expect(mailgoatInboxRow(payload)).toEqual({
      id: payload.message_id,
      from_email: 'bounce@rp.mailgoat.ai',
      to_emails: '["agent@mailgoat.ai"]',
      subject: "Inbound 'test'",
      snippet: 'Hello agent\nsecond line',
      timestamp: '2024-04-24T23:06:40.123Z',
    });
  });

  it("falls back to Postal's numeric id, the From header and empty strings as 1.2.0 does", () => {
    const row = mailgoatInboxRow({ id: 7, rcpt_to: 'a@x.test, b@x.test', mail_from: '', from: 'h@x.test', subject: null, message_id: null, timestamp: null, plain_body: null }, () => new Date('2025-01-02T03:04:05.000Z'));
    expect(row).toEqual({ id: '7', from_email: 'h@x.test', to_emails: '["a@x.test","b@x.test"]', subject: '', snippet: '', timestamp: '2025-01-02T03:04:05.000Z' });
  });
});

describe('mailgoatInboxDatabase', () => {
  it('writes the table 1.2.0 reads, upserting a redelivery without touching read or created_at', async () => {
    const db = mailgoatInboxDatabase(join(dir, 'agent', '.mailgoat', 'inbox', 'messages.db'));
    // Two at once: the writes queue instead of fighting for SQLite's lock.
    await Promise.all([db.store(payload), db.store({ ...payload, id: 102, message_id: 'other@rp.mailgoat.ai', subject: 'Other' })]);
    const first = await rows(db.path);
    expect(first.map((r) => r.id)).toEqual([payload.message_id, 'other@rp.mailgoat.ai']);
    expect(first[0]).toMatchObject({ from_email: 'bounce@rp.mailgoat.ai', to_emails: '["agent@mailgoat.ai"]', subject: "Inbound 'test'", snippet: 'Hello agent\nsecond line', timestamp: '2024-04-24T23:06:40.123Z', read: 0 });
    // datetime('now') in UTC, the format 1.2.0's defaults give.
    expect(first[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(first[0]!.updated_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    await runSqlite(db.path, `UPDATE inbox_messages SET read = 1, created_at = '2000-01-01 00:00:00' WHERE id = '${payload.message_id}';`);
    await db.store({ ...payload, subject: 'Redelivered' });
    const again = (await rows(db.path)).find((r) => r.id === payload.message_id)!;
    expect(again).toMatchObject({ subject: 'Redelivered', read: 1, created_at: '2000-01-01 00:00:00' });

    const columns = (JSON.parse(await runSqlite(db.path, '.mode json\nPRAGMA table_info(inbox_messages);\n')) as Array<{ name: string }>).map((c) => c.name);
    expect(columns).toEqual(['id', 'from_email', 'to_emails', 'subject', 'snippet', 'timestamp', 'read', 'created_at', 'updated_at']);
    expect((await runSqlite(db.path, 'PRAGMA journal_mode;\n')).trim()).toBe('wal');
  });

  it('rejects with what sqlite3 said when the database cannot be written', async () => {
    const db = mailgoatInboxDatabase(join(dir, 'db'));
    await runSqlite(db.path, 'CREATE TABLE inbox_messages (id TEXT PRIMARY KEY);');
    await expect(db.store(payload)).rejects.toThrow(/sqlite3 .* exited 1: .*no such column/);
  });
});

describe('mailgoatInboxDatabase: one shell, rows committed together', () => {
  it('stores a burst of rows, each resolved only once it is on disk', async () => {
    const db = mailgoatInboxDatabase(join(dir, 'burst', 'messages.db'));
    const stored = await Promise.all(Array.from({ length: 50 }, (_, i) => db.store({ ...payload, id: 200 + i, message_id: `m${i}@rp.mailgoat.ai` })));
    expect(stored).toHaveLength(50);
    expect((await rows(db.path)).length).toBe(50);
    await db.close();
  });

  it('brings back a folder removed while its shell is open, as the CLI would find it', async () => {
    const db = mailgoatInboxDatabase(join(dir, 'agent', '.mailgoat', 'inbox', 'messages.db'));
    await db.store(payload);
    rmSync(join(dir, 'agent'), { recursive: true, force: true });
    await db.store({ ...payload, id: 102, message_id: 'after@rp.mailgoat.ai' });
    expect((await rows(db.path)).map((r) => r.id)).toEqual(['after@rp.mailgoat.ai']);
    await db.close();
  });

  it('fails every row of a batch sqlite3 refused, and writes again once the table is right', async () => {
    const db = mailgoatInboxDatabase(join(dir, 'db'));
    await runSqlite(db.path, 'CREATE TABLE inbox_messages (id TEXT PRIMARY KEY);');
    const outcomes = await Promise.allSettled([db.store(payload), db.store({ ...payload, id: 5, message_id: 'x@y' })]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    await runSqlite(db.path, 'DROP TABLE inbox_messages;');
    await expect(db.store(payload)).resolves.toMatchObject({ id: payload.message_id });
    await db.close();
  });
});
