// The DKIM check's flag tags (s=, t=, h=, k=, v=), key forms and exact texts: each rule on both sides.
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDkim } from './dkim-check.ts';
import keys from './dkim-test-keys.json' with { type: 'json' };
import { errorObs, okObs } from './fake-observations.ts';

const NAME = 'qpmdyi._domainkey.mailgoat.ai';
const base = { domain: 'MailGoat.ai.', selector: 'qpMdyI' };
// Derived here, not by the code under test, so a broken conversion cannot hide in the expectation.
const P = createPublicKey(keys.rsa2048).export({ type: 'spki', format: 'der' }).toString('base64');
const PKCS1 = keys.rsa1024Pkcs1Der;
const EC = keys.ecP256Der;
const run = (record: string, expectedPublicKeyPem?: string) =>
  checkDkim({ ...base, observation: okObs('TXT', NAME, [record]), ...(expectedPublicKeyPem ? { expectedPublicKeyPem } : {}) });
const PUBLISH = `Set TXT ${NAME} to exactly "v=DKIM1; t=s; h=sha256; p=<the key Postal shows for the domain>;" (one record, as Postal shows it), then run Postal's DNS check for mailgoat.ai`;

describe('checkDkim flag tags', () => {
  it.each(['s=email', 's=*', 's= Email : other', 's=other:*'])('passes %s: the key may sign email', (tag) => {
    expect(run(`v=DKIM1; ${tag}; p=${P}`).outcome).toBe('pass');
  });

  it.each(['s=other', 's=emails', 's=mail:x'])('fails %s: the key is not for email', (tag) => {
    const verdict = run(`v=DKIM1; ${tag}; p=${P}`);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(`${tag} at ${NAME} does not allow the key for email`);
    expect(verdict.remediation).toBe(`In TXT ${NAME} drop s= (or set s=email)`);
  });

  it.each(['t=y', 't=s:y', 't= Y ', 't=y:s'])('warns on %s: the domain is testing DKIM', (tag) => {
    const verdict = run(`v=DKIM1; ${tag}; p=${P}`);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(`t=y at ${NAME}: the domain says it is testing DKIM, so receivers may ignore failures and passes alike`);
    expect(verdict.remediation).toBe(`In TXT ${NAME} remove the y flag from t= (Postal publishes t=s)`);
  });

  it.each(['t=s', 't=yes', 't='])('passes %s: not the testing flag', (tag) => {
    expect(run(`v=DKIM1; ${tag}; p=${P}`).outcome).toBe('pass');
  });

  it.each(['h=sha256', 'h=sha1:sha256', 'h= SHA256 ', 'h=sha256:sha1'])('passes %s: it allows sha256', (tag) => {
    expect(run(`v=DKIM1; ${tag}; p=${P}`).outcome).toBe('pass');
  });

  it.each(['h=sha1', 'h=sha2560', 'h=sha1:sha512'])('fails %s: it excludes sha256', (tag) => {
    const verdict = run(`v=DKIM1; ${tag}; p=${P}`);
    expect(verdict.summary).toBe(`${tag} at ${NAME} excludes sha256, the hash Postal signs with`);
    expect(verdict.remediation).toBe(`In TXT ${NAME} set h=sha256 (or drop h=)`);
  });

  it('reads k= in any case and accepts a record without v=', () => {
    expect(run(`k=RSA; p=${P}`).outcome).toBe('pass');
    const verdict = run(`v=DKIM1; k=ed25519; p=${P}`);
    expect(verdict.summary).toBe(`k=ed25519 at ${NAME}: Postal signs with rsa-sha256, so the published key must be k=rsa`);
    expect(verdict.remediation).toBe(PUBLISH);
  });

  it('fails v= out of place or of another version, with exact texts', () => {
    expect(run(`k=rsa; v=DKIM1; p=${P}`).summary).toBe(`"v=DKIM1" must be the first tag of the DKIM record at ${NAME}`);
    expect(run(`v=DKIM2; p=${P}`).summary).toBe(`v=DKIM2 at ${NAME}: the only valid version is DKIM1`);
    expect(run(`v=dkim1; p=${P}`).outcome).toBe('fail');
  });
});

describe('checkDkim keys', () => {
  it('passes with exact texts, abbreviating the key in the observed record', () => {
    const verdict = run(`v=DKIM1; k=rsa; p=${P}`, keys.rsa2048);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(`DKIM key at ${NAME} is a valid 2048-bit RSA key and is the signing key`);
    expect(verdict.expected).toBe(`one TXT at ${NAME} "v=DKIM1; t=s; h=sha256; p=${P};"`);
    expect(verdict.observed).toBe(`"v=DKIM1; k=rsa; p=${P.slice(0, 12)}…${P.slice(-6)}"`);
    expect(verdict.evidence[1]).toEqual({ label: 'dkim key record tags', detail: { v: 'DKIM1', k: 'rsa', p: P } });
    expect(run(`v=DKIM1; p=${P}`).summary).toBe(`DKIM key at ${NAME} is a valid 2048-bit RSA key`);
    expect(run(`v=DKIM1; p=${P}`).expected).toBe(`one TXT at ${NAME} "v=DKIM1; t=s; h=sha256; p=<RSA key>;"`);
  });

  it('names a PKCS#1 key, a non-RSA key and a key that is not base64', () => {
    expect(run(`v=DKIM1; p=${PKCS1}`).summary).toBe(
      `p= holds a PKCS#1 RSAPublicKey; DKIM needs the SubjectPublicKeyInfo (SPKI) form (at ${NAME})`,
    );
    expect(run(`v=DKIM1; p=${EC}`).summary).toBe(`the key at ${NAME} is ec, not RSA`);
    for (const bad of ['abc*', 'QUJD===', '=QUJD', 'QU JD!'])
      expect(run(`v=DKIM1; p=${bad}`).summary).toBe(`p= is not base64 (at ${NAME})`);
    expect(run('v=DKIM1; p=QUJD').summary).toBe(`p= does not decode to a public key (DER SubjectPublicKeyInfo) (at ${NAME})`);
    expect(run('v=DKIM1; p=QUJD').remediation).toBe(PUBLISH);
  });

  it('reads a p= of whitespace as empty: a revoked key', () => {
    const verdict = run('v=DKIM1; p= ');
    expect(verdict.summary).toBe(`p= is empty at ${NAME}: the key is revoked and every signature with s=qpMdyI fails`);
    expect(verdict.remediation).toBe(PUBLISH);
    expect(run('v=DKIM1; k=rsa').summary).toBe(`the DKIM record at ${NAME} has no p= tag`);
  });

  it('fails on an unreadable expected key', () => {
    const verdict = run(`v=DKIM1; p=${P}`, 'not a pem');
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/^the expected public key could not be read: /);
    expect(verdict.remediation).toBe('Provide the signing key as a PEM public key');
  });

  it('says what to publish when the record is missing, doubled or of another name', () => {
    const missing = checkDkim({ ...base, observation: okObs('TXT', NAME, []) });
    expect(missing.summary).toBe(`no DKIM key record at ${NAME}: receivers cannot verify signatures with s=qpMdyI`);
    expect(missing.remediation).toBe(PUBLISH);
    const doubled = checkDkim({ ...base, observation: okObs('TXT', NAME, ['a', 'b']) });
    expect(doubled.summary).toBe(`2 TXT records at ${NAME}: there must be exactly one (Postal's check and many verifiers reject this)`);
    expect(doubled.remediation).toBe(
      `Delete all but one TXT at ${NAME}; keep "v=DKIM1; t=s; h=sha256; p=<the key Postal shows for the domain>;"`,
    );
    const other = checkDkim({ ...base, observation: okObs('A', NAME, ['1.2.3.4']) });
    expect(other.summary).toBe(`the observation is A ${NAME}, not TXT ${NAME}`);
    expect(other.remediation).toBe(`Look up TXT ${NAME} (selector "qpMdyI") and check that`);
    expect(checkDkim({ ...base, observation: errorObs('TXT', NAME) }).summary).toMatch(
      /^TXT qpmdyi\._domainkey\.mailgoat\.ai could not be resolved/,
    );
  });
});
