/**
 * What a probe message says (subject, body) and how an arrived copy's body is compared with it. Plain text and
 * a hash: clients, probes and specs all use it, so it sits below them.
 */
import { createHash } from 'node:crypto';

/** The body the harness puts in every probe message, and the hash both sides compare (FN-01, FN-07). */
export function probeBody(runToken: string, label: string): string {
  return `postal-qa probe ${label}\nRun token: ${runToken}\n\nThis message was sent by an automated acceptance test of the mail server.\nIt carries no action for the recipient.\n`;
}

/** Line endings and trailing blanks change in transit without the message being damaged. */
export function normalisedBodyHash(body: string): string {
  const normal = body.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').trim();
  return createHash('sha256').update(normal).digest('hex');
}

export function probeSubject(runToken: string, label: string): string {
  return `[postal-qa ${runToken}] ${label}`;
}
