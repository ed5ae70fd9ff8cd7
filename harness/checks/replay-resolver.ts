/**
 * A resolver shaped like `dns.promises.resolve`, as mailauth expects one, answering only from a
 * recorded DnsSnapshot. Pure: no I/O, so checks that must follow references (SPF) stay testable.
 *
 * Shapes (the ones mailauth reads):
 *   TXT → string[][] (each record one chunk: the snapshot stores the chunks already joined)
 *   MX  → { exchange, priority }[]
 *   A, AAAA, PTR, CNAME, NS → string[]
 * nxdomain / nodata throw errors coded ENOTFOUND / ENODATA, like node does; an observation with
 * status "error" throws with the code found in its message (ETIMEOUT, EREFUSED…; ESERVFAIL if none).
 */
import type { DnsObservation, DnsRecordType, DnsSnapshot } from './dns-observation.ts';
import { normaliseName } from './dns-observation.ts';

export interface MxAnswer {
  exchange: string;
  priority: number;
}

export type ResolverAnswer = string[][] | string[] | MxAnswer[];

/** `(name, rrtype) => Promise<…>` like `dns.promises.resolve`; mailauth passes a third argument we ignore. */
export type ResolveFunction = (name: string, rrtype: string) => Promise<ResolverAnswer>;

export const RECORD_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'MX', 'TXT', 'CNAME', 'PTR', 'NS'];

export function isDnsRecordType(type: string): type is DnsRecordType {
  return (RECORD_TYPES as readonly string[]).includes(type);
}

const SYSCALL: Record<DnsRecordType, string> = {
  A: 'queryA',
  AAAA: 'queryAaaa',
  MX: 'queryMx',
  TXT: 'queryTxt',
  CNAME: 'queryCname',
  PTR: 'queryPtr',
  NS: 'queryNs',
  CAA: 'queryCaa',
};

export interface DnsError extends Error {
  code: string;
  hostname: string;
  syscall: string;
}

/** An error like the ones node's resolver throws (`queryTxt ENOTFOUND example.com`, `code: 'ENOTFOUND'`). */
export function dnsError(code: string, name: string, rrtype: string, message?: string): DnsError {
  const syscall = isDnsRecordType(rrtype) ? SYSCALL[rrtype] : `query${rrtype}`;
  const err = new Error(message ?? `${syscall} ${code} ${name}`) as DnsError;
  err.code = code;
  err.hostname = name;
  err.syscall = syscall;
  return err;
}

/** "10 mail.example.com" → { priority: 10, exchange: "mail.example.com" }. */
export function parseMxAnswer(answer: string): MxAnswer {
  const match = /^\s*(\d+)\s+(\S+)\s*$/.exec(answer);
  if (!match) return { priority: Number.NaN, exchange: normaliseName(answer) };
  return { priority: Number(match[1]), exchange: normaliseName(match[2] ?? '') };
}

/** Turns one observation into what `dns.promises.resolve` would have returned or thrown. */
export function answerFromObservation(observation: DnsObservation): ResolverAnswer {
  const { name, type } = observation;
  switch (observation.status) {
    case 'nxdomain':
      throw dnsError('ENOTFOUND', name, type);
    case 'nodata':
      throw dnsError('ENODATA', name, type);
    case 'error': {
      const code = /\b(E[A-Z]{3,})\b/.exec(observation.error ?? '')?.[1] ?? 'ESERVFAIL';
      throw dnsError(code, name, type, observation.error ?? `${SYSCALL[type]} ${code} ${name}`);
    }
    case 'ok':
      break;
  }
  if (observation.answers.length === 0) throw dnsError('ENODATA', name, type);
  if (type === 'TXT') return observation.answers.map((a) => [a]);
  if (type === 'MX') return observation.answers.map(parseMxAnswer);
  return [...observation.answers];
}

/**
 * Answers from the snapshot only. A name absent from the snapshot throws ENOTFOUND; a name
 * recorded for other types but not this one throws ENODATA (the name exists, that type was not seen).
 */
export function replayResolver(snapshot: DnsSnapshot): ResolveFunction {
  return (name: string, rrtype: string): Promise<ResolverAnswer> =>
    Promise.resolve().then((): ResolverAnswer => {
      const wanted = normaliseName(name);
      const type = rrtype.toUpperCase();
      const sameName = snapshot.filter((o) => normaliseName(o.name) === wanted);
      // Last observation wins: a snapshot may hold a repeated (polled) question.
      const hit = [...sameName].reverse().find((o) => o.type === type);
      if (hit) return answerFromObservation(hit);
      if (sameName.length > 0 && sameName.some((o) => o.status !== 'nxdomain')) throw dnsError('ENODATA', wanted, type);
      throw dnsError('ENOTFOUND', wanted, type);
    });
}
