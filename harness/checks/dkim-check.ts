/**
 * DNS-04 — DKIM: exactly one TXT at `<selector>._domainkey.<domain>`, a well-formed key record,
 * an RSA key of at least 1024 bits (2048 for a pass), and — when known — the very key the server
 * signs with. Pure: reads one observation.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { DnsObservation } from './dns-observation.ts';
import { normaliseName } from './dns-observation.ts';
import { describeObservation, fail, type Finding, observationEvidence, resolverErrorFinding, verdictFrom, warn } from './findings.ts';
import { checkPostalDkimRecord, postalDkimRecord } from '../../core/artifacts/postal-dns-checks.ts';
import { parseTagList } from './tag-list.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

export interface DkimCheckInput {
  domain: string;
  /** The selector, e.g. "postal-ABCDEF" or "qpMdyI" (read `s=` from a real signed message). */
  selector: string;
  /** TXT lookup of `<selector>._domainkey.<domain>`. */
  observation: DnsObservation;
  /** The public key (PEM, SPKI) of the key the server signs with, when the target can tell. */
  expectedPublicKeyPem?: string;
  /**
   * Postal's own rules (app/models/domain.rb, has_dns_checks.rb): its selectors are always
   * `<dkim_identifier>-<six characters>`, and it signs with the domain key only while exactly one TXT
   * equals, character for character, the record it shows (`record`, when the target can tell).
   */
  postal?: { dkimIdentifier: string; record?: string };
}

export const DKIM_MIN_BITS = 1024;
export const DKIM_GOOD_BITS = 2048;

/** The base64 DER (SPKI) that belongs in `p=`, from a PEM public key. */
export function publicKeyPemToDkimP(pem: string): string {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
}

function decodeKey(p: string): { key?: KeyObject; problem?: string } {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) return { problem: 'p= is not base64' };
  const der = Buffer.from(p, 'base64');
  try {
    return { key: createPublicKey({ key: der, format: 'der', type: 'spki' }) };
  } catch {
    try {
      createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
      return { problem: 'p= holds a PKCS#1 RSAPublicKey; DKIM needs the SubjectPublicKeyInfo (SPKI) form' };
    } catch {
      return { problem: 'p= does not decode to a public key (DER SubjectPublicKeyInfo)' };
    }
  }
}

export function checkDkim(input: DkimCheckInput): Verdict {
  const domain = normaliseName(input.domain);
  const name = `${input.selector.toLowerCase()}._domainkey.${domain}`;
  const { observation } = input;
  const evidence: EvidenceItem[] = [observationEvidence(observation)];
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];

  let expectedP: string | undefined;
  if (input.expectedPublicKeyPem) {
    try {
      expectedP = publicKeyPemToDkimP(input.expectedPublicKeyPem);
    } catch (err) {
      findings.push(fail(`the expected public key could not be read: ${(err as Error).message}`, 'Provide the signing key as a PEM public key'));
    }
  }
  if (input.postal?.record) {
    const p = /;\s*p=([A-Za-z0-9+/=]+);?\s*$/.exec(input.postal.record)?.[1];
    if (expectedP === undefined && p) expectedP = p;
  }
  // The form Postal publishes and compares against; `k=rsa` or other spacing makes its check fail.
  const wantedRecord = input.postal?.record ?? postalDkimRecord(expectedP ?? '<the key Postal shows for the domain>');
  const publish = `Set TXT ${name} to exactly "${wantedRecord}" (one record, as Postal shows it), then run Postal's DNS check for ${domain}`;
  const expected = `one TXT at ${name} "${expectedP ? wantedRecord : 'v=DKIM1; t=s; h=sha256; p=<RSA key>;'}"`;
  // The report table shows the key abbreviated; the full record stays in the evidence.
  const observed = describeObservation(observation).replace(/p=([A-Za-z0-9+/]{12})[A-Za-z0-9+/=]{20,}([A-Za-z0-9+/=]{6})/g, "p=$1…$2");
  // Stryker disable next-line StringLiteral: equivalent, done() without a summary is only called after a fail finding, so this pass summary is never shown
  const done = (passSummary = ''): Verdict => verdictFrom({ findings, passSummary, expected, observed, evidence });

  if (input.postal) {
    const form = new RegExp(`^${input.postal.dkimIdentifier.replace(/[^a-z0-9-]/g, '')}-[A-Za-z][A-Za-z0-9]{4}[A-Za-z]$`);
    if (!form.test(input.selector)) {
      findings.push(
        fail(
          `Postal never signs with the selector "${input.selector}": its selectors are always ${input.postal.dkimIdentifier}-<six letters and digits> (e.g. ${input.postal.dkimIdentifier}-qpMdyI), so this record is not where receivers look`,
          `Use the selector Postal shows for ${domain} (its DNS page, or \`Domain.find_by(name: "${domain}").dkim_identifier\` in \`postal console\`) in the deployment file, and publish the record there`,
        ),
      );
      return done();
    }
  }

  if (normaliseName(observation.name) !== name || observation.type !== 'TXT') {
    findings.push(
      fail(
        `the observation is ${observation.type} ${observation.name}, not TXT ${name}`,
        `Look up TXT ${name} (selector "${input.selector}") and check that`,
      ),
    );
    return done();
  }
  if (observation.status === 'error') {
    findings.push(resolverErrorFinding(observation));
    return done();
  }
  if (observation.status !== 'ok' || observation.answers.length === 0) {
    findings.push(fail(`no DKIM key record at ${name}: receivers cannot verify signatures with s=${input.selector}`, publish));
    return done();
  }
  if (observation.answers.length > 1) {
    findings.push(
      fail(
        `${observation.answers.length} TXT records at ${name}: there must be exactly one (Postal's check and many verifiers reject this)`,
        `Delete all but one TXT at ${name}; keep "${wantedRecord}"`,
      ),
    );
    return done();
  }

  const record = observation.answers[0] ?? '';
  if (input.postal) {
    if (expectedP !== undefined) {
      const postalCheck = checkPostalDkimRecord(name, observation.answers, wantedRecord);
      if (postalCheck.status !== 'OK') {
        findings.push(fail(`Postal's own DNS check calls this record ${postalCheck.status} ("${postalCheck.error}"), so Postal signs with its fallback key (d=<return-path domain>), which breaks DMARC alignment`, publish));
      }
    } else if (!/^v=DKIM1; t=s; h=sha256; p=[A-Za-z0-9+/=]+;?$/.test(record.trim())) {
      findings.push(fail(`the record at ${name} is not in the form Postal publishes and compares character for character ("v=DKIM1; t=s; h=sha256; p=<key>;"), so Postal's DNS check fails and it signs with its fallback key`, publish));
    }
  }
  const parsed = parseTagList(record);
  evidence.push({ label: 'dkim key record tags', detail: Object.fromEntries(parsed.byName) });
  for (const problem of parsed.problems) {
    findings.push(fail(`DKIM record at ${name} is malformed: ${problem}`, publish));
  }

  const v = parsed.byName.get('v');
  if (v !== undefined) {
    if (parsed.tags[0]?.name !== 'v') findings.push(fail(`"v=${v}" must be the first tag of the DKIM record at ${name}`, publish));
    if (v !== 'DKIM1') findings.push(fail(`v=${v} at ${name}: the only valid version is DKIM1`, publish));
  }
  const k = (parsed.byName.get('k') ?? 'rsa').toLowerCase();
  if (k !== 'rsa') {
    findings.push(fail(`k=${k} at ${name}: Postal signs with rsa-sha256, so the published key must be k=rsa`, publish));
  }
  const h = parsed.byName.get('h');
  if (h !== undefined && !h.split(':').map((x) => x.trim().toLowerCase()).includes('sha256')) {
    findings.push(fail(`h=${h} at ${name} excludes sha256, the hash Postal signs with`, `In TXT ${name} set h=sha256 (or drop h=)`));
  }
  const s = parsed.byName.get('s');
  if (s !== undefined && !s.split(':').map((x) => x.trim().toLowerCase()).some((x) => x === '*' || x === 'email')) {
    findings.push(fail(`s=${s} at ${name} does not allow the key for email`, `In TXT ${name} drop s= (or set s=email)`));
  }
  const t = parsed.byName.get('t');
  if (t !== undefined && t.split(':').map((x) => x.trim().toLowerCase()).includes('y')) {
    findings.push(warn(`t=y at ${name}: the domain says it is testing DKIM, so receivers may ignore failures and passes alike`, `In TXT ${name} remove the y flag from t= (Postal publishes t=s)`));
  }

  const rawP = parsed.byName.get('p');
  if (rawP === undefined) {
    findings.push(fail(`the DKIM record at ${name} has no p= tag`, publish));
    return done();
  }
  const p = rawP.replace(/\s+/g, '');
  if (p.length === 0) {
    findings.push(fail(`p= is empty at ${name}: the key is revoked and every signature with s=${input.selector} fails`, publish));
    return done();
  }

  const { key, problem } = decodeKey(p);
  if (!key) {
    findings.push(fail(`${problem ?? 'p= is not a key'} (at ${name})`, publish));
    return done();
  }
  const der = key.export({ type: 'spki', format: 'der' });
  const bits = key.asymmetricKeyDetails?.modulusLength;
  evidence.push({
    label: 'dkim public key',
    detail: {
      type: key.asymmetricKeyType,
      bits,
      sha256: createHash('sha256').update(der).digest('hex'),
      ...(expectedP !== undefined ? { matchesSigningKey: der.toString('base64') === expectedP } : {}),
    },
  });

  if (key.asymmetricKeyType !== 'rsa') {
    findings.push(fail(`the key at ${name} is ${key.asymmetricKeyType ?? 'unknown'}, not RSA`, publish));
  } else if (bits === undefined || bits < DKIM_MIN_BITS) {
    findings.push(
      fail(
        `the DKIM key at ${name} is ${bits ?? '?'} bits, below ${DKIM_MIN_BITS}: receivers treat it as no signature`,
        `Make a ${DKIM_GOOD_BITS}-bit RSA key for ${domain}, sign with it and ${publish}`,
      ),
    );
  } else if (bits < DKIM_GOOD_BITS) {
    findings.push(
      warn(
        `the DKIM key at ${name} is ${bits} bits; ${DKIM_GOOD_BITS} is the current recommendation (Postal makes 1024-bit keys)`,
        `Make a ${DKIM_GOOD_BITS}-bit RSA key for ${domain}, sign with it and ${publish}`,
      ),
    );
  }

  if (expectedP !== undefined && der.toString('base64') !== expectedP) {
    findings.push(
      fail(
        `the published key is not the key the server signs with: every signature with s=${input.selector} will fail`,
        publish,
      ),
    );
  }

  return done(`DKIM key at ${name} is a valid ${bits}-bit RSA key${expectedP !== undefined ? ' and is the signing key' : ''}`);
}
