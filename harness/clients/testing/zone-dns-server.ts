/**
 * A tiny authoritative DNS server (dns2, UDP + TCP on 127.0.0.1) serving a fixed zone, for tests of
 * the DNS client and of gatherers. Not the world's DNS server: just enough to exercise a real resolver.
 * Names missing from the zone answer NXDOMAIN; a name present without the asked type answers NOERROR/empty.
 */
import dgram from 'node:dgram';
import { createServer, Packet } from 'dns2';

export type ZoneRecord =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'TXT'; data: string[] }
  | { type: 'MX'; exchange: string; priority: number }
  | { type: 'PTR'; domain: string }
  | { type: 'CNAME'; domain: string };

export type Zone = Record<string, ZoneRecord[]>;

export interface ZoneServer {
  port: number;
  /** "127.0.0.1:<port>", ready for createDnsClient. */
  server: string;
  close(): Promise<void>;
}

/** Response codes (dns2's typings omit Packet.RCODE). */
const RCODE = { SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

const TYPE_NAMES: Record<number, ZoneRecord['type']> = {
  [Packet.TYPE.A]: 'A',
  [Packet.TYPE.AAAA]: 'AAAA',
  [Packet.TYPE.TXT]: 'TXT',
  [Packet.TYPE.MX]: 'MX',
  [Packet.TYPE.PTR]: 'PTR',
  [Packet.TYPE.CNAME]: 'CNAME',
};

/** Splits a TXT value into the 255-byte character-strings DNS needs. */
export function txtChunks(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255).toString('utf8'));
  return chunks.length ? chunks : [''];
}

/** dns2's listen() ignores port 0: bind a UDP socket to 0, read the port, free it. */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * Starts the server. Special names: `servfail.<anything>` answers SERVFAIL, `refused.<anything>` REFUSED.
 */
export async function startZoneServer(zone: Zone): Promise<ZoneServer> {
  const lowerZone: Zone = Object.fromEntries(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  const server = createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = (question?.name ?? '').toLowerCase();
      if (name.startsWith('servfail.')) response.header.rcode = RCODE.SERVFAIL;
      else if (name.startsWith('refused.')) response.header.rcode = RCODE.REFUSED;
      else {
        const records = lowerZone[name];
        if (!records) response.header.rcode = RCODE.NXDOMAIN;
        else {
          const wanted = TYPE_NAMES[question?.type ?? -1];
          for (const record of records.filter((r) => r.type === wanted)) {
            const { type, ...rdata } = record;
            const answer = { name: question?.name ?? name, type: Packet.TYPE[type], class: Packet.CLASS.IN, ttl: 60, ...rdata };
            response.answers.push(answer as unknown as (typeof response.answers)[number]);
          }
        }
      }
      // dns2 does not wait for the handler: the answer is sent on its own (a failure surfaces as unhandled).
      void send(response);
    },
  });
  const port = await freeUdpPort();
  await server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } });
  return {
    port,
    server: `127.0.0.1:${port}`,
    close: async () => {
      await server.close();
    },
  };
}
