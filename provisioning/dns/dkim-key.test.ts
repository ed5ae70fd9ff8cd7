import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDkimKey } from './dkim-key.ts';

const dir = mkdtempSync(join(tmpdir(), 'dkim-key-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureDkimKey', () => {
  it('creates an RSA key with mode 600 in a 700 folder, and publishes its SPKI', () => {
    const key = ensureDkimKey(dir, 1024, { selector: 'sel1' });
    expect(key.path).toBe(join(dir, 'dkim', 'sel1.private.pem'));
    expect(key.reused).toBe(false);
    expect(statSync(key.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'dkim')).mode & 0o777).toBe(0o700);
    expect(readFileSync(key.path, 'utf8')).toBe(key.privateKeyPem);
    const fromPrivate = createPublicKey(key.privateKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(key.publicKeyBase64).toBe(fromPrivate);
    expect(createPublicKey(key.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(1024);
  });

  it('reuses the stored key, and makes a new one when fresh or when the size changes', () => {
    const first = ensureDkimKey(dir, 1024, { selector: 'sel2' });
    const again = ensureDkimKey(dir, 1024, { selector: 'sel2' });
    expect(again.reused).toBe(true);
    expect(again.privateKeyPem).toBe(first.privateKeyPem);
    expect(again.publicKeyBase64).toBe(first.publicKeyBase64);

    const fresh = ensureDkimKey(dir, 1024, { selector: 'sel2', fresh: true });
    expect(fresh.reused).toBe(false);
    expect(fresh.publicKeyBase64).not.toBe(first.publicKeyBase64);
    expect(statSync(fresh.path).mode & 0o777).toBe(0o600);

    const bigger = ensureDkimKey(dir, 2048, { selector: 'sel2' });
    expect(bigger.reused).toBe(false);
    expect(createPublicKey(bigger.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});
