/**
 * Splits a DNS-over-TCP byte stream into its messages (RFC 1035 §4.2.2: each one prefixed by a
 * two-byte length), however the stream is chunked: one byte at a time, or many queries in one write.
 * Chunks are kept as a list and each byte is copied once, so a client trickling single bytes
 * cannot make the server re-copy a growing buffer.
 */
export class DnsTcpFrames {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** bytes received but not yet returned as a message */
  get pending(): number {
    return this.buffered;
  }

  /** The next complete message, or undefined until its last byte has arrived. */
  next(): Buffer | undefined {
    if (this.buffered < 2) return undefined;
    const length = this.peekLength();
    if (this.buffered < 2 + length) return undefined;
    this.take(2);
    return this.take(length);
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 2) return first.readUInt16BE(0);
    return (first[0]! << 8) | this.chunks[1]![0]!;
  }

  private take(count: number): Buffer {
    this.buffered -= count;
    const first = this.chunks[0];
    if (first && first.length >= count) {
      this.chunks[0] = first.subarray(count);
      if (this.chunks[0].length === 0) this.chunks.shift();
      return first.subarray(0, count);
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.length, count - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
