import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeApiMessage } from './compose-message.ts';

/**
 * What a real Postal 3.3.2 (built from its public source) stored and sent for two send/message calls:
 * the bytes after its own DKIM-Signature and X-Postal-MsgID lines, with the random boundaries and uuid written
 * as <A>, <B>, <UUID>.
 */
const REAL_PLAIN = [
  'Received: from api (127.0.0.1 [127.0.0.1]) by postal.mailgoat.ai with HTTP; Sun, 06 Dec 2026 21:34:46 +0000',
  'Date: Sun, 06 Dec 2026 21:34:46 +0000',
  'From: CEO Agent <ceo@mailgoat.ai>',
  'To: alice@recipient.test',
  'Message-ID: <UUID@rp.postal.mailgoat.ai>',
  'Subject: Real Postal probe 1',
  'Mime-Version: 1.0',
  'Content-Type: multipart/mixed;',
  ' boundary="<A>";',
  ' charset=UTF-8',
  'Content-Transfer-Encoding: 7bit',
  '',
  '',
  '--<A>',
  'Content-Type: multipart/alternative;',
  ' boundary="<B>"',
  'Content-Transfer-Encoding: 7bit',
  '',
  '',
  '--<B>',
  'Content-Type: text/plain;',
  ' charset=UTF-8',
  'Content-Transfer-Encoding: 7bit',
  '',
  'Hello from the real Postal 3.3.2.',
  'Second line.',
  '--<B>--',
  '',
  '--<A>--',
  '',
].join('\r\n');

const REAL_HTML_HEADERS = [
  'Received: from api (127.0.0.1 [127.0.0.1]) by postal.mailgoat.ai with HTTP; Sun, 06 Dec 2026 21:37:30 +0000',
  'Date: Sun, 06 Dec 2026 21:37:30 +0000',
  'From: ceo@mailgoat.ai',
  'Reply-To: team@mailgoat.ai',
  'To: carol@recipient.test',
  'Cc: dave@recipient.test',
  'Message-ID: <UUID@rp.postal.mailgoat.ai>',
  'Subject: Real Postal probe 2 (plain+html)',
  'Mime-Version: 1.0',
  'Content-Type: multipart/mixed;',
  ' boundary="<A>";',
  ' charset=UTF-8',
  'Content-Transfer-Encoding: 7bit',
  'X-Probe: yes',
];

/** Boundaries and the Message-ID's uuid made comparable. */
function normalised(raw: Buffer): string {
  const text = raw.toString('utf8');
  const marks = [...new Set([...text.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]!))];
  let out = text.replace(/<[0-9a-f-]{36}@/, '<UUID@');
  marks.forEach((mark, i) => (out = out.split(mark).join(`<${'AB'[i]}>`)));
  return out;
}

const base = {
  to: [],
  cc: [],
  attachments: [],
  returnPathDomain: 'rp.postal.mailgoat.ai',
  webHost: 'postal.mailgoat.ai',
  clientIp: '127.0.0.1',
};

describe("send/message's message, as a real Postal 3.3.2 builds it", () => {
  it('is byte for byte the real one for a plain_body message: multipart/mixed → alternative → text/plain, the gem’s header order', async () => {
    const { raw, messageId } = await composeApiMessage({
      ...base,
      from: 'CEO Agent <ceo@mailgoat.ai>',
      to: ['alice@recipient.test'],
      subject: 'Real Postal probe 1',
      plainBody: 'Hello from the real Postal 3.3.2.\nSecond line.',
      now: new Date('2026-12-06T21:34:46Z'),
    });
    expect(messageId).toMatch(/^[0-9a-f-]{36}@rp\.postal\.mailgoat\.ai$/);
    expect(normalised(raw)).toBe(REAL_PLAIN);
    expect(raw.toString()).toMatch(/boundary="--==_mimepart_[0-9a-f]{13}_[0-9a-f]{12}"/);
  });

  it('puts Reply-To and Cc where the gem does, custom headers last, text/plain then text/html', async () => {
    const { raw } = await composeApiMessage({
      ...base,
      from: 'ceo@mailgoat.ai',
      to: ['carol@recipient.test'],
      cc: ['dave@recipient.test'],
      replyTo: 'team@mailgoat.ai',
      subject: 'Real Postal probe 2 (plain+html)',
      plainBody: 'Plain part',
      htmlBody: '<p>HTML part</p>',
      headers: { 'X-Probe': 'yes' },
      now: new Date('2026-12-06T21:37:30Z'),
    });
    const text = normalised(raw);
    expect(text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n')).toEqual(REAL_HTML_HEADERS);
    const parsed = await simpleParser(raw);
    expect(parsed.text?.trim()).toBe('Plain part');
    expect(parsed.html).toContain('<p>HTML part</p>');
    expect(text.indexOf('Content-Type: text/plain')).toBeLessThan(text.indexOf('Content-Type: text/html'));
  });

  it('names the client by its PTR when it has one, encodes non-ASCII, and carries attachments a parser reads back', async () => {
    const { raw } = await composeApiMessage({
      ...base,
      from: 'Zoë <ceo@mailgoat.ai>',
      to: ['a@gmail.test'],
      subject: 'Grüße',
      plainBody: 'Schöne Grüße',
      attachments: [{ name: 'a.txt', contentType: 'text/plain', data: Buffer.from('attached') }],
      clientHostname: 'agent-host.mailgoat.ai',
    });
    expect(raw.toString()).toMatch(/^Received: from api \(agent-host\.mailgoat\.ai \[127\.0\.0\.1\]\) by postal\.mailgoat\.ai with HTTP; /);
    // eslint-disable-next-line no-control-regex -- ASCII includes its control characters: the range is the point
    expect(/^[\x00-\x7f]*$/.test(raw.toString('latin1'))).toBe(true);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Grüße');
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Zoë', address: 'ceo@mailgoat.ai' });
    expect(parsed.text?.trim()).toBe('Schöne Grüße');
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['a.txt', 'attached']]);
  });
});
