/**
 * The recipient's copy against what was sent, part by part, decoded (a relay may re-encode a part as
 * quoted-printable or base64 and line endings may change; the words may not): the subject, the plain
 * text, the HTML alternative and every attachment by its SHA-256. A difference is named by its likely
 * cause when its shape tells it — cut short, UTF-8 read as Latin-1, the quoted reply stripped, links
 * rewritten, attachments left out by the inbox endpoint — so the remediation points at the real cause.
 */
import { normalisedText, type ExpectedContent } from './message-content.ts';
import type { Cause } from './delivery-causes.ts';

export interface ReceivedAttachment {
  filename: string;
  sha256: string;
  size: number;
}

/** The recipient's copy, decoded. undefined: the reader cannot show that part; null: the copy has none. */
export interface ReceivedContent {
  subject?: string | null;
  text?: string | null;
  html?: string | null;
  attachments?: ReceivedAttachment[];
  /** How many attachments the copy had, when the reader shows the count but not the files (Postal's attachment_quantity). */
  attachmentQuantity?: number;
}

export interface ContentComparison {
  /** What differs, in a few words each. */
  problems: string[];
  /** The likely cause of each difference whose shape names one. */
  causes: Cause[];
  /** Parts the reader could not show, so they were not compared. */
  unverified: string[];
}

const GENERIC: Cause = {
  cause: 'the message was altered on its way',
  remediation:
    'Compare the raw message at the recipient with what was sent: a content filter, a disclaimer or footer, a tracking rewrite, a relay that re-encodes it, or the inbox endpoint itself (Postal\'s "strip replies" option trims the plain body)',
};

const MOJIBAKE: Cause = {
  cause: 'non-ASCII text arrived mangled: UTF-8 decoded as Latin-1/Windows-1252',
  remediation:
    'A hop decodes the UTF-8 message with the wrong charset (Postal issue 2462: the HTTP endpoint payload breaks the encoding of incoming mail): keep Content-Type charset=utf-8 through every relay, and upgrade Postal or the component that re-encodes the message',
};

const NON_ASCII_STRIPPED: Cause = {
  cause: 'non-ASCII characters were stripped from the message',
  remediation:
    'A hop removes characters it cannot encode (Postal issue 2816: characters stripped from messages after an upgrade): find the relay or Postal version that does it and upgrade or bypass it; agents write in many scripts',
};

function truncated(kept: number, total: number): Cause {
  return {
    cause: `the message was cut short: ${kept} of ${total} bytes of its text arrived`,
    remediation:
      'Something between Postal and the recipient truncates messages (a content filter, a proxy with a body limit, or a receiver that stores a fixed-length field): find the hop that shortens it and lift its limit',
  };
}

const REPLY_STRIPPED: Cause = {
  cause: 'the quoted reply at the end of the text was removed before it reached the agent',
  remediation:
    'Postal\'s HTTP endpoint has "Strip replies" on (ReplySeparator cuts the plain body at "On … wrote:"): agents lose the thread they answer; turn Strip replies off for the agents\' endpoints (the mail server → Routing → HTTP endpoints)',
};

function linksRewritten(host: string): Cause {
  return {
    cause: `the links in the HTML part were rewritten to ${host} (click tracking)`,
    remediation: `Postal's click tracking rewrites every link of the agents' mail to its tracking domain ${host} (and adds an open pixel): the recipients' agents follow a redirect they cannot verify, and a tracking domain without its CNAME and certificate breaks the links. Turn off click and open tracking for the domain (the mail server → Tracking domains) for agent mail`,
  };
}

const ATTACHMENTS_NOT_INCLUDED: Cause = {
  cause: 'the attachments were not passed to the agent (Postal counted them, the endpoint payload left them out)',
  remediation:
    'Postal\'s HTTP endpoint has "Include attachments" off: turn it on for the agents\' endpoints (the mail server → Routing → HTTP endpoints), or the agents never see their attachments',
};

function windows1252(text: string): string {
  try {
    return new TextDecoder('windows-1252').decode(Buffer.from(text, 'utf8'));
  } catch {
    return Buffer.from(text, 'utf8').toString('latin1');
  }
}

/** The expected text as a single-byte charset would mis-read it: the shape of mojibake. */
function isMojibake(expected: string, received: string): boolean {
  const misread = [Buffer.from(expected, 'utf8').toString('latin1'), windows1252(expected)].map(normalisedText);
  return misread.includes(normalisedText(received));
}

const ascii = (s: string): string => normalisedText(s.replace(/[^\p{ASCII}]/gu, ''));
const spaces = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Why one text part differs, when its shape says so. */
function diagnoseText(expected: string, received: string): Cause {
  const want = normalisedText(expected);
  const got = normalisedText(received);
  if (isMojibake(expected, received)) return MOJIBAKE;
  const quote = want.search(/\n\nOn .+wrote:\n/);
  if (quote > 0 && spaces(got) === spaces(want.slice(0, quote))) return REPLY_STRIPPED;
  if (got.length > 0 && got.length < want.length && want.startsWith(got)) return truncated(Buffer.byteLength(got), Buffer.byteLength(want));
  if (/[^\p{ASCII}]/u.test(want) && ascii(want).replace(/\s+/g, ' ') === got.replace(/\s+/g, ' ')) return NON_ASCII_STRIPPED;
  if (got.startsWith(want) && got.length > want.length) {
    // The first line that says something (a signature starts with a bare "--").
    const lines = got
      .slice(want.length)
      .split('\n')
      .map((l) => l.trim());
    const added = (lines.find((l) => /[A-Za-z0-9]{3}/.test(l)) ?? lines.find(Boolean) ?? '').slice(0, 80);
    return {
      cause: `text was added to the message ("${added}")`,
      remediation:
        "A signature, disclaimer or footer is appended to the agents' mail on its way (a Postal template, a milter, the sending app): remove it, agents quote and act on what they receive",
    };
  }
  return GENERIC;
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

function diagnoseHtml(expected: string, received: string): Cause {
  const want = hrefs(expected);
  const got = hrefs(received);
  if (want.length > 0 && got.length >= want.length && want.every((h) => !got.includes(h))) {
    const host = (() => {
      try {
        return new URL(got[0]!).host;
      } catch {
        return got[0]!;
      }
    })();
    return linksRewritten(host);
  }
  return diagnoseText(expected, received);
}

export function compareContent(expected: ExpectedContent, received: ReceivedContent): ContentComparison {
  const problems: string[] = [];
  const causes: Cause[] = [];
  const unverified: string[] = [];
  const note = (problem: string, cause: Cause): void => {
    problems.push(problem);
    if (!causes.some((c) => c.cause === cause.cause)) causes.push(cause);
  };

  if (received.subject === undefined) unverified.push('subject');
  else if (spaces(received.subject ?? '') !== spaces(expected.subject)) {
    note(
      `subject "${(received.subject ?? '').slice(0, 120)}" instead of "${expected.subject}"`,
      diagnoseText(expected.subject, received.subject ?? ''),
    );
  }

  if (received.text === undefined) unverified.push('text');
  else if (received.text === null || normalisedText(received.text) === '') note('no text part', GENERIC);
  else if (normalisedText(received.text) !== normalisedText(expected.text))
    note('text differs', diagnoseText(expected.text, received.text));

  if (expected.html !== undefined) {
    if (received.html === undefined) unverified.push('HTML part');
    else if (received.html === null) note('no HTML part', GENERIC);
    else if (normalisedText(received.html) !== normalisedText(expected.html))
      note('HTML part differs', diagnoseHtml(expected.html, received.html));
  }

  if (expected.attachments.length > 0) {
    if (received.attachments === undefined) unverified.push('attachments');
    else if (received.attachments.length === 0 && (received.attachmentQuantity ?? 0) >= expected.attachments.length) {
      note(`${expected.attachments.length} attachment(s) missing from the agent's copy`, ATTACHMENTS_NOT_INCLUDED);
    } else {
      for (const want of expected.attachments) {
        if (received.attachments.some((a) => a.sha256.toLowerCase() === want.sha256.toLowerCase())) continue;
        const named = received.attachments.find((a) => a.filename === want.filename);
        note(
          named
            ? `attachment ${want.filename} altered (${named.size} bytes instead of ${want.size}, SHA-256 differs)`
            : `attachment ${want.filename} (${want.size} bytes) missing`,
          GENERIC,
        );
      }
    }
  }
  return { problems, causes, unverified };
}
