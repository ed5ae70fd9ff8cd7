import { describe, expect, it } from 'vitest';
import { buildSpamcRequest, parseReportRules, parseSpamHeader, parseSpamdResponse, verdictFromReport } from './spamc-protocol.ts';

const REPORT = [
  'SPAMD/1.1 0 EX_OK',
  'Content-length: 512',
  'Spam: False ; -1.9 / 5.0',
  '',
  'Spam detection software, running on the system "vm",',
  'has NOT identified this incoming email as spam.',
  '',
  'Content analysis details:   (-1.9 points, 5.0 required)',
  '',
  ' pts rule name              description',
  '---- ---------------------- --------------------------------------------------',
  '-0.0 NO_RECEIVED            Informational: message has no Received headers',
  '-1.9 BAYES_00               BODY: Bayes spam probability is 0 to 1%',
  '                            [score: 0.0000]',
  ' 0.0 TVD_SPACE_RATIO        No description available.',
  '1000 GTUBE                  BODY: Generic Test for Unsolicited Bulk Email',
  '',
].join('\r\n');

describe('SPAMC protocol', () => {
  it('builds a request with Content-length counted in bytes', () => {
    const request = buildSpamcRequest('REPORT', Buffer.from('Subject: é\r\n\r\nx'));
    expect(request.toString('utf8')).toBe('REPORT SPAMC/1.5\r\nContent-length: 16\r\n\r\nSubject: é\r\n\r\nx');
    expect(buildSpamcRequest('PING').toString()).toBe('PING SPAMC/1.5\r\n\r\n');
  });

  it('reads negative scores, the threshold and the verdict', () => {
    expect(parseSpamHeader('False ; -1.9 / 5.0')).toEqual({ isSpam: false, score: -1.9, threshold: 5 });
    expect(parseSpamHeader('True ; 1003.3 / 5.0')).toEqual({ isSpam: true, score: 1003.3, threshold: 5 });
    expect(parseSpamHeader('No ; -0.0 / 5.0')).toMatchObject({ isSpam: false, score: -0 });
    expect(() => parseSpamHeader('maybe')).toThrow(/Spam header/);
  });

  it('turns a REPORT response into a verdict with per-rule points and descriptions', () => {
    const verdict = verdictFromReport(parseSpamdResponse(Buffer.from(REPORT)));
    expect(verdict).toMatchObject({ score: -1.9, threshold: 5, isSpam: false });
    expect(verdict.symbols).toEqual(['NO_RECEIVED', 'BAYES_00', 'TVD_SPACE_RATIO', 'GTUBE']);
    expect(verdict.rules[1]).toEqual({
      rule: 'BAYES_00',
      points: -1.9,
      description: 'BODY: Bayes spam probability is 0 to 1% [score: 0.0000]',
    });
    expect(verdict.rules[3]).toEqual({ rule: 'GTUBE', points: 1000, description: 'BODY: Generic Test for Unsolicited Bulk Email' });
  });

  it('reads PONG and refuses spamd errors', () => {
    expect(parseSpamdResponse(Buffer.from('SPAMD/1.5 0 PONG\r\n'))).toMatchObject({ code: 0, message: 'PONG' });
    const error = parseSpamdResponse(Buffer.from('SPAMD/1.0 76 Bad header line: x\r\n'));
    expect(() => verdictFromReport(error)).toThrow(/76 Bad header line/);
    expect(() => parseSpamdResponse(Buffer.from('HTTP/1.1 400'))).toThrow(/not a spamd response/);
  });

  it('returns no rules for a report without a table', () => {
    expect(parseReportRules('nothing here')).toEqual([]);
  });
});
