/**
 * DNS-14 — DANE for the MX (RFC 7672), as internet.nl tests it: TLSA at `_25._tcp.<mx host>` must match
 * the certificate the server presents on STARTTLS. Absent is an advisory (and only meaningful once the zone
 * is signed, DNS-13); present but matching no presented certificate is a FAIL: senders that do DANE
 * (Postfix `smtp_tls_security_level = dane`, Exchange Online, many European providers) defer all mail to it.
 * SMTP uses DANE-TA (2) and DANE-EE (3) only (RFC 7672 §3.1.3); PKIX usages (0, 1) are ignored by senders.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface DaneInput {
  mxHost: string;
  /** TLSA records as `"<usage> <selector> <matching type> <hex>"`; error when they could not be read */
  tlsa: { records: string[]; error?: string };
  /** whether the domain's zone is signed (a DS at its parent): TLSA is used only when it is */
  signed: boolean;
  /** the chain presented on STARTTLS, leaf first, DER in base64; or why none was seen */
  presented: { chainDer: string[] } | { error: string };
}

interface Tlsa {
  usage: number;
  selector: number;
  matching: number;
  data: string;
  text: string;
}

function parse(record: string): Tlsa | undefined {
  const m = /^(\d+)\s+(\d+)\s+(\d+)\s+([0-9a-f]+)$/i.exec(record.trim());
  if (!m) return undefined;
  return { usage: Number(m[1]), selector: Number(m[2]), matching: Number(m[3]), data: m[4]!.toLowerCase(), text: record.trim() };
}

/** The association data a TLSA record of this selector and matching type would carry for one certificate. */
export function associationData(der: Buffer, selector: number, matching: number): string | undefined {
  let selected: Buffer;
  if (selector === 0) selected = der;
  else if (selector === 1) selected = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  else return undefined;
  if (matching === 0) return selected.toString('hex');
  if (matching === 1) return createHash('sha256').update(selected).digest('hex');
  if (matching === 2) return createHash('sha512').update(selected).digest('hex');
  return undefined;
}

/** RFC 7672 §3.1: DANE-EE matches the leaf; DANE-TA any certificate of the chain above it (or the leaf's issuer). */
function matches(tlsa: Tlsa, chain: Buffer[]): boolean {
  const candidates = tlsa.usage === 3 ? chain.slice(0, 1) : chain.slice(1);
  return candidates.some((der) => associationData(der, tlsa.selector, tlsa.matching) === tlsa.data);
}

function short(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 16)}…` : hex;
}

export function checkDane(input: DaneInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only fail/warn entries
  const findings: Finding[] = [];
  const name = `_25._tcp.${input.mxHost}`;
  const records = input.tlsa.records.map(parse);
  const usable = records.filter((r): r is Tlsa => r !== undefined && (r.usage === 2 || r.usage === 3));
  const chain = 'chainDer' in input.presented ? input.presented.chainDer.map((b) => Buffer.from(b, 'base64')) : [];
  const leafSpki = chain[0] ? associationData(chain[0], 1, 1) : undefined;
  const matching = usable.filter((r) => matches(r, chain));
  if (input.tlsa.error) {
    findings.push(
      warn(`the TLSA records at ${name} could not be read: ${input.tlsa.error}`, "Check the domain's DNS answers (DNS-07) and re-run"),
    );
  } else if (records.length === 0) {
    findings.push(
      warn(
        `no TLSA record at ${name}: internet.nl reports "DANE existence: failed"; senders cannot authenticate the MX, so a man in the middle can strip STARTTLS${input.signed ? '' : ` (DANE needs DNSSEC first: ${input.mxHost}'s zone is not signed, DNS-13)`}`,
        `${input.signed ? 'Publish' : 'Sign the zone (DNS-13), then publish'} ${name} TLSA 3 1 1 <SHA-256 of the SMTP certificate's public key>${leafSpki ? ` (today: 3 1 1 ${leafSpki})` : ''}, and reuse the key when the certificate is renewed (or publish the next key's TLSA first)`,
      ),
    );
  } else if (usable.length === 0) {
    findings.push(
      warn(
        `the TLSA records at ${name} (${input.tlsa.records.join('; ')}) have no usage SMTP senders use (2 DANE-TA or 3 DANE-EE, RFC 7672 §3.1.3): they are ignored`,
        `Publish ${name} TLSA 3 1 1 <SHA-256 of the SMTP certificate's public key>${leafSpki ? ` (today: 3 1 1 ${leafSpki})` : ''}`,
      ),
    );
  } else if (!('chainDer' in input.presented)) {
    findings.push(
      warn(
        `TLSA is published at ${name}, but no certificate was seen on STARTTLS to compare it with: ${input.presented.error}`,
        'Fix STARTTLS on the MX (SEC-03, SEC-06) and re-run',
      ),
    );
  } else if (matching.length === 0) {
    findings.push(
      fail(
        `the TLSA records at ${name} (${usable.map((r) => `${r.usage} ${r.selector} ${r.matching} ${short(r.data)}`).join('; ')}) match none of the certificates ${input.mxHost} presents on STARTTLS (its key's 3 1 1 is ${short(leafSpki ?? 'unknown')})${input.signed ? ': DANE senders (Postfix dane, Exchange Online) refuse to deliver to it — typically the certificate was renewed with a new key and the TLSA was not updated' : ' — the zone is unsigned, so no sender uses it yet; once signed, DANE senders would refuse to deliver'}`,
        `Publish ${name} TLSA 3 1 1 ${leafSpki ?? "<SHA-256 of the certificate's public key>"} (the current key) beside the old record, remove the old one after its TTL, and renew with the same key from now on (certbot --reuse-key; Caddy: a fixed key), or publish the next key's TLSA before each renewal`,
      ),
    );
  } else if (!input.signed) {
    findings.push(
      warn(
        `TLSA at ${name} matches the certificate, but the zone is not signed (DNS-13): senders ignore TLSA without DNSSEC`,
        'Sign the zone with DNSSEC and publish its DS at the registrar',
      ),
    );
  }
  return verdictFrom({
    findings,
    passSummary: `TLSA at ${name} (${matching.map((r) => `${r.usage} ${r.selector} ${r.matching}`).join(', ')}) matches the certificate ${input.mxHost} presents, in a signed zone`,
    expected: 'a DANE-EE/DANE-TA TLSA record matching the STARTTLS certificate, in a DNSSEC-signed zone',
    observed: records.length ? input.tlsa.records.join('; ') : 'no TLSA records',
    evidence: [
      {
        label: `TLSA ${name}`,
        detail: { records: input.tlsa.records, ...(input.tlsa.error ? { error: input.tlsa.error } : {}), signed: input.signed },
      },
      {
        label: `STARTTLS certificate of ${input.mxHost}`,
        detail: 'chainDer' in input.presented ? { certificates: chain.length, leafSpkiSha256: leafSpki } : { error: input.presented.error },
      },
    ],
  });
}
