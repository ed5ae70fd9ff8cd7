import { describe, expect, it } from 'vitest';
import { DnsTcpFrames } from './dns-tcp-frames.ts';

const frame = (body: Buffer): Buffer => Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);

function drain(frames: DnsTcpFrames): Buffer[] {
  const out: Buffer[] = [];
  for (let message = frames.next(); message !== undefined; message = frames.next()) out.push(message);
  return out;
}

describe('DnsTcpFrames', () => {
  const messages = [Buffer.from('first query'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from('last')];
  const stream = Buffer.concat(messages.map(frame));

  it('splits several messages that arrive in one chunk (pipelining)', () => {
    const frames = new DnsTcpFrames();
    frames.push(stream);
    expect(drain(frames)).toEqual(messages);
    expect(frames.pending).toBe(0);
  });

  it('reassembles messages that arrive one byte at a time', () => {
    const frames = new DnsTcpFrames();
    const out: Buffer[] = [];
    for (const byte of stream) {
      frames.push(Buffer.from([byte]));
      out.push(...drain(frames));
    }
    expect(out).toEqual(messages);
  });

  it('waits for the rest of a message that is cut short', () => {
    const frames = new DnsTcpFrames();
    frames.push(frame(Buffer.alloc(65_535)).subarray(0, 1000));
    expect(frames.next()).toBeUndefined();
    expect(frames.pending).toBe(1000);
  });
});
