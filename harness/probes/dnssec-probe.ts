/**
 * DNSSEC from a resolver's view (DNS-13): the DS at the parent and the zone's DNSKEY, then each record
 * the suite relies on validated from the trust anchor down (@relaycorp/dnssec: root DNSKEY → DS → DNSKEY
 * → RRSIG), with the RRSIGs' expirations read from the answers so a FAIL can name the cause. The resolver
 * is the target's first public resolver (the DS lives at the parent, which the domain's own server does
 * not serve), asked with DO and CD: it hands over bogus data and the suite says why it is bogus.
 */
import type { TrustAnchor } from '@relaycorp/dnssec';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { keyTagOf } from '../../core/dns/dnssec-key-tag.ts';
import type { DnssecInput, DnssecLookup, DnssecStatus } from '../checks/dnssec-check.ts';
import { queryWire } from '../clients/dns-wire-client.ts';
import type { ProbeContext } from './probe-context.ts';

export interface DnssecProbe {
  /** `questions`: what the suite relies on, each with its purpose (e.g. MX of the domain: "MX"). */
  observe(questions: Array<{ name: string; type: string; purpose: string }>): Promise<DnssecInput>;
}

/** The validator, loaded on the first lookup: only the worker that runs DNS-13 pays for it. */
async function validator() {
  const { dnssecLookUp, Question, SecurityStatus } = await import('@relaycorp/dnssec');
  const status: Record<string, DnssecStatus> = {
    [SecurityStatus.SECURE]: 'secure',
    [SecurityStatus.INSECURE]: 'insecure',
    [SecurityStatus.BOGUS]: 'bogus',
    [SecurityStatus.INDETERMINATE]: 'indeterminate',
  };
  return { dnssecLookUp, Question, status };
}

/** `. DS <tag> <alg> <digest type> <hex>` (DNSSEC_TRUST_ANCHOR) → the validator's anchor. */
export function parseTrustAnchor(text: string): TrustAnchor {
  const m = /DS\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9a-f]+)\s*$/i.exec(text.trim());
  if (!m) throw new Error(`DNSSEC_TRUST_ANCHOR "${text}" is not ". DS <tag> <alg> <digest type> <hex>"`);
  return { keyTag: Number(m[1]), algorithm: Number(m[2]), digestType: Number(m[3]), digest: Buffer.from(m[4]!, 'hex') };
}

interface Decoded {
  rcode: string;
  answers: Array<{ name: string; type: string; data: unknown }>;
}

function decode(message: Buffer): Decoded {
  const packet = dnsPacket.decode(message) as unknown as Decoded;
  return { rcode: packet.rcode, answers: packet.answers ?? [] };
}

/** Key tags of the DS (read) or DNSKEY (computed, RFC 4034 Appendix B) records in an answer. */
export function keyTagsIn(message: Buffer, type: 'DS' | 'DNSKEY'): number[] {
  const records = decode(message).answers.filter((a) => a.type === type);
  if (type === 'DS') return records.map((r) => (r.data as { keyTag: number }).keyTag);
  return records.map((r) => {
    const { flags, algorithm, key } = r.data as { flags: number; algorithm: number; key: Uint8Array };
    const head = Buffer.from([flags >> 8, flags & 0xff, 3, algorithm]);
    return keyTagOf(Buffer.concat([head, Buffer.from(key)]));
  });
}

/** Expirations of the RRSIGs covering `type` in an answer. */
export function rrsigExpirationsIn(message: Buffer, type: string): number[] {
  return decode(message)
    .answers.filter((a) => a.type === 'RRSIG' && (a.data as { typeCovered: string }).typeCovered === type)
    .map((a) => (a.data as { expiration: number }).expiration);
}

export function dnssecProbe(context: ProbeContext): DnssecProbe {
  const { target } = context;
  const server = target.dns.reverse.server;
  const timeoutMs = target.timeouts.dnsMs;
  const anchors = target.dnssecTrustAnchor ? [parseTrustAnchor(target.dnssecTrustAnchor)] : undefined;
  // Asked in lower case: the validator checks signatures over the owner as the answer spells it, not in
  // canonical (lower-case) form, so a selector like postal-qpMdyI would otherwise never validate.
  const ask = (name: string, type: string) => queryWire(server, { name: name.toLowerCase(), type }, timeoutMs);

  async function keyTags(name: string, type: 'DS' | 'DNSKEY'): Promise<{ keyTags: number[]; error?: string }> {
    try {
      return { keyTags: keyTagsIn(await ask(name, type), type) };
    } catch (error) {
      return { keyTags: [], error: (error as Error).message };
    }
  }

  async function validate(question: { name: string; type: string; purpose: string }): Promise<DnssecLookup> {
    const base = { ...question, rrsigExpirations: [] as number[] };
    try {
      const served = await ask(question.name, question.type);
      const rrsigExpirations = rrsigExpirationsIn(served, question.type);
      const { dnssecLookUp, Question, status } = await validator();
      const result = await dnssecLookUp(
        new Question(`${question.name.toLowerCase().replace(/\.$/, '')}.`, question.type as never),
        (q) => ask(q.name, q.getTypeName()),
        {
          ...(anchors ? { trustAnchors: anchors } : {}),
        },
      );
      const reasons = 'reasonChain' in result ? [...result.reasonChain] : [];
      return { ...base, rrsigExpirations, status: status[result.status] ?? 'indeterminate', reasons };
    } catch (error) {
      return { ...base, status: 'error', reasons: [(error as Error).message] };
    }
  }

  return {
    async observe(questions) {
      const domain = target.domain.toLowerCase();
      const now = Math.floor(Date.now() / 1000);
      const [ds, dnskey] = [await keyTags(domain, 'DS'), await keyTags(domain, 'DNSKEY')];
      const lookups: DnssecLookup[] = [];
      if (ds.keyTags.length > 0 || dnskey.keyTags.length > 0) for (const question of questions) lookups.push(await validate(question));
      return { domain, resolver: server, anchor: anchors ? 'DNSSEC_TRUST_ANCHOR' : "IANA's root anchors", now, ds, dnskey, lookups };
    },
  };
}
