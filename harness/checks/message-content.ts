/**
 * What a message must arrive as, in the terms the delivery checks compare: the decoded subject, text and
 * HTML part, and each attachment by SHA-256. Line endings and trailing blanks may change in transit
 * without the message being damaged; the words may not.
 */
export interface ExpectedContent {
  subject: string;
  text: string;
  html?: string;
  attachments: Array<{ filename: string; sha256: string; size: number }>;
}

export function normalisedText(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}
