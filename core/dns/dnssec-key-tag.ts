/** RFC 4034 Appendix B: the key tag of a DNSKEY RDATA (flags, protocol, algorithm, public key). */
export function keyTagOf(dnskey: Buffer): number {
  let sum = 0;
  for (let i = 0; i < dnskey.length; i++) sum += i & 1 ? dnskey[i]! : dnskey[i]! << 8;
  sum += (sum >> 16) & 0xffff;
  return sum & 0xffff;
}
