import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dkimSignatureFor } from './dkim-sign.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const DOMAIN = 'example.test';
const SELECTOR = 'sel';

const message = Buffer.from(
  [
    'From: Ann <ann@example.test>',
    'To: bob@gmail.test',
    'Subject: hello',
    'Date: Tue, 01 Dec 2026 10:00:00 +0000',
    'Message-ID: <1@example.test>',
    '',
    'Hello Bob.',
    '',
  ].join('\r\n'),
);

const resolver = (name: string, type: string): Promise<string[][]> => {
  if (type === 'TXT' && name === `${SELECTOR}._domainkey.${DOMAIN}`) return Promise.resolve([[`v=DKIM1; k=rsa; p=${publicKeyBase64}`]]);
  return Promise.reject(Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' }));
};

/**
 * A clock that reads one second later at every call, starting at .4 s past a second: any two calls
 * round to different seconds, as when a busy machine lets half a second pass between mailauth's two
 * readings of the time. Everything else keeps working (timers do not read Date.now).
 */
function clockCrossingHalfSeconds(): void {
  let now = Math.floor(Date.now() / 1000) * 1000 + 400;
  vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
}

async function verify(signed: Buffer): Promise<string | undefined> {
  vi.restoreAllMocks(); // verify with the real clock
  const result = await dkimVerify(signed, { resolver });
  return result.results[0]?.status.result;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DKIM signing with one timestamp per message', () => {
  it('mailauth 4 without signTime emits a t= that differs from the one it signed when the clock crosses a half second (the trap)', async () => {
    clockCrossingHalfSeconds();
    const options = {
      canonicalization: 'relaxed/relaxed',
      algorithm: 'rsa-sha256',
      signatureData: [{ signingDomain: DOMAIN, selector: SELECTOR, privateKey: privateKeyPem }],
    };
    const signed = await dkimSign(message, options as unknown as Parameters<typeof dkimSign>[1]);
    expect(await verify(Buffer.concat([Buffer.from(signed.signatures), message]))).toBe('fail');
  });

  it('dkimSignatureFor verifies under the same clock (the outside sender signs with it)', async () => {
    clockCrossingHalfSeconds();
    const signature = await dkimSignatureFor(message, { signingDomain: DOMAIN, selector: SELECTOR, privateKeyPem });
    expect(await verify(Buffer.concat([Buffer.from(signature), message]))).toBe('pass');
  });

  it('names mailauth’s reason when signing fails', async () => {
    await expect(dkimSignatureFor(message, { signingDomain: DOMAIN, selector: SELECTOR, privateKeyPem: 'not a key' })).rejects.toThrow(
      /^DKIM signing failed: \S/,
    );
  });
});
