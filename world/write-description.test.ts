import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { WorldDescription } from './world-description.ts';
import { writeDescription } from './write-description.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test('the description file is mode 600, whole, and no partial file is left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'describe-to-'));
  dirs.push(dir);
  const path = join(dir, 'world.json');
  const description = {
    net: '127.0.13',
    accounts: [{ agentId: 'ceo', address: 'ceo@mailgoat.ai', apiKey: 'secret-key' }],
  } as unknown as WorldDescription;
  writeDescription(path, description);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(description);
  expect(existsSync(`${path}.partial`)).toBe(false);
});
