/**
 * The domain's DKIM key pair. The private key stays on disk (mode 600, folder 700) and is
 * reused on later runs, so the published DNS record keeps matching it; `fresh` rotates it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DkimKey {
  privateKeyPem: string;
  /** base64 of the DER SubjectPublicKeyInfo: the `p=` of the DKIM record */
  publicKeyBase64: string;
  /** where the private key is stored */
  path: string;
  bits: number;
  /** true when an existing key file was used */
  reused: boolean;
}

export interface EnsureDkimKeyOptions {
  /** file name stem: `<dir>/dkim/<selector>.private.pem`. Default `default`. */
  selector?: string;
  /** make a new key even when one exists */
  fresh?: boolean;
}

/**
 * Returns the key at `<dir>/dkim/<selector>.private.pem`, creating it when missing, when `fresh`,
 * or when the stored key has a different size than `bits`.
 */
export function ensureDkimKey(dir: string, bits: number, options: EnsureDkimKeyOptions = {}): DkimKey {
  const selector = options.selector ?? 'default';
  if (!/^[A-Za-z0-9-]+$/.test(selector)) throw new Error(`DKIM selector "${selector}" must be letters, digits and dashes`);
  const keyDir = join(dir, 'dkim');
  const path = join(keyDir, `${selector}.private.pem`);
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  chmodSync(keyDir, 0o700);

  if (!options.fresh && existsSync(path)) {
    const privateKeyPem = readFileSync(path, 'utf8');
    const key = createPrivateKey(privateKeyPem);
    const existingBits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType === 'rsa' && existingBits === bits) {
      chmodSync(path, 0o600);
      const publicKeyBase64 = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
      return { privateKeyPem, publicKeyBase64, path, bits, reused: true };
    }
  }

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, privateKeyPem, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return { privateKeyPem, publicKeyBase64, path, bits, reused: false };
}
