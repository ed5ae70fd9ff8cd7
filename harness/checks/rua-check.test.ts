import { describe, expect, it } from 'vitest';
import { checkRuaAddresses, ruaAddressesOf } from './rua-check.ts';

const RECORD = 'v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai';
const ok = (address: string) => ({ address, mx: 'mail.mailgoat.ai', code: 250, reply: 'OK' });

describe('ruaAddressesOf', () => {
  it('reads mailto addresses, lowercased, without size limits, and skips other schemes', () => {
    expect(ruaAddressesOf('v=DMARC1; p=none; rua=mailto:DMARC@MailGoat.ai!10m, https://x.example/r ,mailto:r@vendor.example')).toEqual([
      'dmarc@mailgoat.ai',
      'r@vendor.example',
    ]);
    expect(ruaAddressesOf('v=DMARC1; p=none')).toEqual([]);
    expect(ruaAddressesOf(undefined)).toEqual([]);
  });
});

describe('checkRuaAddresses', () => {
  it('passes when every address is accepted, naming each answer', () => {
    const v = checkRuaAddresses({ domain: 'mailgoat.ai', record: RECORD, answers: [ok('dmarc@mailgoat.ai')] });
    expect(v.outcome).toBe('pass');
    expect(v.summary).toBe('every rua address takes mail: dmarc@mailgoat.ai (mail.mailgoat.ai: 250)');
    expect(v.observed).toBe('dmarc@mailgoat.ai: 250 OK');
  });

  it('fails an address of the domain that Postal refuses, pointing at a route', () => {
    const v = checkRuaAddresses({
      domain: 'MailGoat.ai',
      record: RECORD,
      answers: [{ address: 'dmarc@mailgoat.ai', mx: 'mail.mailgoat.ai', code: 530, reply: 'Authentication required' }],
    });
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe(
      "the report address dmarc@mailgoat.ai refuses mail: mail.mailgoat.ai answered RCPT TO:<dmarc@mailgoat.ai> with 530 Authentication required; every receiver's aggregate report to it is lost",
    );
    expect(v.remediation).toBe(
      "Make dmarc@mailgoat.ai reach an inbox: a route for dmarc (or the catch-all *) in Postal's server, to the endpoint of the agent who reads the reports",
    );
  });

  it('fails an address that cannot be asked, and an outside one points at its owner', () => {
    const v = checkRuaAddresses({
      domain: 'mailgoat.ai',
      record: RECORD,
      answers: [{ address: 'r@vendor.example', reply: 'no MX for vendor.example (ENOTFOUND)' }],
    });
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe('the report address r@vendor.example could not be asked: no MX for vendor.example (ENOTFOUND)');
    expect(v.remediation).toBe(
      'vendor.example must take reports for mailgoat.ai: check the address with its owner, or point rua at an address of mailgoat.ai',
    );
    expect(v.observed).toBe('r@vendor.example: - no MX for vendor.example (ENOTFOUND)');
  });

  it('warns on a temporary refusal, and fails 500 but not 499', () => {
    const temp = checkRuaAddresses({
      domain: 'mailgoat.ai',
      record: RECORD,
      answers: [{ ...ok('dmarc@mailgoat.ai'), code: 451, reply: 'try later' }],
    });
    expect(temp.outcome).toBe('warn');
    expect(temp.summary).toBe(
      'the report address dmarc@mailgoat.ai answered a temporary refusal: mail.mailgoat.ai answered RCPT TO:<dmarc@mailgoat.ai> with 451 try later',
    );
    expect(temp.remediation).toMatch(/^Ask again later; if it persists: Make dmarc@mailgoat.ai reach an inbox/);
    expect(checkRuaAddresses({ domain: 'mailgoat.ai', record: RECORD, answers: [{ ...ok('a@mailgoat.ai'), code: 500 }] }).outcome).toBe(
      'fail',
    );
    expect(checkRuaAddresses({ domain: 'mailgoat.ai', record: RECORD, answers: [{ ...ok('a@mailgoat.ai'), code: 499 }] }).outcome).toBe(
      'warn',
    );
    expect(checkRuaAddresses({ domain: 'mailgoat.ai', record: RECORD, answers: [{ ...ok('a@mailgoat.ai'), code: 399 }] }).outcome).toBe(
      'pass',
    );
  });

  it('warns when there is no record or no rua address to check', () => {
    expect(checkRuaAddresses({ domain: 'mailgoat.ai', answers: [] })).toMatchObject({
      outcome: 'warn',
      summary: 'no DMARC record at _dmarc.mailgoat.ai: no report address to check (DNS-05 says why)',
      observed: 'no rua address',
    });
    expect(checkRuaAddresses({ domain: 'mailgoat.ai', record: 'v=DMARC1; p=none', answers: [] })).toMatchObject({
      outcome: 'warn',
      summary: 'the DMARC record at _dmarc.mailgoat.ai names no rua=mailto: address: nobody receives aggregate reports',
      remediation: 'Add rua=mailto:dmarc@mailgoat.ai to the record, with a route for it in Postal',
    });
  });

  it('names every address it asked, and what it expects', () => {
    const v = checkRuaAddresses({
      domain: 'mailgoat.ai',
      record: RECORD,
      answers: [ok('dmarc@mailgoat.ai'), { ...ok('r@vendor.example'), mx: 'mx.vendor.example' }],
    });
    expect(v.summary).toBe(
      'every rua address takes mail: dmarc@mailgoat.ai (mail.mailgoat.ai: 250), r@vendor.example (mx.vendor.example: 250)',
    );
    expect(v.observed).toBe('dmarc@mailgoat.ai: 250 OK; r@vendor.example: 250 OK');
    expect(v.expected).toBe('every rua=mailto: address of the DMARC record accepted at its MX (RCPT TO 250)');
    expect(v.evidence).toEqual([
      { label: 'rua addresses asked', detail: [ok('dmarc@mailgoat.ai'), { ...ok('r@vendor.example'), mx: 'mx.vendor.example' }] },
    ]);
  });

  it('warns on 400, and says only why when the MX could not be asked', () => {
    expect(checkRuaAddresses({ domain: 'mailgoat.ai', record: RECORD, answers: [{ ...ok('a@mailgoat.ai'), code: 400 }] }).outcome).toBe(
      'warn',
    );
    const v = checkRuaAddresses({
      domain: 'mailgoat.ai',
      record: RECORD,
      answers: [{ address: 'a@mailgoat.ai', mx: 'mail.mailgoat.ai', reply: 'could not ask mail.mailgoat.ai: ECONNREFUSED' }],
    });
    expect(v.summary).toBe('the report address a@mailgoat.ai could not be asked: could not ask mail.mailgoat.ai: ECONNREFUSED');
    // The MX did not answer: its SMTP server is the cause, not a missing route (fault smtp-down).
    expect(v.remediation).toBe(
      "Nothing answered at mailgoat.ai's MX (INF-01 says whether port 25 is reachable): start Postal's SMTP server, then check the route for a",
    );
  });

  it('names an MX that is not the mail host as the cause when nobody answered there (faults mx-elsewhere, mx-missing)', () => {
    const v = checkRuaAddresses({
      domain: 'mailgoat.ai',
      mailHost: 'mail.mailgoat.ai',
      record: RECORD,
      answers: [{ address: 'dmarc@mailgoat.ai', mx: 'mx.old-provider.example.', reply: 'could not ask mx.old-provider.example: EREFUSED' }],
    });
    expect(v.outcome).toBe('fail');
    expect(v.remediation).toBe(
      "mailgoat.ai's MX is mx.old-provider.example, not the mail host mail.mailgoat.ai (DNS-01): point the MX at mail.mailgoat.ai, so the reports reach Postal",
    );
    const own = checkRuaAddresses({
      domain: 'mailgoat.ai',
      mailHost: 'mail.mailgoat.ai',
      record: RECORD,
      answers: [{ address: 'dmarc@mailgoat.ai', mx: 'MAIL.mailgoat.ai', reply: 'could not ask mail.mailgoat.ai: ECONNREFUSED' }],
    });
    expect(own.remediation).toMatch(/^Nothing answered at mailgoat\.ai's MX/);
  });

  it('tells how to publish the record when there is none', () => {
    expect(checkRuaAddresses({ domain: 'mailgoat.ai', answers: [] }).remediation).toBe('Publish the DMARC record DNS-05 asks for');
  });

  it('reads only mailto: URIs, each trimmed, a size limit only at the end', () => {
    expect(ruaAddressesOf('v=DMARC1; rua= mailto:a@x.ai!10 ,xmailto:b@x.ai,mailto:c!1m@x.ai')).toEqual(['a@x.ai', 'c!1m@x.ai']);
  });
});
