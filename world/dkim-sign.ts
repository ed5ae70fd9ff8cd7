/**
 * DKIM signing for everything in the world that signs mail (the Postal stand-in, the outside sender),
 * through mailauth 4.x with one timestamp per message.
 *
 * Why the timestamp: without `signTime`, mailauth's `formatSignatureHeaderLine` (lib/tools.js) fills
 * `t=` with `Math.round(Date.now() / 1000)` every time it is called — once for the header that is
 * hashed and signed, again for the header emitted after the RSA signature. When a half-second boundary
 * passes in between (likelier on a busy machine) the emitted `t=` is not the signed one and every
 * verifier reports `dkim=fail (bad signature)`: issue 10's one-in-three FN-04 failure under load.
 * With `signTime` both headers carry the same `t=` (mailauth 7 computes it once itself).
 */
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { textOf } from '../core/text-of.ts';

export interface DkimSigning {
  signingDomain: string;
  selector: string;
  privateKeyPem: string;
  /** header fields to sign; mailauth's default list when absent */
  headerList?: string[];
  /** the signing time (t=); now when absent */
  signTime?: Date;
  /** sign with a body length (l=): only faults do */
  bodyLength?: boolean;
}

/** The DKIM-Signature header (rsa-sha256, relaxed/relaxed) for `raw`; throws with mailauth's first error. */
export async function dkimSignatureFor(raw: Buffer, signing: DkimSigning): Promise<string> {
  // mailauth's types declare the single-signature shape, but 4.x reads `signatureData` at runtime.
  const options = {
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signTime: signing.signTime ?? new Date(Date.now()),
    // mailauth takes the list as one colon-separated string (an array silently falls back to its own default list).
    ...(signing.headerList ? { headerList: signing.headerList.join(':') } : {}),
    signatureData: [
      {
        signingDomain: signing.signingDomain,
        selector: signing.selector,
        privateKey: signing.privateKeyPem,
        algorithm: 'rsa-sha256',
        canonicalization: 'relaxed/relaxed',
        ...(signing.bodyLength ? { maxBodyLength: Number.MAX_SAFE_INTEGER } : {}),
      },
    ],
  } as unknown as Parameters<typeof dkimSign>[1];
  const result = await dkimSign(raw, options);
  const error = result.errors?.[0] as { err?: Error } | Error | undefined;
  if (error) throw new Error(`DKIM signing failed: ${error instanceof Error ? error.message : (error.err?.message ?? textOf(error))}`);
  return result.signatures;
}
