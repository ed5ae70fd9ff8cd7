/**
 * What a probe message says (subject, body) and how an arrived copy's body is compared with it. Plain text and
 * a hash: clients, probes and specs all use it, so it sits below them.
 */
import { createHash } from 'node:crypto';
import { normalisedText, type ExpectedContent } from '../checks/message-content.ts';

export { normalisedText, type ExpectedContent };

/** The body the harness puts in every small probe message (routing, CLI): its label and the run token. */
export function probeBody(runToken: string, label: string): string {
  return `postal-qa probe ${label}\nRun token: ${runToken}\n\nThis message was sent by an automated acceptance test of the mail server.\nIt carries no action for the recipient.\n`;
}

export function normalisedBodyHash(body: string): string {
  return sha256(normalisedText(body));
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function probeSubject(runToken: string, label: string): string {
  return `[postal-qa ${runToken}] ${label}`;
}

export interface ProbeAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A message shaped like the agents' own: what is sent, and what the recipient's copy must equal once decoded. */
export interface ProbeContent {
  /** ASCII prefix (run token and label, what a mailbox search finds) and words in several scripts. */
  subject: string;
  /** The part of the subject no relay re-encodes: arrivals are matched by it. */
  subjectKey: string;
  text: string;
  html: string;
  attachments: ProbeAttachment[];
}

/** Words in the scripts agents write in: a relay that mangles one of them shows in the comparison. */
const SCRIPTS = [
  'Grüße aus Köln — ça va? ¿Qué tal, señora? Ærø, Łódź, İstanbul',
  'Привет из Москвы, как дела?',
  'Γειά σου κόσμε',
  '你好，世界。こんにちは、世界。안녕하세요',
  'مرحبا بالعالم',
  'नमस्ते दुनिया',
  'שלום עולם 🐐✉️',
];

/** What an agent's status mail says: enough words that a body cut after 1 KB shows. */
const REPORT = [
  'Status of the deployment checklist, as of this run:',
  '- DNS records published and verified (MX, A, SPF, DKIM, DMARC, PTR).',
  '- Every agent address routed to its own inbox; unknown addresses reach the catch-all.',
  '- Mail to Gmail and Outlook lands in the inbox with SPF, DKIM and DMARC passing.',
  '- The MailGoat CLI sends, lists and reads messages end to end.',
  "- Throughput and latency measured against the plan's targets.",
  'The attached file carries the raw figures; the link below leads to the handbook.',
];

/** The size a message may have at most for the deployment (`thresholds.messageSizeMb`, Postal's default 14 MB). */
export const DEFAULT_MESSAGE_SIZE_MB = 14;

/** How near the limit the large probe is: its raw size (attachment base64-encoded, headers) stays this share under it. */
export const NEAR_LIMIT_SHARE = 0.9;

/**
 * A probe message like the agents' mail: UTF-8 subject and text in several scripts, text and HTML
 * alternatives with a link, a quoted reply (agents answer each other), a binary attachment — and, with
 * `nearLimitMb`, an attachment large enough that the raw message is about 90 % of that limit.
 */
export function probeMessage(runToken: string, label: string, options: { nearLimitMb?: number } = {}): ProbeContent {
  const subjectKey = probeSubject(runToken, label);
  const link = `https://mailgoat.ai/docs/agents?ref=postal-qa&token=${encodeURIComponent(runToken)}`;
  const text = [
    `postal-qa probe ${label}`,
    `Run token: ${runToken}`,
    '',
    'This message was sent by an automated acceptance test of the mail server.',
    'It carries no action for the recipient.',
    '',
    ...REPORT,
    '',
    ...SCRIPTS,
    '',
    `Handbook: ${link}`,
    '',
    'On Mon, 1 Jan 2024 at 09:00, CEO Agent <ceo@mailgoat.ai> wrote:',
    '> Please confirm the checklist before the sign-off.',
    '> Thanks.',
    '',
  ].join('\n');
  const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>postal-qa probe</title></head><body>',
    `<p>postal-qa probe ${escape(label)}<br>Run token: <b>${escape(runToken)}</b></p>`,
    `<ul>${REPORT.slice(1, -1)
      .map((line) => `<li>${escape(line.replace(/^- /, ''))}</li>`)
      .join('')}</ul>`,
    ...SCRIPTS.map((line) => `<p>${escape(line)}</p>`),
    `<p><a href="${escape(link)}">The agents' handbook</a></p>`,
    '</body></html>',
  ].join('\n');
  const attachments: ProbeAttachment[] = [
    { filename: `figures-${safeName(label)}.bin`, contentType: 'application/octet-stream', content: figures(`${runToken}/${label}`, 2048) },
  ];
  if (options.nearLimitMb !== undefined) {
    // base64 grows the attachment by 4/3 plus line breaks (76 + 2 per 57 bytes): about 1.37.
    const bytes = Math.floor((options.nearLimitMb * 1024 * 1024 * NEAR_LIMIT_SHARE - 64 * 1024) / 1.37);
    attachments.push({
      filename: `large-${safeName(label)}.bin`,
      contentType: 'application/octet-stream',
      content: figures(`${runToken}/${label}/large`, bytes),
    });
  }
  return { subject: `${subjectKey} — Grüße, Привет, 你好`, subjectKey, text, html, attachments };
}

const safeName = (label: string): string =>
  label
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'probe';

/** Deterministic bytes (every value 0–255 occurs): a relay that treats the attachment as text damages it. */
function figures(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset, 0, Math.min(block.length, length - offset));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export function expectedContent(content: Pick<ProbeContent, 'subject' | 'text' | 'html' | 'attachments'>): ExpectedContent {
  return {
    subject: content.subject,
    text: content.text,
    ...(content.html ? { html: content.html } : {}),
    attachments: content.attachments.map((a) => ({ filename: a.filename, sha256: sha256(a.content), size: a.content.length })),
  };
}
