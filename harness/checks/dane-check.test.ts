import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { associationData, checkDane, type DaneInput } from './dane-check.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const keys = () => webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

/** A real chain: a CA and a leaf for the MX, DER in base64, and the leaf's and CA's SPKI. */
let leaf: Buffer;
let ca: Buffer;
let leafSpki: Buffer;
let caSpki: Buffer;
const HOST = 'mail.mailgoat.ai';
const NAME = `_25._tcp.${HOST}`;

beforeAll(async () => {
  const caKeys = await keys();
  const leafKeys = await keys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test CA',
    notBefore: new Date(0),
    notAfter: new Date(4_102_444_800_000),
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
  });
  const leafCert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${HOST}`,
    issuer: caCert.subject,
    notBefore: new Date(0),
    notAfter: new Date(4_102_444_800_000),
    signingAlgorithm: ALGORITHM,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
  });
  leaf = Buffer.from(leafCert.rawData);
  ca = Buffer.from(caCert.rawData);
  leafSpki = Buffer.from(await webcrypto.subtle.exportKey('spki', leafKeys.publicKey));
  caSpki = Buffer.from(await webcrypto.subtle.exportKey('spki', caKeys.publicKey));
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
const input = (records: string[], over: Partial<DaneInput> = {}): DaneInput => ({
  mxHost: HOST,
  tlsa: { records },
  signed: true,
  presented: { chainDer: [leaf.toString('base64'), ca.toString('base64')] },
  ...over,
});

describe('associationData (RFC 6698 §2.1.2–2.1.3)', () => {
  it('selects the full certificate or its SPKI, raw, SHA-256 or SHA-512', () => {
    expect(associationData(leaf, 0, 0)).toBe(leaf.toString('hex'));
    expect(associationData(leaf, 0, 1)).toBe(sha256(leaf));
    expect(associationData(leaf, 0, 2)).toBe(sha512(leaf));
    expect(associationData(leaf, 1, 0)).toBe(leafSpki.toString('hex'));
    expect(associationData(leaf, 1, 1)).toBe(sha256(leafSpki));
    expect(associationData(leaf, 1, 2)).toBe(sha512(leafSpki));
    expect(associationData(leaf, 2, 1)).toBeUndefined();
    expect(associationData(leaf, 1, 3)).toBeUndefined();
  });
});

describe('checkDane (DNS-14)', () => {
  it('passes DANE-EE 3 1 1 of the leaf key in a signed zone', () => {
    const v = checkDane(input([`3 1 1 ${sha256(leafSpki).toUpperCase()}`]));
    expect(v.outcome).toBe('pass');
    expect(v.summary).toBe(`TLSA at ${NAME} (3 1 1) matches the certificate ${HOST} presents, in a signed zone`);
    expect(v.evidence[1]!.detail).toEqual({ certificates: 2, leafSpkiSha256: sha256(leafSpki) });
  });

  it('passes DANE-EE of the whole certificate, and DANE-TA of the issuer (not of the leaf)', () => {
    expect(checkDane(input([`3 0 1 ${sha256(leaf)}`])).outcome).toBe('pass');
    expect(checkDane(input([`2 1 1 ${sha256(caSpki)}`])).outcome).toBe('pass');
    expect(checkDane(input([`2 1 1 ${sha256(leafSpki)}`])).outcome).toBe('fail');
    expect(checkDane(input([`3 1 1 ${sha256(caSpki)}`])).outcome).toBe('fail');
  });

  it('fails TLSA naming a key the server no longer presents, with the current key to publish', () => {
    const old = 'ab'.repeat(32);
    const v = checkDane(input([`3 1 1 ${old}`, 'not a record']));
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe(
      `the TLSA records at ${NAME} (3 1 1 abababababababab…) match none of the certificates ${HOST} presents on STARTTLS (its key's 3 1 1 is ${sha256(leafSpki).slice(0, 16)}…): DANE senders (Postfix dane, Exchange Online) refuse to deliver to it — typically the certificate was renewed with a new key and the TLSA was not updated`,
    );
    expect(v.remediation).toBe(
      `Publish ${NAME} TLSA 3 1 1 ${sha256(leafSpki)} (the current key) beside the old record, remove the old one after its TTL, and renew with the same key from now on (certbot --reuse-key; Caddy: a fixed key), or publish the next key's TLSA before each renewal`,
    );
    expect(v.observed).toBe(`3 1 1 ${old}; not a record`);
  });

  it('still fails a mismatch in an unsigned zone, saying no sender uses it yet', () => {
    const v = checkDane(input(['3 1 1 abcd'], { signed: false }));
    expect(v.outcome).toBe('fail');
    expect(v.summary).toMatch(
      /\(3 1 1 abcd\) match none .* — the zone is unsigned, so no sender uses it yet; once signed, DANE senders would refuse to deliver$/,
    );
  });

  it('warns without TLSA, with the record to publish, and DNSSEC first when unsigned', () => {
    const signed = checkDane(input([]));
    expect(signed.outcome).toBe('warn');
    expect(signed.summary).toBe(
      `no TLSA record at ${NAME}: internet.nl reports "DANE existence: failed"; senders cannot authenticate the MX, so a man in the middle can strip STARTTLS`,
    );
    expect(signed.remediation).toBe(
      `Publish ${NAME} TLSA 3 1 1 <SHA-256 of the SMTP certificate's public key> (today: 3 1 1 ${sha256(leafSpki)}), and reuse the key when the certificate is renewed (or publish the next key's TLSA first)`,
    );
    expect(signed.observed).toBe('no TLSA records');
    const unsigned = checkDane(input([], { signed: false, presented: { error: 'refused' } }));
    expect(unsigned.summary).toMatch(/strip STARTTLS \(DANE needs DNSSEC first: mail\.mailgoat\.ai's zone is not signed, DNS-13\)$/);
    expect(unsigned.remediation).toBe(
      `Sign the zone (DNS-13), then publish ${NAME} TLSA 3 1 1 <SHA-256 of the SMTP certificate's public key>, and reuse the key when the certificate is renewed (or publish the next key's TLSA first)`,
    );
  });

  it('warns when the records cannot be read', () => {
    const v = checkDane(input([], { tlsa: { records: [], error: 'the server answered SERVFAIL' } }));
    expect(v.outcome).toBe('warn');
    expect(v.summary).toBe(`the TLSA records at ${NAME} could not be read: the server answered SERVFAIL`);
    expect(v.evidence[0]!.detail).toEqual({ records: [], error: 'the server answered SERVFAIL', signed: true });
  });

  it('warns PKIX usages, which SMTP senders ignore', () => {
    const v = checkDane(input([`1 1 1 ${sha256(leafSpki)}`, `0 0 1 ${sha256(ca)}`]));
    expect(v.outcome).toBe('warn');
    expect(v.summary).toMatch(/have no usage SMTP senders use \(2 DANE-TA or 3 DANE-EE, RFC 7672 §3\.1\.3\): they are ignored$/);
    expect(v.remediation).toBe(
      `Publish ${NAME} TLSA 3 1 1 <SHA-256 of the SMTP certificate's public key> (today: 3 1 1 ${sha256(leafSpki)})`,
    );
  });

  it('warns TLSA with no certificate to compare, and a match in an unsigned zone', () => {
    const noCert = checkDane(input([`3 1 1 ${sha256(leafSpki)}`], { presented: { error: 'STARTTLS is not offered (SEC-03)' } }));
    expect(noCert.outcome).toBe('warn');
    expect(noCert.summary).toBe(
      `TLSA is published at ${NAME}, but no certificate was seen on STARTTLS to compare it with: STARTTLS is not offered (SEC-03)`,
    );
    expect(noCert.evidence[1]!.detail).toEqual({ error: 'STARTTLS is not offered (SEC-03)' });
    const unsigned = checkDane(input([`3 1 1 ${sha256(leafSpki)}`], { signed: false }));
    expect(unsigned.outcome).toBe('warn');
    expect(unsigned.summary).toBe(
      `TLSA at ${NAME} matches the certificate, but the zone is not signed (DNS-13): senders ignore TLSA without DNSSEC`,
    );
  });
});
