import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { provisionAccounts } from './accounts/provision-accounts.ts';
import { assertOwnDeliverables, OWNERSHIP_FILE_NAME, writeDeliverable } from './deliverable-ownership.ts';
import { provisionDns } from './dns/provision-dns.ts';

const deployment = loadDeployment('fixtures/deployment.json');

describe('provisioning overwrites only what it wrote', () => {
  it('rewrites its own file, refuses one it did not write or that was edited since, and takes --force', () => {
    const out = mkdtempSync(join(tmpdir(), 'postal-qa-own-'));
    const path = join(out, 'postal-dns-records.txt');
    writeDeliverable(out, path, 'first\n', 0o644);
    writeDeliverable(out, path, 'second\n', 0o644);
    expect(readFileSync(path, 'utf8')).toBe('second\n');
    expect(statSync(join(out, OWNERSHIP_FILE_NAME)).mode & 0o777).toBe(0o600);

    writeFileSync(path, 'edited by hand\n');
    expect(() => writeDeliverable(out, path, 'third\n', 0o644)).toThrow(
      `${path}: exists and was not written by provisioning (or was changed since); move it away, or pass --force to overwrite it`,
    );
    expect(readFileSync(path, 'utf8')).toBe('edited by hand\n');
    // The same content again is no change, whoever wrote it.
    expect(() => writeDeliverable(out, path, 'edited by hand\n', 0o644)).not.toThrow();
    writeFileSync(path, 'edited again\n');
    writeDeliverable(out, path, 'forced\n', 0o644, true);
    expect(readFileSync(path, 'utf8')).toBe('forced\n');
  });

  it("provision:dns and provision:accounts refuse the real server's deliverables (npm run provision wrote them elsewhere)", () => {
    const out = mkdtempSync(join(tmpdir(), 'postal-qa-own-'));
    const keys = join(out, 'postal-api-keys.txt');
    const zone = join(out, 'postal-dns-records.txt');
    writeFileSync(keys, 'ceo@mailgoat.ai AAAAAAAAAAAAAAAAAAAAAAAA\n');
    writeFileSync(zone, "; Postal's real DKIM key\n");
    expect(() => provisionAccounts(deployment, out)).toThrow(`${keys}: exists and was not written by provisioning`);
    expect(() => provisionDns(deployment, out)).toThrow(`${zone}: exists and was not written by provisioning`);
    expect(readFileSync(keys, 'utf8')).toBe('ceo@mailgoat.ai AAAAAAAAAAAAAAAAAAAAAAAA\n');
    expect(readFileSync(zone, 'utf8')).toBe("; Postal's real DKIM key\n");
    expect(() => assertOwnDeliverables(out, [keys, zone], false)).toThrow(keys);
    expect(() => assertOwnDeliverables(out, [keys, zone], true)).not.toThrow();
    provisionDns(deployment, out, { force: true });
    expect(readFileSync(zone, 'utf8')).toContain('v=DKIM1');
    // Its own output, run again: no refusal.
    expect(() => provisionDns(deployment, out)).not.toThrow();
  });
});
