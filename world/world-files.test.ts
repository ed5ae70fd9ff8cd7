import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foreignDeliverable, OWNERSHIP_FILE_NAME } from '../provisioning/deliverable-ownership.ts';
import { seedWorldFiles, worldFolderForNet } from './world-files.ts';

describe("the world's own files", () => {
  it("are copied from provisioning's output where the world has none, and provisioning's folder is only read", () => {
    const from = mkdtempSync(join(tmpdir(), 'postal-qa-seed-from-'));
    mkdirSync(join(from, 'dkim'));
    writeFileSync(join(from, 'accounts-manifest.json'), '{"from":"provisioning"}');
    writeFileSync(join(from, 'dkim', 'postal-qpMdyI.private.pem'), 'KEY');
    writeFileSync(join(from, 'postal-api-keys.txt'), 'the real keys');
    const before = readdirSync(from, { recursive: true }).map((name) => `${String(name)}:${statSync(join(from, String(name))).mtimeMs}`);

    const to = join(mkdtempSync(join(tmpdir(), 'postal-qa-seed-to-')), 'world');
    expect(seedWorldFiles(from, to).sort()).toEqual(['accounts-manifest.json', join('dkim', 'postal-qpMdyI.private.pem')]);
    expect(statSync(join(to, 'accounts-manifest.json')).mode & 0o777).toBe(0o600);
    // Deliverables are not the world's to reuse; what the world has already is kept.
    expect(readdirSync(to).sort()).toEqual([OWNERSHIP_FILE_NAME, 'accounts-manifest.json', 'dkim']);
    // The copies are the world's: provisioning may rewrite them there (a manifest older than the deployment).
    expect(foreignDeliverable(to, join(to, 'accounts-manifest.json'), '{"rewritten":true}')).toBeUndefined();
    writeFileSync(join(to, 'accounts-manifest.json'), '{"from":"world"}');
    expect(seedWorldFiles(from, to)).toEqual([]);
    expect(readFileSync(join(to, 'accounts-manifest.json'), 'utf8')).toBe('{"from":"world"}');
    expect(readdirSync(from, { recursive: true }).map((name) => `${String(name)}:${statSync(join(from, String(name))).mtimeMs}`)).toEqual(
      before,
    );
  });

  it('live by net for npm run world, and nothing is copied from a folder that is not there', () => {
    expect(worldFolderForNet('127.0.9')).toBe(join('.postal-qa', 'world-127.0.9'));
    expect(seedWorldFiles(join(tmpdir(), 'postal-qa-no-such-folder'), mkdtempSync(join(tmpdir(), 'postal-qa-seed-to-')))).toEqual([]);
  });
});
