import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteSession } from './sqlite-session.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postal-qa-sqlite-session-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('sqliteSession', () => {
  it("gives each script its own output, in order, from one shell", async () => {
    const session = sqliteSession(join(dir, 'a.db'));
    const [one, two] = await Promise.all([session.run('SELECT 1;'), session.run("SELECT 'two';")]);
    expect(one.trim()).toBe('1');
    expect(two.trim()).toBe('two');
    await session.close();
  });

  it("rejects with sqlite3's own words on an error, and the next script runs in a fresh shell", async () => {
    const session = sqliteSession(join(dir, 'b.db'));
    await expect(session.run('SELECT * FROM missing;')).rejects.toThrow(/sqlite3 .* exited 1: .*no such table: missing/);
    expect((await session.run('SELECT 40 + 2;')).trim()).toBe('42');
    await session.close();
  });

  it('kills a script that outlives its timeout and says so', async () => {
    const session = sqliteSession(join(dir, 'c.db'));
    const slow = 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n;';
    await expect(session.run(slow, 300)).rejects.toThrow(/killed \(SIGKILL\) after 300 ms/);
    await session.close();
  });
});
