import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumScreenshotArgs, pemCertificates, spkiSha256 } from './chromium-args.ts';
import { findChromium, takeScreenshots } from './web-screenshots.ts';

describe('chromium screenshot arguments', () => {
  it('maps the web host, pins the given keys, and takes one screenshot of the URL', () => {
    const args = chromiumScreenshotArgs({
      url: 'https://postal.example/login',
      file: '/r/login.png',
      userDataDir: '/tmp/p',
      hostMap: { host: 'postal.example', ip: '127.0.14.10' },
      spkiHashes: ['a=', 'b='],
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--headless',
        '--no-sandbox',
        '--disable-quic',
        '--user-data-dir=/tmp/p',
        '--host-resolver-rules=MAP postal.example 127.0.14.10',
        '--ignore-certificate-errors-spki-list=a=,b=',
        '--screenshot=/r/login.png',
        '--window-size=1280,900',
      ]),
    );
    expect(args.at(-1)).toBe('https://postal.example/login');
  });

  it('pins nothing and maps nothing for a live target (system resolver and store)', () => {
    const args = chromiumScreenshotArgs({ url: 'https://postal.example/login', file: 'f.png', userDataDir: 'd' });
    expect(args.some((a) => a.startsWith('--host-resolver-rules') || a.startsWith('--ignore-certificate-errors-spki-list'))).toBe(false);
  });
});

/** A throwaway self-signed certificate from Debian's openssl: the harness's tests stay clear of the world. */
function selfSigned(name: string): { certificatePem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-spki-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return { certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

describe('spkiSha256', () => {
  it('is the base64 sha256 of the certificate key, 44 characters, the same for PEM and parsed forms', () => {
    const ca = selfSigned('postal-qa test CA');
    const [pem] = pemCertificates(`${ca.certificatePem}\n${ca.certificatePem}`);
    expect(pemCertificates(`${ca.certificatePem}\n${ca.certificatePem}`)).toHaveLength(2);
    const hash = spkiSha256(pem!);
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(spkiSha256(new X509Certificate(pem!))).toBe(hash);
    expect(spkiSha256(selfSigned('another CA').certificatePem)).not.toBe(hash);
  });
});

describe('takeScreenshots', () => {
  it('says in one line that chromium is missing, and never throws', async () => {
    const shots = await takeScreenshots(undefined, mkdtempSync(join(tmpdir(), 'postal-qa-shots-')), { chromium: () => undefined });
    expect(shots).toEqual({ taken: [], notes: ['no screenshot: chromium not installed (apt-get install chromium)'] });
  });

  it('finds chromium only on the PATH it is given', () => {
    expect(findChromium('')).toBeUndefined();
  });
});
