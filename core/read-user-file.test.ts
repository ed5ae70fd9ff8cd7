import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { readUserFile, readUserJson } from './read-user-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'postal-qa-user-file-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const messageOf = (read: () => unknown): string => {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
};
const waivers = (path: string) => ({ path, namedBy: '--waivers', what: 'waivers file' });

describe('readUserFile', () => {
  it('reads a small UTF-8 file, without a byte-order mark', () => {
    expect(readUserFile(waivers(file('ok.json', '\uFEFF[]')))).toBe('[]');
  });

  it('names the flag and the path for a missing file, a directory, a device', () => {
    expect(messageOf(() => readUserFile({ ...waivers(join(dir, 'nope.json')), whenMissing: 'leave --waivers out' }))).toBe(
      `--waivers=${join(dir, 'nope.json')}: waivers file not found; leave --waivers out`,
    );
    expect(messageOf(() => readUserFile(waivers(dir)))).toBe(`--waivers=${dir}: is a directory; expected a waivers file (a file)`);
    // /dev/zero never ends: it must be refused, not read.
    expect(messageOf(() => readUserFile(waivers('/dev/zero')))).toMatch(/^--waivers=\/dev\/zero: is not a regular file/);
    expect(messageOf(() => readUserFile(waivers(join(file('plain', 'x'), 'sub'))))).toMatch(/a part of the path is a file/);
  });

  it('refuses a file over the limit before reading it (a 5 MB whitespace-padded JSON file)', () => {
    const padded = file('padded.json', `[${' '.repeat(5 * 1024 * 1024)}]`);
    expect(messageOf(() => readUserFile(waivers(padded)))).toBe(
      `--waivers=${padded}: the waivers file is 5.0 MB; at most 1.0 MB is accepted`,
    );
    expect(readUserFile({ ...waivers(padded), maxBytes: 6 * 1024 * 1024 })).toHaveLength(5 * 1024 * 1024 + 2);
  });

  it('refuses a file that is not UTF-8, and JSON that does not parse', () => {
    expect(messageOf(() => readUserFile(waivers(file('latin1.json', Buffer.from([0x5b, 0xe9, 0x5d])))))).toMatch(
      /: the waivers file is not UTF-8 text$/,
    );
    expect(messageOf(() => readUserJson(waivers(file('broken.json', '[{'))))).toMatch(
      /^--waivers=.*broken\.json: the waivers file is not valid JSON \(/,
    );
  });

  it.skipIf(process.getuid?.() === 0)('says when the file cannot be read (root reads everything, so not as root)', () => {
    const locked = file('locked.json', '[]');
    chmodSync(locked, 0o000);
    expect(messageOf(() => readUserFile(waivers(locked)))).toMatch(/permission denied/);
  });
});
