import { describe, expect, it } from 'vitest';
import { checkDkim, publicKeyPemToDkimP } from './dkim-check.ts';
import keys from './dkim-test-keys.json' with { type: 'json' };
import { errorObs, nxObs, okObs } from './fake-observations.ts';

const NAME = 'qpmdyi._domainkey.mailgoat.ai';
const base = { domain: 'mailgoat.ai', selector: 'qpMdyI' };

const { rsa512: PEM_512, rsa1024: PEM_1024, rsa2048: PEM_2048, otherRsa2048: OTHER_2048 } = keys;
const p = (pem: string) => publicKeyPemToDkimP(pem);
/** What Postal publishes. */
const postalRecord = (pem: string) => `v=DKIM1; t=s; h=sha256; p=${p(pem)};`;

describe('checkDkim', () => {
  it('passes for a 2048-bit key that is the signing key', () => {
    const verdict = checkDkim({ ...base, observation: okObs('TXT', NAME, [postalRecord(PEM_2048)]), expectedPublicKeyPem: PEM_2048 });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toMatch(/valid 2048-bit RSA key and is the signing key/);
    expect(verdict.evidence.find((e) => e.label === 'dkim public key')?.detail).toMatchObject({ bits: 2048, matchesSigningKey: true });
  });

  it('passes without an expected key, and with p= split by whitespace (as a chunked TXT may read)', () => {
    const b64 = p(PEM_2048);
    const spaced = `v=DKIM1; k=rsa; p=${b64.slice(0, 200)} ${b64.slice(200)}`;
    expect(checkDkim({ ...base, observation: okObs('TXT', NAME, [spaced]) }).outcome).toBe('pass');
  });

  it('fails on a 512-bit key', () => {
    const verdict = checkDkim({ ...base, observation: okObs('TXT', NAME, [postalRecord(PEM_512)]) });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/512 bits, below 1024/);
    expect(verdict.remediation).toContain(`Set TXT ${NAME} to exactly "v=DKIM1; t=s; h=sha256; p=`);
  });

  it('warns on a 1024-bit key (what Postal generates)', () => {
    const verdict = checkDkim({ ...base, observation: okObs('TXT', NAME, [postalRecord(PEM_1024)]) });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(/1024 bits; 2048/);
  });

  it('fails on an empty p= (revoked key)', () => {
    const verdict = checkDkim({ ...base, observation: okObs('TXT', NAME, ['v=DKIM1; k=rsa; p=']) });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/p= is empty .* revoked/);
  });

  it('fails when the published key is not the signing key, giving the right p=', () => {
    const verdict = checkDkim({ ...base, observation: okObs('TXT', NAME, [postalRecord(OTHER_2048)]), expectedPublicKeyPem: PEM_2048 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/the published key is not the key the server signs with/);
    expect(verdict.remediation).toBe(
      `Set TXT ${NAME} to exactly "v=DKIM1; t=s; h=sha256; p=${p(PEM_2048)};" (one record, as Postal shows it), then run Postal's DNS check for mailgoat.ai`,
    );
  });

  it('fails on two TXT records at the selector', () => {
    const verdict = checkDkim({ ...base, observation: okObs('TXT', NAME, [postalRecord(PEM_2048), postalRecord(OTHER_2048)]) });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/2 TXT records .* exactly one/);
    expect(verdict.remediation).toMatch(new RegExp(`^Delete all but one TXT at ${NAME.replace(/\./g, '\\.')}`));
  });

  it('fails when there is no record, or the resolver errored', () => {
    expect(checkDkim({ ...base, observation: nxObs('TXT', NAME) }).summary).toMatch(/no DKIM key record/);
    expect(checkDkim({ ...base, observation: nxObs('TXT', NAME) }).outcome).toBe('fail');
    expect(checkDkim({ ...base, observation: errorObs('TXT', NAME) }).outcome).toBe('fail');
  });

  it('fails on malformed tags: v= not first, wrong version, missing p=, bad base64, non-rsa k=, h= without sha256', () => {
    const good = p(PEM_2048);
    const cases: [string, RegExp][] = [
      [`k=rsa; v=DKIM1; p=${good}`, /must be the first tag/],
      [`v=DKIM2; p=${good}`, /only valid version is DKIM1/],
      ['v=DKIM1; k=rsa', /no p= tag/],
      ['v=DKIM1; p=not*base64', /not base64/],
      [`v=DKIM1; k=ed25519; p=${good}`, /k=ed25519/],
      [`v=DKIM1; h=sha1; p=${good}`, /excludes sha256/],
      [`v=DKIM1; p=${good}; p=${good}`, /appears more than once/],
      ['v=DKIM1; p=QUJD', /does not decode to a public key/],
    ];
    for (const [record, why] of cases) {
      const verdict = checkDkim({ ...base, observation: okObs('TXT', NAME, [record]) });
      expect(verdict.outcome, record).toBe('fail');
      expect(verdict.summary, record).toMatch(why);
    }
  });

  it('fails when handed the observation of another name', () => {
    expect(
      checkDkim({ ...base, observation: okObs('TXT', 'postal-abcdef._domainkey.mailgoat.ai', [postalRecord(PEM_2048)]) }).outcome,
    ).toBe('fail');
  });
});
