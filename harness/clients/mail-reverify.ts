import { resolveFunction } from '../../core/dns/resolver.ts';

/** What the receiving provider saw on the wire, recovered from the top Received and Return-Path headers. */
export interface Envelope {
  ip?: string;
  helo?: string;
  mailFrom?: string;
  receivedBy?: string;
}

export function envelopeOf(raw: Buffer): Envelope {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const received = /^Received:\s*(.*)$/im.exec(unfolded)?.[1] ?? '';
  const returnPath = /^Return-Path:\s*<([^>]*)>/im.exec(unfolded)?.[1];
  return {
    helo: /^from\s+(\S+)/i.exec(received)?.[1],
    ip: /\[(?:IPv6:)?([0-9a-f.:]+)\]/i.exec(received)?.[1],
    receivedBy: /\bby\s+(\S+)/i.exec(received)?.[1],
    mailFrom: returnPath,
  };
}

export interface Reverified {
  envelope: Envelope;
  fromDomain: string;
  authenticationResults: string;
  spf: { result: string; domain?: string };
  dkim: Array<{ result: string; domain: string; selector?: string; aligned?: boolean | string }>;
  dmarc: { result: string; policy?: string };
  hasMessageId: boolean;
  hasDate: boolean;
}

/**
 * Re-verifies SPF, DKIM and DMARC of a received message ourselves with mailauth, through the target's
 * DNS — so a verdict never rests on the provider's header alone.
 */
export async function reverifyMessage(raw: Buffer, dnsServer: string): Promise<Reverified> {
  const envelope = envelopeOf(raw);
  // Loaded on first use: only the worker that re-verifies mail pays for them.
  const [{ simpleParser }, { authenticate }] = await Promise.all([import('mailparser'), import('mailauth')]);
  const parsed = await simpleParser(raw);
  const fromAddress = parsed.from?.value[0]?.address ?? '';
  const result = (await authenticate(raw, {
    ip: envelope.ip ?? '0.0.0.0',
    helo: envelope.helo,
    sender: envelope.mailFrom,
    mta: 'postal-qa',
    resolver: resolveFunction(dnsServer) as never,
    disableArc: true,
    disableBimi: true,
  })) as unknown as {
    spf?: { status?: { result?: string }; domain?: string };
    dkim?: { results?: Array<{ status?: { result?: string; aligned?: string | boolean }; signingDomain?: string; selector?: string }> };
    dmarc?: { status?: { result?: string }; policy?: string };
  };
  return {
    envelope,
    fromDomain: fromAddress.split('@')[1]?.toLowerCase() ?? '',
    authenticationResults: headerValue(raw, 'Authentication-Results') ?? '',
    spf: { result: result.spf?.status?.result ?? 'none', domain: result.spf?.domain },
    dkim: (result.dkim?.results ?? []).map((r) => ({
      result: r.status?.result ?? 'none',
      domain: r.signingDomain ?? '',
      selector: r.selector,
      aligned: r.status?.aligned,
    })),
    dmarc: { result: result.dmarc?.status?.result ?? 'none', policy: result.dmarc?.policy },
    hasMessageId: Boolean(parsed.messageId),
    hasDate: Boolean(headerValue(raw, 'Date')),
  };
}

export function headerValue(raw: Buffer, name: string): string | undefined {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1]?.trim();
}
