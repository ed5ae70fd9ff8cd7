import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface IssuedCertificate {
  /** PEM of the leaf followed by the CA (a full chain, as a server should send it). */
  certificatePem: string;
  privateKeyPem: string;
  names: string[];
  notAfter: Date;
}

export interface WorldCertificateAuthority {
  certificatePem: string;
  /** names: DNS names, or IP addresses (issued as IP SANs); the first is the subject CN. */
  issue(names: string[], options?: { validDays?: number; notBefore?: Date }): Promise<IssuedCertificate>;
}

function toPem(der: ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey({ name: ALGORITHM.name, namedCurve: ALGORITHM.namedCurve }, true, ['sign', 'verify']);
}

const serial = (): string =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');

/**
 * The world's own certificate authority: every TLS server in the world (Postal's web and STARTTLS,
 * the mailbox providers, Dovecot) gets a certificate from it, and the embedded Target trusts its root —
 * the same validation code path the live Target uses with the system store.
 */
export async function createCertificateAuthority(commonName = 'postal-qa world CA'): Promise<WorldCertificateAuthority> {
  const keys = await newKeys();
  const now = Date.now();
  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=postal-qa`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certificatePem = caCertificate.toString('pem') + '\n';

  return {
    certificatePem,
    async issue(names, options = {}) {
      const leafKeys = await newKeys();
      const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
      const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 90) * DAY_MS);
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${names[0]}`,
        issuer: caCertificate.subject,
        notBefore,
        notAfter,
        signingAlgorithm: ALGORITHM,
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          // An address among the names becomes an IP SAN, so a client that connects by address (MailGoat's
          // `server: https://<address>`, a user without the world's DNS) can verify the certificate too.
          new x509.SubjectAlternativeNameExtension(
            names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
          ),
          await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
        ],
      });
      const privateKeyDer = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
      return {
        certificatePem: leaf.toString('pem') + '\n' + certificatePem,
        privateKeyPem: toPem(privateKeyDer, 'PRIVATE KEY'),
        names,
        notAfter,
      };
    },
  };
}
