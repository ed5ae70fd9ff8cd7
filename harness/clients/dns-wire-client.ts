/**
 * DNS in wire form, for DNSSEC: one question with the DO bit (RRSIGs wanted) and CD (the resolver hands
 * over even data it finds bogus — the suite validates itself, so it can say why). UDP with a 4096-byte
 * EDNS buffer; a truncated answer is asked again over TCP. Every step has a deadline; errors are thrown
 * as one sentence naming the server and the question.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomInt } from 'node:crypto';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { parseServer } from '../../core/dns/resolver.ts';

const UDP_PAYLOAD = 4096;
const FLAG_TC = 1 << 9;

export interface WireQuestion {
  /** absolute or relative, with or without the trailing dot */
  name: string;
  /** a type name dns-packet knows: MX, TXT, DS, DNSKEY, TLSA, … */
  type: string;
}

/** The query message: RD, CD, and an OPT record with DO. */
export function wireQuery(question: WireQuestion, id = randomInt(0, 0xffff)): Buffer {
  return Buffer.from(
    dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED,
      questions: [{ name: question.name.replace(/\.$/, ''), type: question.type, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: UDP_PAYLOAD, flags: dnsPacket.DNSSEC_OK } as never],
    }),
  );
}

/** Host and port of "addr", "addr:port", "[v6]:port". */
function endpoint(server: string): { host: string; port: number; label: string } {
  const { label } = parseServer(server);
  const m = /^\[?(.+?)\]?:(\d+)$/.exec(label)!;
  return { host: m[1]!, port: Number(m[2]), label };
}

function udp(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error, answer?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(answer!);
    };
    socket.on('error', (error) => finish(error));
    socket.on('message', (message) => {
      if (message.length >= 2 && message.readUInt16BE(0) === query.readUInt16BE(0)) finish(undefined, message);
    });
    socket.send(query, port, host);
  });
}

function tcp(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no answer over TCP within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error, answer?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0))
        finish(undefined, received.subarray(2, 2 + received.readUInt16BE(0)));
    });
    socket.on('end', () => finish(new Error('the server closed the TCP connection before answering')));
  });
}

/** Asks `server` one question; the answer message in wire form. */
export async function queryWire(server: string, question: WireQuestion, timeoutMs: number): Promise<Buffer> {
  const { host, port, label } = endpoint(server);
  const query = wireQuery(question);
  try {
    const answer = await udp(host, port, query, timeoutMs);
    return answer.readUInt16BE(2) & FLAG_TC ? await tcp(host, port, query, timeoutMs) : answer;
  } catch (error) {
    throw new Error(`${question.type} ${question.name.replace(/\.$/, '')} from DNS server ${label}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
