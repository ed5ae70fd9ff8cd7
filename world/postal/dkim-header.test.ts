import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { postalDkimHeader } from './dkim-header.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const DOMAIN = 'mailgoat.ai';
const SELECTOR = 'postal-YsUd4X';
const RECORD = `v=DKIM1; t=s; h=sha256; p=${publicKeyBase64};`;

// Folded headers, a signed header that appears in mixed case, unsigned ones, spaces at line ends and empty lines at the end.
const message = Buffer.from(
  [
    'Received: from api (localhost [127.0.0.1]) by postal.mailgoat.ai with HTTP; Sat, 06 Dec 2026 21:30:00 +0000',
    'Date: Sat, 06 Dec 2026 21:30:00 +0000',
    'From: CEO <ceo@mailgoat.ai>',
    'To: friend@gmail.test,',
    '  other@gmail.test',
    'Message-ID: <abc@rp.mail.mailgoat.ai>',
    'SUBJECT:   Hello   there  ',
    'Mime-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'X-Unsigned: yes',
    '',
    'Hello   Bob.   ',
    '',
    '',
  ].join('\r\n'),
);

const sign = (raw: Buffer) =>
  Buffer.concat([Buffer.from(`${postalDkimHeader(raw, { domainName: DOMAIN, selector: SELECTOR, privateKeyPem })}\r\n`), raw]);

async function mailauthResult(signed: Buffer): Promise<string | undefined> {
  const resolver = (name: string, type: string): Promise<string[][]> => {
    if (type === 'TXT' && name.toLowerCase() === `${SELECTOR.toLowerCase()}._domainkey.${DOMAIN}`) return Promise.resolve([[RECORD]]);
    return Promise.reject(Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' }));
  };
  return (await dkimVerify(signed, { resolver })).results[0]?.status.result;
}

/** dkimpy (Debian's python3-dkim), a verifier that shares no code with mailauth or the stand-in. */
function dkimpyVerifies(signed: Buffer): boolean {
  const script = [
    'import sys, dkim',
    'record = sys.argv[1].encode()',
    'def dns(name, timeout=5): return record',
    'sys.exit(0 if dkim.verify(sys.stdin.buffer.read(), dnsfunc=dns) else 1)',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, RECORD], { input: signed, encoding: 'utf8', timeout: 20_000 });
  if (run.error || (run.status !== 0 && run.status !== 1)) throw new Error(`dkimpy did not run: ${run.error?.message ?? run.stderr}`);
  return run.status === 0;
}

describe("the stand-in's DKIM signer follows Postal's DKIMHeader (app/lib/dkim_header.rb)", () => {
  it('lays the header out as a real Postal 3.3.2 does: a, c, d, s+t, bh, h, b, tab-folded, no q=, b= in 72-character lines', () => {
    const header = postalDkimHeader(message, { domainName: DOMAIN, selector: SELECTOR, privateKeyPem, time: 1_765_056_600 });
    const lines = header.split('\r\n');
    expect(lines[0]).toBe('DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;');
    expect(lines[1]).toBe(`\td=${DOMAIN};`);
    expect(lines[2]).toBe(`\ts=${SELECTOR}; t=1765056600;`);
    expect(lines[3]).toMatch(/^\tbh=[A-Za-z0-9+/]{43}=;$/);
    // Lower-case names of the signed headers present, in message order.
    expect(lines[4]).toBe('\th=date:from:to:message-id:subject:mime-version:content-type;');
    expect(lines[5]).toMatch(/^\tb=[A-Za-z0-9+/=]{1,72}$/);
    for (const line of lines.slice(6)) expect(line).toMatch(/^\t[A-Za-z0-9+/=]{1,72}$/);
    expect(lines.slice(5).join('').replace(/\t/g, '').length).toBe('b='.length + 172);
    expect(header).not.toMatch(/\bq=|\bx=|\bi=/);
  });

  it('verifies with mailauth and with dkimpy', async () => {
    const signed = sign(message);
    expect(await mailauthResult(signed)).toBe('pass');
    expect(dkimpyVerifies(signed)).toBe(true);
  });

  it('fails both verifiers when the body or a signed header changes after signing', async () => {
    const signed = sign(message).toString('latin1');
    for (const tampered of [signed.replace('Hello   Bob.', 'Hello   Eve.'), signed.replace('SUBJECT:   Hello', 'SUBJECT:   Howdy')]) {
      // mailauth calls a body-hash mismatch neutral, a bad header signature fail: never pass.
      expect(['fail', 'neutral']).toContain(await mailauthResult(Buffer.from(tampered, 'latin1')));
      expect(dkimpyVerifies(Buffer.from(tampered, 'latin1'))).toBe(false);
    }
  });

  it('under the dkim-body-length fault adds l= (the canonical body length), signed, and still verifies; text appended after it too', async () => {
    const signed = Buffer.concat([
      Buffer.from(
        `${postalDkimHeader(message, { domainName: DOMAIN, selector: SELECTOR, privateKeyPem, bodyLength: true, time: 1_800_000_000 })}\r\n`,
      ),
      message,
    ]);
    const header = signed.toString('latin1').split('\r\n\r\n')[0]!;
    // "Hello Bob.\r\n" relaxed: 12 bytes.
    expect(header).toMatch(/\tl=12;\r\n/);
    expect(header).toMatch(/t=1800000000;/);
    expect(await mailauthResult(signed)).toBe('pass');
    expect(await mailauthResult(Buffer.concat([signed, Buffer.from('Appended by someone else.\r\n')]))).toBe('pass');
    expect(postalDkimHeader(message, { domainName: DOMAIN, selector: SELECTOR, privateKeyPem })).not.toMatch(/\bl=/);
  });
});
