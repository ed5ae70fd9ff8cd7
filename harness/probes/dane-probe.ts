/**
 * DANE for the MX (DNS-14): the TLSA records at `_25._tcp.<mx host>` as the domain's DNS serves them
 * (in wire form: the system resolver cannot ask TLSA), in the shape zone files write them.
 */
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { queryWire } from '../clients/dns-wire-client.ts';
import type { ProbeContext } from './probe-context.ts';

export interface DaneProbe {
  tlsa(mxHost: string): Promise<{ records: string[]; error?: string }>;
}

/** TLSA answers of a message as `"<usage> <selector> <matching type> <hex>"`; throws on an error rcode. */
export function tlsaRecordsIn(message: Buffer): string[] {
  const packet = dnsPacket.decode(message) as unknown as { rcode: string; answers?: Array<{ type: string; data: Uint8Array }> };
  if (packet.rcode !== 'NOERROR' && packet.rcode !== 'NXDOMAIN') throw new Error(`the server answered ${packet.rcode}`);
  return (packet.answers ?? [])
    .filter((a) => a.type === 'TLSA')
    .map((a) => {
      const data = Buffer.from(a.data);
      return `${data[0]} ${data[1]} ${data[2]} ${data.subarray(3).toString('hex')}`;
    });
}

export function daneProbe(context: ProbeContext): DaneProbe {
  const { target } = context;
  return {
    async tlsa(mxHost) {
      try {
        const answer = await queryWire(target.dns.primary.server, { name: `_25._tcp.${mxHost}`, type: 'TLSA' }, target.timeouts.dnsMs);
        return { records: tlsaRecordsIn(answer) };
      } catch (error) {
        return { records: [], error: (error as Error).message };
      }
    },
  };
}
