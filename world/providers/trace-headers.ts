/**
 * The header fields a provider's MX prepends to a message it accepts (newest first, as MTAs do):
 * Delivered-To, the authentication results from mailauth, SpamAssassin's X-Spam-* fields and the
 * MX's own Received line. Pure, so the exact text is unit-tested.
 */
import type { SpamVerdict } from '../../core/spam/spam-scorer.ts';

export interface ReceivedInput {
  helo: string;
  ip: string;
  /** the PTR name of `ip`, when it has one */
  reverseName?: string;
  mx: string;
  providerName: string;
  tls: boolean;
  id: string;
  /** the single envelope recipient; left out of the line when there were several (privacy, like Postfix) */
  recipient?: string;
  date: Date;
}

export function receivedHeader(r: ReceivedInput): string {
  const from = `${r.helo || `[${r.ip}]`} (${r.reverseName ?? 'unknown'} [${r.ip}])`;
  const date = r.date.toUTCString().replace('GMT', '+0000');
  const by = `by ${r.mx} (${r.providerName}) with ${r.tls ? 'ESMTPS' : 'ESMTP'} id ${r.id}`;
  return `Received: from ${from}\r\n\t${by}\r\n\t${r.recipient ? `for <${r.recipient}>; ` : ''}${date}\r\n`;
}

/** SpamAssassin's own header style: X-Spam-Flag (when spam), X-Spam-Score, X-Spam-Status, X-Spam-Report. */
export function spamHeaders(verdict: SpamVerdict, threshold = verdict.threshold): string {
  const isSpam = verdict.score >= threshold;
  const score = verdict.score.toFixed(1);
  const tests = verdict.symbols.length > 0 ? verdict.symbols.join(',') : 'none';
  const lines: string[] = [];
  if (isSpam) lines.push('X-Spam-Flag: YES');
  lines.push(`X-Spam-Score: ${score}`);
  lines.push(fold(`X-Spam-Status: ${isSpam ? 'Yes' : 'No'}, score=${score} required=${threshold.toFixed(1)} tests=${tests}`));
  const report = verdict.rules.map((r) => `\t* ${r.points.toFixed(1).padStart(5)} ${r.rule} ${oneLine(r.description)}`);
  lines.push(report.length > 0 ? `X-Spam-Report:\r\n${report.join('\r\n')}` : 'X-Spam-Report: none');
  return lines.join('\r\n') + '\r\n';
}

const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ').trim();

/** Folds at commas so no header line runs past 78 characters. */
function fold(line: string): string {
  if (line.length <= 78) return line;
  const out: string[] = [];
  let current = '';
  for (const part of line.split(/(?<=,)/)) {
    if (current.length + part.length > 76 && current !== '') {
      out.push(current);
      current = `\t${part}`;
    } else {
      current += part;
    }
  }
  out.push(current);
  return out.join('\r\n');
}

export const deliveredTo = (recipient: string): string => `Delivered-To: ${recipient}\r\n`;

/** mailauth's `headers` (Received-SPF + Authentication-Results), normalised to end in one CRLF. */
export function normaliseHeaderBlock(block: string): string {
  const trimmed = block.replace(/(\r?\n)+$/, '');
  return trimmed === '' ? '' : `${trimmed.replace(/\r?\n/g, '\r\n')}\r\n`;
}
