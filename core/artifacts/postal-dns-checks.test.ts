import { describe, expect, it } from 'vitest';
import { checkPostalDkimRecord, checkPostalReturnPath, postalDkimRecord } from './postal-dns-checks.ts';

// Pinned to Postal 3.3.2: app/models/domain.rb#dkim_record and app/models/concerns/has_dns_checks.rb.
const NAME = 'postal-qpMdyI._domainkey.mailgoat.ai';
const RECORD = postalDkimRecord('MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ');

describe("Postal's DKIM record and its check", () => {
  it('is exactly "v=DKIM1; t=s; h=sha256; p=<key>;"', () => {
    expect(RECORD).toBe('v=DKIM1; t=s; h=sha256; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ;');
  });

  it('accepts the record as Postal shows it, with or without the trailing ";" and outer blanks', () => {
    expect(checkPostalDkimRecord(NAME, [RECORD], RECORD)).toEqual({ status: 'OK' });
    expect(checkPostalDkimRecord(NAME, [` ${RECORD.slice(0, -1)} `], RECORD)).toEqual({ status: 'OK' });
  });

  it('calls it Invalid when anything else differs: k=rsa added, other spacing, another key', () => {
    for (const variant of ['v=DKIM1; k=rsa; t=s; h=sha256; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ;', 'v=DKIM1;t=s;h=sha256;p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ;', postalDkimRecord('AAAA')]) {
      expect(checkPostalDkimRecord(NAME, [variant], RECORD)).toEqual({ status: 'Invalid', error: `The DKIM record at ${NAME} does not match the record we have provided. Please check it has been copied correctly.` });
    }
  });

  it('calls a second TXT at the name Invalid even when one of them is right, and none Missing', () => {
    expect(checkPostalDkimRecord(NAME, [RECORD, 'google-site-verification=x'], RECORD).status).toBe('Invalid');
    expect(checkPostalDkimRecord(NAME, [], RECORD)).toEqual({ status: 'Missing', error: `No TXT records were returned for ${NAME}` });
  });
});

describe("Postal's return-path check", () => {
  it('wants one CNAME naming exactly the return-path domain', () => {
    expect(checkPostalReturnPath('psrp.mailgoat.ai', ['rp.mail.mailgoat.ai.'], 'rp.mail.mailgoat.ai')).toEqual({ status: 'OK' });
    expect(checkPostalReturnPath('psrp.mailgoat.ai', [], 'rp.mail.mailgoat.ai').status).toBe('Missing');
    expect(checkPostalReturnPath('psrp.mailgoat.ai', ['mail.mailgoat.ai'], 'rp.mail.mailgoat.ai')).toEqual({
      status: 'Invalid',
      error: 'There is a CNAME record at psrp.mailgoat.ai but it points to mail.mailgoat.ai which is incorrect. It should point to rp.mail.mailgoat.ai.',
    });
  });
});
