/**
 * Postal's install-wide signing key (`/config/signing.key`): it signs HTTP endpoint and webhook bodies
 * (`X-Postal-Signature` RSA-SHA1, `X-Postal-Signature-256` RSA-SHA256, both strict base64), is published as
 * a JWKS at `/.well-known/jwks.json`, and is the fallback DKIM key (selector `postal`).
 */
import { createHash, createPrivateKey, createPublicKey, createSign, type KeyObject } from 'node:crypto';

export interface Jwk {
  kty: 'RSA';
  use: 'sig';
  alg: 'RS256';
  kid: string;
  n: string;
  e: string;
}

export class InstallSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** ruby-jwt's default `key_digest` kid: SHA-256 hex of the DER sequence (n, e), i.e. the PKCS#1 public key */
  readonly kid: string;

  constructor(privateKeyPem: string) {
    this.privateKey = createPrivateKey(privateKeyPem);
    if (this.privateKey.asymmetricKeyType !== 'rsa') throw new Error('Postal signing key must be an RSA key');
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = createHash('sha256')
      .update(this.publicKey.export({ type: 'pkcs1', format: 'der' }))
      .digest('hex');
  }

  sign(body: Buffer | string): { sha1: string; sha256: string } {
    const sign = (algorithm: string): string => createSign(algorithm).update(body).sign(this.privateKey).toString('base64');
    return { sha1: sign('RSA-SHA1'), sha256: sign('RSA-SHA256') };
  }

  /** The DKIM `p=` value of the key (base64 SubjectPublicKeyInfo). */
  get dkimPublicKey(): string {
    return this.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }

  jwk(): Jwk {
    const { n, e } = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return { kty: 'RSA', use: 'sig', alg: 'RS256', kid: this.kid, n, e };
  }

  jwks(): { keys: Jwk[] } {
    return { keys: [this.jwk()] };
  }
}
