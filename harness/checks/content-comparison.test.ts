import { describe, expect, it } from 'vitest';
import { expectedContent, probeMessage, sha256 } from '../messages/probe-message.ts';
import { compareContent, type ReceivedContent } from './content-comparison.ts';

const probe = probeMessage('pqa1', 'FN-01 ring-1-of-3 ceo to qa');
const expected = expectedContent(probe);
const intact: ReceivedContent = {
  subject: probe.subject,
  text: probe.text.replace(/\n/g, '\r\n') + '\r\n\r\n',
  html: probe.html,
  attachments: probe.attachments.map((a) => ({ filename: a.filename, sha256: sha256(a.content), size: a.content.length })),
};
const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('compareContent', () => {
  it('finds nothing when every part arrived decoded as sent (line endings and trailing blanks aside)', () => {
    expect(compareContent(expected, intact)).toEqual({ problems: [], causes: [], unverified: [] });
    expect(compareContent(expected, { ...intact, subject: probe.subject.replace(' — ', '  —\t') })).toEqual({
      problems: [],
      causes: [],
      unverified: [],
    });
  });

  it('names UTF-8 read as Latin-1 (mojibake) in the subject, text and HTML, once', () => {
    const c = compareContent(expected, { ...intact, subject: latin1(probe.subject), text: latin1(probe.text), html: latin1(probe.html) });
    expect(c.problems).toEqual([`subject "${latin1(probe.subject)}" instead of "${probe.subject}"`, 'text differs', 'HTML part differs']);
    expect(c.causes).toHaveLength(1);
    expect(c.causes[0]!.cause).toBe('non-ASCII text arrived mangled: UTF-8 decoded as Latin-1/Windows-1252');
    expect(c.causes[0]!.remediation).toMatch(/issue 2462/);
    const cp1252 = new TextDecoder('windows-1252').decode(Buffer.from(probe.text, 'utf8'));
    expect(compareContent(expected, { ...intact, text: cp1252 }).causes[0]!.cause).toMatch(/UTF-8 decoded as Latin-1/);
  });

  it('names a text cut short, with how much arrived', () => {
    const cut = probe.text.slice(0, 1024);
    const c = compareContent(expected, { ...intact, text: cut });
    expect(c.problems).toEqual(['text differs']);
    expect(c.causes[0]!.cause).toBe(
      `the message was cut short: ${Buffer.byteLength(cut.trimEnd())} of ${Buffer.byteLength(probe.text.trim())} bytes of its text arrived`,
    );
    expect(c.causes[0]!.remediation).toMatch(/truncates messages/);
  });

  it('names the quoted reply stripped (Postal\'s "Strip replies"), not a truncation', () => {
    const body = probe.text.slice(0, probe.text.indexOf('\nOn Mon')).trim();
    const c = compareContent(expected, { ...intact, text: body });
    expect(c.causes[0]!.cause).toBe('the quoted reply at the end of the text was removed before it reached the agent');
    expect(c.causes[0]!.remediation).toMatch(/"Strip replies" on/);
  });

  it('names non-ASCII characters stripped, and text added at the end', () => {
    const stripped = probe.text.replace(/[^\p{ASCII}]/gu, '');
    expect(compareContent(expected, { ...intact, text: stripped }).causes[0]!.cause).toBe(
      'non-ASCII characters were stripped from the message',
    );
    const footer = compareContent(expected, { ...intact, text: `${probe.text}\n--\nPartner offer: cheap meds\n` });
    expect(footer.causes[0]!.cause).toBe('text was added to the message ("Partner offer: cheap meds")');
    expect(compareContent(expected, { ...intact, text: `${probe.text}\n--\n` }).causes[0]!.cause).toBe(
      'text was added to the message ("--")',
    );
    expect(footer.causes[0]!.remediation).toMatch(/signature, disclaimer or footer/);
  });

  it('names links rewritten to a tracking host, from the HTML part', () => {
    const tracked = probe.html.replace(/href="[^"]+"/, 'href="https://track.mailgoat.ai/abc/1"');
    const c = compareContent(expected, { ...intact, html: tracked });
    expect(c.problems).toEqual(['HTML part differs']);
    expect(c.causes[0]!.cause).toBe('the links in the HTML part were rewritten to track.mailgoat.ai (click tracking)');
    expect(c.causes[0]!.remediation).toMatch(/Turn off click and open tracking/);
    // Another change of the HTML is told as a generic alteration.
    expect(compareContent(expected, { ...intact, html: probe.html.replace('<ul>', '<ol>') }).causes[0]!.cause).toBe(
      'the message was altered on its way',
    );
  });

  it('names attachments left out by the endpoint, missing, or altered', () => {
    const left = compareContent(expected, { ...intact, attachments: [], attachmentQuantity: 1 });
    expect(left.problems).toEqual(["1 attachment(s) missing from the agent's copy"]);
    expect(left.causes[0]!.remediation).toMatch(/"Include attachments" off/);
    const missing = compareContent(expected, { ...intact, attachments: [] });
    expect(missing.problems).toEqual([`attachment ${expected.attachments[0]!.filename} (2048 bytes) missing`]);
    const altered = compareContent(expected, {
      ...intact,
      attachments: [{ filename: expected.attachments[0]!.filename, sha256: 'ab', size: 2047 }],
    });
    expect(altered.problems).toEqual([
      `attachment ${expected.attachments[0]!.filename} altered (2047 bytes instead of 2048, SHA-256 differs)`,
    ]);
    // Found by hash even under another name (a relay renamed it).
    expect(compareContent(expected, { ...intact, attachments: [{ ...intact.attachments![0]!, filename: 'x.bin' }] }).problems).toEqual([]);
  });

  it('tells a part the reader cannot show (unverified) from a part the copy lacks (a problem)', () => {
    expect(compareContent(expected, { subject: probe.subject, text: probe.text })).toEqual({
      problems: [],
      causes: [],
      unverified: ['HTML part', 'attachments'],
    });
    expect(compareContent(expected, {}).unverified).toEqual(['subject', 'text', 'HTML part', 'attachments']);
    const lacks = compareContent(expected, { ...intact, html: null, text: null });
    expect(lacks.problems).toEqual(['no text part', 'no HTML part']);
    expect(compareContent(expected, { ...intact, text: '  ' }).problems).toEqual(['no text part']);
    // No HTML expected: none compared.
    expect(
      compareContent({ ...expected, html: undefined, attachments: [] }, { subject: probe.subject, text: probe.text }).unverified,
    ).toEqual([]);
  });
});
