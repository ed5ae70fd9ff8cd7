import dns2 from 'dns2';
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_BYTES, RCODE_FORMERR, RCODE_NOTIMP, readName, readQuery } from './dns-query-reader.ts';

const { Packet } = dns2;

function query(name = 'mail.example.test', type: number = Packet.TYPE.A, edns = false): Buffer {
  const packet = new Packet();
  packet.header.id = 0x1234;
  packet.header.rd = 1;
  packet.questions.push({ name, type, class: Packet.CLASS.IN } as (typeof packet.questions)[number]);
  if (edns) packet.additionals.push(Packet.Resource.EDNS([]));
  return packet.toBuffer();
}

function withHeader(message: Buffer, edit: (copy: Buffer) => void): Buffer {
  const copy = Buffer.from(message);
  edit(copy);
  return copy;
}

/** header claiming `counts` (qd, an, ns, ar) followed by `body` */
function raw(counts: [number, number, number, number], body: number[] = [], flags = 0x0100): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0xbeef, 0);
  header.writeUInt16BE(flags, 2);
  counts.forEach((count, i) => header.writeUInt16BE(count, 4 + 2 * i));
  return Buffer.concat([header, Buffer.from(body)]);
}

const label = (text: string): number[] => [text.length, ...Buffer.from(text)];
const QUESTION_TAIL = [0, 1, 0, 1]; // type A, class IN
// root owner, type OPT, payload 4096, ttl 0, no options
const OPT = [0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0];

describe('readQuery', () => {
  it('reads a plain query and one with EDNS', () => {
    expect(readQuery(query())).toEqual({ kind: 'query', query: { id: 0x1234, rd: 1, name: 'mail.example.test', type: 1, class: 1 } });
    const reading = readQuery(query('example.test', Packet.TYPE.TXT, true));
    expect(reading).toMatchObject({ kind: 'query', query: { name: 'example.test', type: 16, edns: { payloadSize: 4096, version: 0 } } });
  });

  // Each row is a message seen in the fuzzing or named in issue 10, and what the server must do with it.
  const rows: Array<[string, Buffer, 'ignore' | number]> = [
    ['empty datagram', Buffer.alloc(0), 'ignore'],
    ['11 bytes', Buffer.alloc(11), 'ignore'],
    ['a response (QR=1)', withHeader(query(), (b) => (b[2]! |= 0x80)), 'ignore'],
    ['65,535 records of each kind in 12 bytes', raw([65535, 65535, 65535, 65535]), RCODE_FORMERR],
    ['no question', raw([0, 0, 0, 0]), RCODE_FORMERR],
    ['two questions', raw([2, 0, 0, 0], [...label('a'), 0, ...QUESTION_TAIL, ...label('b'), 0, ...QUESTION_TAIL]), RCODE_FORMERR],
    ['answers in a query', raw([1, 1, 0, 0], [...label('a'), 0, ...QUESTION_TAIL]), RCODE_FORMERR],
    ['three additionals', raw([1, 0, 0, 3], [...label('a'), 0, ...QUESTION_TAIL]), RCODE_FORMERR],
    ['additional count the bytes cannot hold', raw([1, 0, 0, 2], [...label('a'), 0, ...QUESTION_TAIL]), RCODE_FORMERR],
    ['opcode NOTIFY', raw([1, 0, 0, 0], [...label('a'), 0, ...QUESTION_TAIL], 0x2000), RCODE_NOTIMP],
    ['name cut inside a label', raw([1, 0, 0, 0], [5, 0x61, 0x62]), RCODE_FORMERR],
    ['name without its root label', raw([1, 0, 0, 0], label('abc')), RCODE_FORMERR],
    ['question without type and class', raw([1, 0, 0, 0], [...label('a'), 0, 0, 1]), RCODE_FORMERR],
    ['pointer to itself', raw([1, 0, 0, 0], [0xc0, 12, ...QUESTION_TAIL]), RCODE_FORMERR],
    ['pointer forward', raw([1, 0, 0, 0], [0xc0, 14, ...label('a'), 0, ...QUESTION_TAIL]), RCODE_FORMERR],
    ['pointer into the header', raw([1, 0, 0, 0], [0xc0, 2, ...QUESTION_TAIL]), RCODE_FORMERR],
    ['pointer cut short', raw([1, 0, 0, 0], [0xc0]), RCODE_FORMERR],
    ['reserved label type 0x40', raw([1, 0, 0, 0], [0x41, 0x61, 0, ...QUESTION_TAIL]), RCODE_FORMERR],
    [
      'name over 255 octets',
      raw([1, 0, 0, 0], [...Array.from({ length: 5 }, () => label('x'.repeat(63))).flat(), 0, ...QUESTION_TAIL]),
      RCODE_FORMERR,
    ],
    ['trailing bytes', Buffer.concat([query(), Buffer.from([0, 0])]), RCODE_FORMERR],
    ['OPT rdlength past the end', withHeader(query('a.test', 1, true), (b) => b.writeUInt16BE(200, b.length - 2)), RCODE_FORMERR],
    ['two OPT records', raw([1, 0, 0, 2], [...label('a'), 0, ...QUESTION_TAIL, ...OPT, ...OPT]), RCODE_FORMERR],
    [
      'OPT option longer than its rdata',
      raw([1, 0, 0, 1], [...label('a'), 0, ...QUESTION_TAIL, 0, 0, 41, 16, 0, 0, 0, 0, 0, 4, 0, 10, 0, 9]),
      RCODE_FORMERR,
    ],
    ['more than a query needs', Buffer.concat([query(), Buffer.alloc(MAX_QUERY_BYTES)]), RCODE_FORMERR],
  ];

  it.each(rows)('%s', (_what, message, expected) => {
    const reading = readQuery(message);
    if (expected === 'ignore') {
      expect(reading.kind).toBe('ignore');
      return;
    }
    expect(reading.kind).toBe('reject');
    if (reading.kind !== 'reject') return;
    // header only: the query's id, QR set, the rcode, no records
    expect(reading.reply).toHaveLength(12);
    expect(reading.reply.readUInt16BE(0)).toBe(message.readUInt16BE(0));
    expect(reading.reply[2]! & 0x80).toBe(0x80);
    expect(reading.reply[3]! & 0x0f).toBe(expected);
    expect(reading.reply.subarray(4).every((byte) => byte === 0)).toBe(true);
  });

  it('follows a backward pointer in an additional record', () => {
    // question "a", then an OPT-less additional record owned by a pointer to the question name
    const message = raw([1, 0, 0, 1], [...label('a'), 0, ...QUESTION_TAIL, 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    expect(readQuery(message)).toMatchObject({ kind: 'query', query: { name: 'a' } });
  });
});

describe('readName', () => {
  it('ends on pointers that chase each other backwards and forwards', () => {
    // offset 12: pointer to 14; offset 14: pointer to 12 — a loop dns2 would only catch by remembering targets
    const message = raw([1, 0, 0, 0], [0xc0, 14, 0xc0, 12]);
    expect(readName(message, 14)).toMatch(/does not point backwards/);
    expect(readName(message, 12)).toMatch(/does not point backwards/);
  });

  it('decodes a compressed name to its full spelling', () => {
    const message = raw([1, 0, 0, 0], [...label('mail'), ...label('test'), 0, ...label('www'), 0xc0, 17]);
    expect(readName(message, 23)).toEqual({ name: 'www.test', next: 29 });
  });
});
