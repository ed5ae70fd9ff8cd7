/**
 * Checks Postal's `X-Postal-Signature-256`: base64 RSA-SHA256 over the request body exactly as it
 * arrived. Verifying a re-serialised JSON object would accept a tampered body that re-encodes the
 * same way and reject a genuine one whose key order or spacing differs.
 */
import { verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { JwksKeySource } from './jwks-key-source.ts';

export type SignatureVerdict = { valid: true; kid?: string } | { valid: false; reason: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function verifyWithKeys(body: Buffer, signatureBase64: string, keys: KeyObject[]): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  return keys.some((key) => {
    try {
      return verify('sha256', body, key, signature);
    } catch {
      return false;
    }
  });
}

/** Throws only when the keys cannot be obtained (the caller answers "try again later"). */
export async function verifyPostalSignature(
  body: Buffer,
  headers: IncomingHttpHeaders,
  keySource: JwksKeySource,
): Promise<SignatureVerdict> {
  const signature = header(headers, 'x-postal-signature-256')?.trim();
  if (!signature) return { valid: false, reason: 'missing X-Postal-Signature-256' };
  if (!BASE64.test(signature)) return { valid: false, reason: 'X-Postal-Signature-256 is not base64' };
  const kid = header(headers, 'x-postal-signature-kid')?.trim() || undefined;
  const keys = await keySource.keysFor(kid);
  if (keys.length === 0) return { valid: false, reason: `no key with kid "${kid}" in Postal's JWKS` };
  if (!verifyWithKeys(body, signature, keys)) return { valid: false, reason: 'X-Postal-Signature-256 does not match the body' };
  return kid === undefined ? { valid: true } : { valid: true, kid };
}
