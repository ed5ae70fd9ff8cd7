/**
 * Reads one DNS query off the wire in time linear in its length, before anything else looks at it.
 *
 * dns2's parser trusts the header's counts: it loops `qdcount + ancount + nscount + arcount` times,
 * catching one exception per missing record, so one 12-byte header that claims 65,535 records of each
 * kind costs seconds of the world's only thread. This reader walks the bytes once instead, with
 * BIND's rules for what a query may hold, and says what to do with the message:
 *
 * - `ignore`: too short to carry a header, or a response (QR=1) — answering responses invites loops;
 * - `reject`: a header-only reply (FORMERR, or NOTIMP for an opcode other than QUERY);
 * - `query`: one well-formed question, plus the EDNS settings the answer must honour.
 */

export const RCODE_FORMERR = 1;
export const RCODE_NOTIMP = 4;
const HEADER_BYTES = 12;
/** Far above any real query (a padded EDNS query with a cookie and TSIG stays under 1 KB). */
export const MAX_QUERY_BYTES = 4096;
const MAX_NAME_OCTETS = 255;
const MAX_LABEL_OCTETS = 63;
const TYPE_OPT = 41;
/** A query carries one question and, as additional records, at most an OPT and a TSIG/SIG(0). */
const MAX_ADDITIONALS = 2;

export interface WireQuery {
  id: number;
  rd: number;
  name: string;
  type: number;
  class: number;
  /** present when the query carried an OPT record (RFC 6891) */
  edns?: { payloadSize: number; version: number; dnssecOk: boolean };
}

export type QueryReading =
  { kind: 'query'; query: WireQuery } | { kind: 'reject'; reply: Buffer; reason: string } | { kind: 'ignore'; reason: string };

export function readQuery(message: Buffer): QueryReading {
  if (message.length < HEADER_BYTES) return { kind: 'ignore', reason: `${message.length} bytes cannot hold a DNS header` };
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  if (flags & 0x8000) return { kind: 'ignore', reason: 'a response (QR=1), not a query' };
  const opcode = (flags >> 11) & 0xf;
  const rd = (flags >> 8) & 1;
  const reject = (rcode: number, reason: string): QueryReading => ({
    kind: 'reject',
    reply: headerOnlyReply(id, opcode, rd, rcode),
    reason,
  });
  if (message.length > MAX_QUERY_BYTES)
    return reject(RCODE_FORMERR, `${message.length} bytes is more than a query needs (${MAX_QUERY_BYTES})`);
  if (opcode !== 0) return reject(RCODE_NOTIMP, `opcode ${opcode} is not QUERY`);
  const [qdcount, ancount, nscount, arcount] = [
    message.readUInt16BE(4),
    message.readUInt16BE(6),
    message.readUInt16BE(8),
    message.readUInt16BE(10),
  ];
  if (qdcount !== 1) return reject(RCODE_FORMERR, `qdcount ${qdcount}, a query asks exactly one question`);
  if (ancount !== 0 || nscount !== 0)
    return reject(RCODE_FORMERR, `a query carries no answer or authority records (an ${ancount}, ns ${nscount})`);
  if (arcount > MAX_ADDITIONALS) return reject(RCODE_FORMERR, `arcount ${arcount}, more than a query carries`);

  const question = readName(message, HEADER_BYTES);
  if (typeof question === 'string') return reject(RCODE_FORMERR, `question name: ${question}`);
  let offset = question.next;
  if (offset + 4 > message.length) return reject(RCODE_FORMERR, 'question ends before its type and class');
  const query: WireQuery = { id, rd, name: question.name, type: message.readUInt16BE(offset), class: message.readUInt16BE(offset + 2) };
  offset += 4;

  for (let i = 0; i < arcount; i++) {
    const owner = readName(message, offset);
    if (typeof owner === 'string') return reject(RCODE_FORMERR, `additional record ${i + 1}: ${owner}`);
    offset = owner.next;
    if (offset + 10 > message.length) return reject(RCODE_FORMERR, `additional record ${i + 1} ends inside its fixed fields`);
    const type = message.readUInt16BE(offset);
    const rrClass = message.readUInt16BE(offset + 2);
    const ttl = message.readUInt32BE(offset + 4);
    const rdlength = message.readUInt16BE(offset + 8);
    const rdata = offset + 10;
    offset = rdata + rdlength;
    if (offset > message.length) return reject(RCODE_FORMERR, `additional record ${i + 1}: rdlength ${rdlength} runs past the message`);
    if (type !== TYPE_OPT) continue;
    // RFC 6891 §6.1.1: one OPT, owned by the root, its options exactly filling the rdata.
    if (query.edns) return reject(RCODE_FORMERR, 'more than one OPT record');
    if (owner.name !== '') return reject(RCODE_FORMERR, 'OPT record not owned by the root');
    if (!optionsFit(message, rdata, rdlength)) return reject(RCODE_FORMERR, 'OPT options do not fill its rdata');
    query.edns = { payloadSize: rrClass, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0 };
  }
  if (offset !== message.length) return reject(RCODE_FORMERR, `${message.length - offset} bytes after the last record`);
  return { kind: 'query', query };
}

/** A reply with only a header: same id, opcode and RD as the query, QR set, no records. */
export function headerOnlyReply(id: number, opcode: number, rd: number, rcode: number): Buffer {
  const reply = Buffer.alloc(HEADER_BYTES);
  reply.writeUInt16BE(id, 0);
  reply.writeUInt16BE(0x8000 | ((opcode & 0xf) << 11) | ((rd & 1) << 8) | (rcode & 0xf), 2);
  return reply;
}

/**
 * Reads a (possibly compressed) name at `start`: the name and the offset after it, or why it is malformed.
 * Like BIND, each compression pointer must point before every earlier one, so the walk always ends.
 */
export function readName(message: Buffer, start: number): { name: string; next: number } | string {
  const labels: string[] = [];
  let position = start;
  let next: number | undefined;
  let lowestPointer = start;
  let octets = 1; // the root label's length byte
  for (;;) {
    if (position >= message.length) return 'runs past the end of the message';
    const length = message[position]!;
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= message.length) return 'compression pointer cut short';
      const target = ((length & 0x3f) << 8) | message[position + 1]!;
      if (target >= lowestPointer) return `compression pointer to ${target} does not point backwards`;
      if (target < HEADER_BYTES) return `compression pointer to ${target} points into the header`;
      next ??= position + 2;
      lowestPointer = target;
      position = target;
      continue;
    }
    if (length & 0xc0) return `label type 0x${(length & 0xc0).toString(16)} is reserved`;
    if (length === 0) return { name: labels.join('.'), next: next ?? position + 1 };
    if (length > MAX_LABEL_OCTETS) return `label of ${length} octets`;
    octets += length + 1;
    if (octets > MAX_NAME_OCTETS) return `name longer than ${MAX_NAME_OCTETS} octets`;
    if (position + 1 + length > message.length) return 'label runs past the end of the message';
    labels.push(message.toString('latin1', position + 1, position + 1 + length));
    position += 1 + length;
  }
}

function optionsFit(message: Buffer, start: number, length: number): boolean {
  let offset = start;
  const end = start + length;
  while (offset < end) {
    if (offset + 4 > end) return false;
    offset += 4 + message.readUInt16BE(offset + 2);
  }
  return offset === end;
}
