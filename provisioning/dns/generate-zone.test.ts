import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploymentSchema, type Deployment } from '../../core/deployment/deployment-schema.ts';
import { generateDnsRecords, renderZoneFile, splitTxt } from './generate-zone.ts';
import { parseZoneFile } from '../../core/artifacts/zone-file.ts';

const deployment: Deployment = deploymentSchema.parse(
  JSON.parse(readFileSync(new URL('../../fixtures/deployment.json', import.meta.url), 'utf8')),
);
const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

describe('generateDnsRecords', () => {
  const records = generateDnsRecords(deployment, publicKey);
  const get = (name: string, type: string): string[] => records.filter((r) => r.name === name && r.type === type).map((r) => r.data);

  it('contains every record the deployment needs', () => {
    expect(get('mailgoat.ai', 'MX')).toEqual(['10 mail.mailgoat.ai']);
    expect(get('mail.mailgoat.ai', 'A')).toEqual(['91.98.35.3']);
    expect(get('postal.mailgoat.ai', 'A')).toEqual(['91.98.35.3']);
    expect(get('mailgoat.ai', 'TXT')).toEqual(['v=spf1 include:spf.mailgoat.ai ~all']);
    expect(get('spf.mailgoat.ai', 'TXT')).toEqual(['v=spf1 ip4:91.98.35.3 ~all']);
    expect(get('postal-qpmdyi._domainkey.mailgoat.ai', 'TXT')).toEqual([`v=DKIM1; t=s; h=sha256; p=${publicKey};`]);
    expect(get('_dmarc.mailgoat.ai', 'TXT')).toEqual(['v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai']);
    expect(get('psrp.mailgoat.ai', 'CNAME')).toEqual(['rp.mail.mailgoat.ai']);
    expect(get('track.mailgoat.ai', 'CNAME')).toEqual(['mail.mailgoat.ai']);
    expect(get('3.35.98.91.in-addr.arpa', 'PTR')).toEqual(['mail.mailgoat.ai']);
    expect(records.every((r) => r.ttl === 3600)).toBe(true);
  });

  it('lists a host once when the mail and web host are the same', () => {
    const same = { ...deployment, server: { ...deployment.server, webHost: 'mail.mailgoat.ai' } };
    expect(generateDnsRecords(same, publicKey).filter((r) => r.type === 'A' && r.name === 'mail.mailgoat.ai')).toHaveLength(1);
  });
});

describe('renderZoneFile', () => {
  const records = generateDnsRecords(deployment, publicKey);
  const text = renderZoneFile(records, deployment);

  it('is a BIND zone file with $ORIGIN, $TTL, comments and a separate reverse-zone section at the end', () => {
    expect(text).toMatch(/^\$ORIGIN mailgoat\.ai\.$/m);
    expect(text).toMatch(/^\$TTL 3600$/m);
    expect(text).toMatch(/^@\s+IN MX\s+10 mail\.mailgoat\.ai\.$/m);
    expect(text).toMatch(/^mail\s+IN A\s+91\.98\.35\.3$/m);
    expect(text).toMatch(/^@\s+IN TXT\s+"v=spf1 include:spf\.mailgoat\.ai ~all"$/m);
    expect(text).toMatch(/^postal-qpMdyI\._domainkey\s+IN TXT\s+\( "v=DKIM1; t=s; h=sha256; p=/m);
    expect(text).toMatch(/^psrp\s+IN CNAME rp\.mail\.mailgoat\.ai\.$/m);
    const reverseAt = text.indexOf('$ORIGIN 35.98.91.in-addr.arpa.');
    expect(reverseAt).toBeGreaterThan(text.indexOf('track'));
    expect(text.slice(reverseAt)).toMatch(/^3\s+IN PTR\s+mail\.mailgoat\.ai\.$/m);
    expect(text.slice(0, reverseAt)).toMatch(/set by the hosting provider/);
    // every record is preceded by a comment
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/^[@\w].*\sIN\s/.test(line)) expect(lines[i - 1]).toMatch(/^;/);
    });
  });

  it('writes long TXT values as quoted strings of at most 255 bytes', () => {
    const quoted = [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    expect(quoted.length).toBeGreaterThan(4);
    for (const q of quoted) expect(Buffer.byteLength(q)).toBeLessThanOrEqual(255);
  });

  it('parses back to the same records', () => {
    expect(parseZoneFile(text)).toEqual(records);
  });

  it('round-trips records outside the domain and with other TTLs', () => {
    const other: Deployment = { ...deployment, dns: { ...deployment.dns, spf: { include: '_spf.example.net', all: '-all' }, ttl: 600 } };
    const recs = generateDnsRecords(other, publicKey);
    recs[0] = { ...recs[0]!, ttl: 86400 };
    const rendered = renderZoneFile(recs, other);
    expect(rendered).toMatch(/^_spf\.example\.net\.\s+IN TXT/m);
    expect(rendered).toMatch(/^@\s+86400 IN MX/m);
    expect(parseZoneFile(rendered)).toEqual(recs);
  });
});

describe('splitTxt', () => {
  it('splits by UTF-8 bytes without cutting a character', () => {
    expect(splitTxt('a'.repeat(600)).map((c) => c.length)).toEqual([255, 255, 90]);
    const chunks = splitTxt('é'.repeat(200));
    expect(chunks.join('')).toBe('é'.repeat(200));
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(255);
    expect(splitTxt('')).toEqual(['']);
  });
});
