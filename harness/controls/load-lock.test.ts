import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLoadLock } from './load-lock.ts';

const lockIn = () => join(mkdtempSync(join(tmpdir(), 'postal-qa-load-lock-')), 'lock');

describe('withLoadLock', () => {
  it('runs the work at once without POSTAL_QA_LOAD_LOCK', async () => {
    expect(await withLoadLock(() => Promise.resolve('done'), 10, {})).toBe('done');
  });

  it('lets one run measure at a time: the second waits for the first, and the lock is gone after both', async () => {
    const dir = lockIn();
    const env = { POSTAL_QA_LOAD_LOCK: dir };
    const order: string[] = [];
    let release!: () => void;
    const first = withLoadLock(
      async () => {
        order.push('first starts');
        expect(existsSync(dir)).toBe(true);
        await new Promise<void>((resolve) => (release = resolve));
        order.push('first ends');
      },
      5_000,
      env,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = withLoadLock(() => Promise.resolve(order.push('second starts')), 5_000, env);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(order).toEqual(['first starts']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second starts']);
    expect(existsSync(dir)).toBe(false);
  });

  it('takes over a lock whose holder died, and gives up waiting after its deadline (running anyway)', async () => {
    const dir = lockIn();
    mkdirSync(dir);
    writeFileSync(join(dir, 'pid'), '99999999');
    expect(await withLoadLock(() => Promise.resolve('taken over'), 5_000, { POSTAL_QA_LOAD_LOCK: dir })).toBe('taken over');
    const held = lockIn();
    mkdirSync(held);
    writeFileSync(join(held, 'pid'), String(process.pid));
    const started = Date.now();
    expect(await withLoadLock(() => Promise.resolve('ran anyway'), 300, { POSTAL_QA_LOAD_LOCK: held })).toBe('ran anyway');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(existsSync(held), 'a lock it never took is not its to remove').toBe(true);
  });
});
