/**
 * The SPAMC/1.5 wire protocol, pure: building requests and reading spamd's answers.
 * Written here because the npm `spamc` package drops the sign of negative scores.
 *
 *   request:  REPORT SPAMC/1.5\r\nContent-length: N\r\n\r\n<message>
 *   response: SPAMD/1.1 0 EX_OK\r\nContent-length: M\r\nSpam: False ; -0.1 / 5.0\r\n\r\n<report>
 */
import type { SpamVerdict } from './spam-scorer.ts';

export type SpamcCommand = 'PING' | 'CHECK' | 'SYMBOLS' | 'REPORT';

export function buildSpamcRequest(command: SpamcCommand, message?: Buffer, user?: string): Buffer {
  const headers = [`${command} SPAMC/1.5`];
  if (user) headers.push(`User: ${user}`);
  if (message) headers.push(`Content-length: ${message.length}`);
  const head = Buffer.from(headers.join('\r\n') + '\r\n\r\n', 'latin1');
  return message ? Buffer.concat([head, message]) : head;
}

export interface SpamdResponse {
  protocol: string;
  /** 0 = EX_OK; anything else is a spamd error (sysexits code) */
  code: number;
  message: string;
  /** header names lower-cased */
  headers: Record<string, string>;
  body: string;
}

export class SpamcProtocolError extends Error {
  override name = 'SpamcProtocolError';
}

export function parseSpamdResponse(raw: Buffer): SpamdResponse {
  const text = raw.toString('utf8');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text.replace(/\r\n$/, '');
  const body = headEnd >= 0 ? text.slice(headEnd + 4) : '';
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const status = /^(SPAMD\/\d+\.\d+)\s+(\d+)\s*(.*)$/.exec(statusLine);
  if (!status) throw new SpamcProtocolError(`not a spamd response: "${statusLine.slice(0, 80)}"`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { protocol: status[1]!, code: Number(status[2]), message: status[3] ?? '', headers, body };
}

/** `Spam: True ; 1003.3 / 5.0` (also `Yes`/`No`, as older spamd wrote). */
export function parseSpamHeader(value: string): { isSpam: boolean; score: number; threshold: number } {
  const match = /^\s*(true|false|yes|no)\s*;\s*(-?\d+(?:\.\d+)?)\s*\/\s*(-?\d+(?:\.\d+)?)\s*$/i.exec(value);
  if (!match) throw new SpamcProtocolError(`cannot read spamd's Spam header "${value}"`);
  return {
    isSpam: /^(true|yes)$/i.test(match[1]!),
    score: Number(match[2]),
    threshold: Number(match[3]),
  };
}

/**
 * Reads the rule table of a SpamAssassin report:
 *
 *    pts rule name              description
 *   ---- ---------------------- --------------------------------------------------
 *   -0.0 NO_RECEIVED            Informational: message has no Received headers
 *    1000 GTUBE                 BODY: Generic Test for Unsolicited Bulk Email
 *                               [continuation of a long description]
 */
export function parseReportRules(report: string): SpamVerdict['rules'] {
  const lines = report.split(/\r?\n/);
  const start = lines.findIndex((line) => /^\s*-{3,}\s+-{3,}/.test(line));
  if (start < 0) return [];
  const rules: SpamVerdict['rules'] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const row = /^\s*(-?\d+(?:\.\d+)?)\s+([A-Za-z0-9_.]+)(?:\s+(.*))?$/.exec(line);
    if (row) {
      rules.push({ rule: row[2]!, points: Number(row[1]), description: (row[3] ?? '').trim() });
      continue;
    }
    const last = rules[rules.length - 1];
    if (last && /^\s/.test(line)) last.description = `${last.description} ${line.trim()}`.trim();
  }
  return rules;
}

/** Turns a REPORT response into a verdict; throws on a spamd error status. */
export function verdictFromReport(response: SpamdResponse): SpamVerdict {
  if (response.code !== 0) {
    throw new SpamcProtocolError(`spamd answered ${response.code} ${response.message}`.trim());
  }
  const spam = response.headers['spam'];
  if (spam === undefined) throw new SpamcProtocolError('spamd response has no Spam header');
  const { isSpam, score, threshold } = parseSpamHeader(spam);
  const rules = parseReportRules(response.body);
  return { score, threshold, isSpam, symbols: rules.map((r) => r.rule), rules };
}
