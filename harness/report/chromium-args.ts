/**
 * The command line for one headless Chromium screenshot, and the certificate pin that lets Chromium
 * trust the world's CA without touching the system store. Pure.
 */
import { createHash, X509Certificate } from 'node:crypto';

export interface ScreenshotArgs {
  url: string;
  file: string;
  userDataDir: string;
  /** Map the web host to this address (the target's own resolver knows it; the system's may not). */
  hostMap?: { host: string; ip: string };
  /** base64 sha256 SPKI hashes of certificates to accept (the embedded target's chain only). */
  spkiHashes?: string[];
}

export function chromiumScreenshotArgs(a: ScreenshotArgs): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${a.userDataDir}`,
    ...(a.hostMap ? [`--host-resolver-rules=MAP ${a.hostMap.host} ${a.hostMap.ip}`] : []),
    ...(a.spkiHashes?.length ? [`--ignore-certificate-errors-spki-list=${a.spkiHashes.join(',')}`] : []),
    `--screenshot=${a.file}`,
    '--window-size=1280,900',
    a.url,
  ];
}

/** base64(sha256(SubjectPublicKeyInfo)) — the form --ignore-certificate-errors-spki-list takes. */
export function spkiSha256(certificate: X509Certificate | string): string {
  const cert = typeof certificate === 'string' ? new X509Certificate(certificate) : certificate;
  return createHash('sha256')
    .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/** Every certificate of a PEM bundle. */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
