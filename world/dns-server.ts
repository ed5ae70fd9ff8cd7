/**
 * An authoritative DNS server (dns2) answering from an in-memory record set, on UDP and TCP
 * at one address and port. It behaves like a real authoritative server as far as mail checks care:
 *
 * - aa set for every name inside a served zone; REFUSED (no aa) for a name outside every zone;
 * - NXDOMAIN + SOA in the authority section for a name with no records (and nothing below it);
 * - NOERROR with no answers (NODATA) + SOA for a name that exists with other types;
 * - CNAME chasing within the served data (the CNAME, then the target's records);
 * - TXT values longer than 255 bytes split into 255-byte character-strings;
 * - answers too big for UDP come back truncated (TC) so resolvers retry over TCP;
 * - zone transfers (AXFR, IXFR) REFUSED; responses (QR=1) ignored; malformed queries FORMERR or silence;
 * - pipelined queries on one TCP connection each answered (RFC 7766);
 * - DNSSEC when given the world's keys (world/dnssec/world-dnssec.ts): DNSKEY at every keyed apex (the root
 *   and the top-level zones above the world's zones too), DS from the parent, and, for a query with the
 *   DO bit, the RRSIG of every RRset in the answer and authority sections (RFC 4035 §3.1.1).
 *
 * It shares one process with the whole world, so no packet may stall it: every message is read by
 * dns-query-reader.ts in time linear in its length before an answer is built (dns2's own parser
 * trusts the header's counts), and a TCP connection gets a bounded number of answers per turn of
 * the event loop. dns2 only builds and serialises the answers.
 *
 * Zones served: the `zones` option, else the owners of the SOA records in the set,
 * else (no SOA at all) the parent of every record name.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import dns2 from 'dns2';
import { isInZone, normalizeName, type DnsRecord } from '../core/artifacts/zone-file.ts';
import { readQuery, type WireQuery } from './dns-query-reader.ts';
import { DnsTcpFrames } from './dns-tcp-frames.ts';
import { TYPE as DNSSEC_TYPE, type WireRecord, type WorldDnssec } from './dnssec/world-dnssec.ts';

const { Packet } = dns2;
type Packet = dns2.Packet;
type Resource = dns2.Packet.Resource;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const TYPE_IXFR = 251;
const TYPE_AXFR = 252;
const TYPE_TLSA = 52;
const MAX_CNAME_CHAIN = 8;
const TXT_CHUNK = 255;
/** RFC 1035 §4.2.1: without EDNS a UDP answer holds 512 bytes. */
const UDP_PLAIN_LIMIT = 512;
const UDP_MAX_PAYLOAD = 65_507;
/** RFC 7766 §6.2.3: close idle TCP connections after a while. */
const TCP_IDLE_MS = 10_000;
const TCP_MAX_CONNECTIONS = 256;
/** Messages answered on one TCP connection before yielding to the rest of the process. */
const TCP_ANSWERS_PER_TURN = 16;
/** A client that pipelines without reading its answers is paused once this much is unsent. */
const TCP_MAX_UNSENT_BYTES = 256 * 1024;

export interface DnsServerOptions {
  /** address to bind, e.g. `127.0.0.53` */
  address: string;
  /** port for both UDP and TCP; default 53 (binding it needs root) */
  port?: number;
  records?: DnsRecord[];
  /** zones this server is authoritative for; default: the SOA owners in `records` */
  zones?: string[];
  /** called for every query answered (for logging) */
  onQuery?: (query: DnsQueryLog) => void;
  /** the world's DNSSEC keys: sign what is served (answers carry RRSIGs when the query sets DO) */
  dnssec?: WorldDnssec;
}

export interface DnsQueryLog {
  transport: 'udp' | 'tcp';
  name: string;
  type: string;
  rcode: number;
  answers: number;
}

export interface DnsEndpoint {
  address: string;
  port: number;
}

export class DnsServer {
  readonly address: string;
  readonly port: number;
  private records: DnsRecord[] = [];
  private explicitZones: string[] | undefined;
  private zones: string[] = [];
  private byName = new Map<string, DnsRecord[]>();
  private udp: UdpSocket | undefined;
  private tcp: TcpServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly onQuery: DnsServerOptions['onQuery'];
  private readonly dnssec: WorldDnssec | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: DnsServerOptions) {
    this.address = options.address;
    this.port = options.port ?? 53;
    this.onQuery = options.onQuery;
    this.dnssec = options.dnssec;
    this.setRecords(options.records ?? [], options.zones);
  }

  get endpoint(): DnsEndpoint {
    return { address: this.address, port: this.port };
  }

  /** the records being served (a copy) */
  getRecords(): DnsRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  getZones(): string[] {
    return [...this.zones];
  }

  /** Replaces the served data; takes effect for the next query. */
  setRecords(records: DnsRecord[], zones?: string[]): void {
    this.records = records.map((r) => ({ ...r, name: normalizeName(r.name) }));
    if (zones !== undefined) this.explicitZones = zones.map(normalizeName);
    this.byName = new Map();
    for (const record of this.records) {
      const list = this.byName.get(record.name) ?? [];
      list.push(record);
      this.byName.set(record.name, list);
    }
    this.zones = this.explicitZones ?? deriveZones(this.records);
  }

  async start(): Promise<DnsEndpoint> {
    if (this.udp || this.tcp) throw new Error(`DNS server on ${this.address}:${this.port} already started`);
    const udp = createSocket({ type: 'udp4' });
    udp.on('message', (message, peer) => this.onDatagram(udp, message, peer));
    const tcp = createServer({ allowHalfOpen: true }, (socket) => this.onConnection(socket));
    tcp.maxConnections = TCP_MAX_CONNECTIONS;
    this.udp = udp;
    this.tcp = tcp;
    try {
      await bindUdp(udp, this.port, this.address);
      await bindTcp(tcp, this.port, this.address);
    } catch (error) {
      await this.stop();
      throw describeBindError(error, this.address, this.port);
    }
    // Errors after binding (e.g. ICMP unreachable on send) must not crash the process.
    udp.on('error', () => undefined);
    tcp.on('error', () => undefined);
    return this.endpoint;
  }

  /** Closes both sockets (and open TCP connections). Safe to call more than once. */
  stop(): Promise<void> {
    if (!this.udp && !this.tcp) return this.stopping ?? Promise.resolve();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    this.stopping = (async () => {
      const closing: Promise<unknown>[] = [];
      if (udp) {
        closing.push(
          new Promise<void>((resolve) => {
            try {
              udp.close(() => resolve());
            } catch {
              resolve(); // never bound
            }
          }),
        );
      }
      if (tcp) {
        for (const socket of this.sockets) socket.destroy();
        this.sockets.clear();
        closing.push(new Promise<void>((resolve) => (tcp.listening ? tcp.close(() => resolve()) : resolve())));
      }
      await Promise.all(closing);
    })();
    return this.stopping;
  }

  /** Answers one query from the in-memory data (exposed for tests; the servers call it). `dnssecOk`: the query's DO bit. */
  answer(request: Packet, options: { dnssecOk?: boolean } = {}): Packet {
    const response = this.answerData(request);
    if (options.dnssecOk && this.dnssec) this.sign(response);
    return response;
  }

  /** Adds the RRSIG of every RRset in the answer and authority sections (RFC 4035 §3.1.1). */
  private sign(response: Packet): void {
    const dnssec = this.dnssec!;
    for (const section of [response.answers, response.authorities]) {
      const sets = new Map<string, { name: string; type: number; ttl: number; rdatas: Buffer[] }>();
      for (const resource of section) {
        if (resource.type === DNSSEC_TYPE.RRSIG) continue;
        const key = `${resource.name.toLowerCase()}|${resource.type}`;
        const set = sets.get(key) ?? { name: resource.name, type: resource.type, ttl: resource.ttl, rdatas: [] };
        set.rdatas.push(rdataOf(resource));
        sets.set(key, set);
      }
      for (const set of sets.values()) {
        const rrsig = dnssec.rrsig(set);
        if (rrsig) section.push(wireResource(rrsig));
      }
    }
  }

  private answerData(request: Packet): Packet {
    const response = Packet.createResponseFromRequest(request);
    response.header.ra = 0;
    const opt = request.additionals?.find((r) => r && r.type === Packet.TYPE.EDNS);
    if (opt) response.additionals.push(Packet.Resource.EDNS([]));

    const question = request.questions[0];
    if (request.header.opcode !== 0) {
      response.header.rcode = RCODE.NOTIMP;
      return response;
    }
    if (!question || request.questions.length !== 1) {
      response.header.rcode = RCODE.FORMERR;
      return response;
    }
    if (question.class !== Packet.CLASS.IN && question.class !== Packet.CLASS.ANY) {
      response.header.rcode = RCODE.REFUSED;
      return response;
    }
    // No secondary of ours transfers zones; real servers refuse strangers the same way.
    if (question.type === TYPE_AXFR || question.type === TYPE_IXFR) {
      response.header.rcode = RCODE.REFUSED;
      return response;
    }

    const qname = normalizeName(question.name);
    const keys = this.keyRecords(qname, question.type);
    if (keys) {
      response.header.aa = 1;
      for (const record of keys) response.answers.push(wireResource({ ...record, name: question.name.replace(/\.$/, '') }));
      return response;
    }
    const zone = this.zoneFor(qname);
    if (zone === undefined) {
      response.header.rcode = RCODE.REFUSED;
      return response;
    }
    response.header.aa = 1;

    const qtype = question.type;
    let name = qname;
    let ownerSpelling = question.name.replace(/\.$/, '');
    const seen = new Set<string>();
    for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
      seen.add(name);
      const here = this.byName.get(name) ?? [];
      const matching = here.filter((r) => qtype === Packet.TYPE.ANY || typeNumber(r.type) === qtype);
      if (matching.length > 0) {
        for (const record of matching) response.answers.push(toResource(record, ownerSpelling));
        return response;
      }
      const cname = here.find((r) => r.type === 'CNAME');
      if (cname && qtype !== Packet.TYPE.CNAME) {
        response.answers.push(toResource(cname, ownerSpelling));
        const target = cname.data;
        // Follow only inside the served data; a resolver continues elsewhere.
        if (seen.has(target) || this.zoneFor(target) === undefined) return response;
        name = target;
        ownerSpelling = target;
        continue;
      }
      const targetZone = this.zoneFor(name) ?? zone;
      const exists = here.length > 0 || this.hasDescendant(name) || name === targetZone;
      if (!exists) response.header.rcode = RCODE.NXDOMAIN;
      const soa = this.byName.get(targetZone)?.find((r) => r.type === 'SOA');
      if (soa) response.authorities.push(toResource(soa, soa.name, negativeTtl(soa)));
      return response;
    }
    response.header.rcode = RCODE.SERVFAIL; // CNAME chain too long
    return response;
  }

  private onDatagram(udp: UdpSocket, message: Buffer, peer: RemoteInfo): void {
    const reply = this.reply(message, 'udp');
    if (reply) udp.send(reply, peer.port, peer.address, () => undefined);
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // Idle: close our side; still idle a period later (a peer that never closes its side), drop it.
    socket.setTimeout(TCP_IDLE_MS, () => (socket.writableEnded ? socket.destroy() : socket.end()));
    const frames = new DnsTcpFrames();
    let peerEnded = false;
    let scheduled = false;
    // Answers at most TCP_ANSWERS_PER_TURN messages, then yields: a client that pipelines thousands
    // of queries in one write shares the thread with everyone else instead of holding it.
    const work = (): void => {
      scheduled = false;
      if (socket.destroyed) return;
      for (let answered = 0; answered < TCP_ANSWERS_PER_TURN; answered++) {
        const message = frames.next();
        if (message === undefined) {
          if (peerEnded) socket.end();
          else socket.resume();
          return;
        }
        const reply = this.reply(message, 'tcp');
        if (reply) socket.write(lengthPrefixed(reply));
      }
      socket.pause();
      if (socket.writableLength > TCP_MAX_UNSENT_BYTES) socket.once('drain', schedule);
      else schedule();
    };
    const schedule = (): void => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(work);
    };
    socket.on('data', (chunk: Buffer) => {
      frames.push(chunk);
      schedule();
    });
    socket.on('end', () => {
      peerEnded = true;
      schedule();
    });
  }

  /** The bytes to send back for one received message, or undefined to stay silent. */
  private reply(message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const reading = readQuery(message);
    if (reading.kind === 'ignore') return undefined;
    if (reading.kind === 'reject') return reading.reply;
    const { query } = reading;
    const request = requestPacket(query);
    let response: Packet;
    try {
      response = this.answer(request, { dnssecOk: query.edns?.dnssecOk ?? false });
    } catch {
      response = Packet.createResponseFromRequest(request);
      response.header.rcode = RCODE.SERVFAIL;
    }
    this.onQuery?.({
      transport,
      name: query.name,
      type: typeName(query.type),
      rcode: response.header.rcode,
      answers: response.answers.length,
    });
    if (transport === 'tcp') return response.toBuffer();
    const limit = query.edns ? Math.min(Math.max(query.edns.payloadSize, UDP_PLAIN_LIMIT), UDP_MAX_PAYLOAD) : UDP_PLAIN_LIMIT;
    return fitUdp(response, limit);
  }

  /** DNSKEY at a keyed apex, DS from the parent's side of a cut: also for the root and top-level zones no record set names. */
  private keyRecords(qname: string, qtype: number): WireRecord[] | undefined {
    if (!this.dnssec) return undefined;
    if (qtype === DNSSEC_TYPE.DNSKEY) return this.dnssec.dnskeys(qname);
    if (qtype === DNSSEC_TYPE.DS) return this.dnssec.ds(qname);
    return undefined;
  }

  private zoneFor(name: string): string | undefined {
    let best: string | undefined;
    for (const zone of this.zones) {
      if (isInZone(name, zone) && (best === undefined || zone.length > best.length)) best = zone;
    }
    return best;
  }

  private hasDescendant(name: string): boolean {
    const suffix = `.${name}`;
    for (const key of this.byName.keys()) if (key.endsWith(suffix)) return true;
    return false;
  }
}

/** Creates and starts a server. */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const server = new DnsServer(options);
  await server.start();
  return server;
}

/** The query as a dns2 packet, the shape answer() takes. */
function requestPacket(query: WireQuery): Packet {
  const request = new Packet();
  request.header = new Packet.Header({ id: query.id, opcode: 0, rd: query.rd as 0 | 1, qdcount: 1 });
  request.questions = [{ name: query.name, type: query.type, class: query.class } as Packet['questions'][number]];
  if (query.edns) {
    // dns2's typings omit the options argument it reads at runtime.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- dns2's EDNS is a plain factory that never reads `this`
    const edns = Packet.Resource.EDNS as unknown as (rdata: unknown[], options: { udpPayloadSize: number }) => Resource;
    request.additionals = [edns([], { udpPayloadSize: query.edns.payloadSize })];
  }
  return request;
}

/**
 * The answer in at most `limit` bytes (RFC 1035 §4.2.1): when it does not fit, TC set and only the
 * question (and the OPT record, RFC 6891 §7) kept, so the resolver retries over TCP.
 */
function fitUdp(response: Packet, limit: number): Buffer {
  const whole = response.toBuffer();
  if (whole.length <= limit) return whole;
  const truncated = new Packet();
  truncated.header = new Packet.Header({ ...response.header, tc: 1 });
  truncated.questions = response.questions.slice();
  truncated.additionals = response.additionals.filter((r) => r.type === Packet.TYPE.EDNS);
  return truncated.toBuffer().subarray(0, limit);
}

/** The RDATA of one resource as dns2 writes it alone (no compression): what an RRSIG covers. */
function rdataOf(resource: Resource): Buffer {
  const encoded = Packet.Resource.encode(resource);
  let offset = 0;
  while (encoded[offset] !== 0) offset += encoded[offset]! + 1;
  return encoded.subarray(offset + 1 + 10);
}

/** A record already in wire form (DNSSEC, TLSA): dns2 writes `data` as the raw RDATA of a type it has no encoder for. */
function wireResource(record: WireRecord): Resource {
  const base = { name: record.name, type: record.type, class: Packet.CLASS.IN, ttl: record.ttl };
  if (record.type === DNSSEC_TYPE.DNSKEY) {
    // dns2 has a DNSKEY encoder: it takes the fields.
    return {
      ...base,
      flags: record.rdata.readUInt16BE(0),
      protocol: record.rdata[2],
      algorithm: record.rdata[3],
      key: record.rdata.subarray(4).toString('base64'),
    } as unknown as Resource;
  }
  return { ...base, data: record.rdata } as unknown as Resource;
}

/** TLSA RDATA (RFC 6698 §2.1) from `"<usage> <selector> <matching type> <hex>"`. */
export function tlsaRdata(data: string): Buffer {
  const [usage, selector, matching, hex = ''] = data.split(/\s+/);
  return Buffer.concat([Buffer.from([Number(usage), Number(selector), Number(matching)]), Buffer.from(hex, 'hex')]);
}

function lengthPrefixed(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** Splits a TXT value into ≤ 255-byte character-strings (bytes of its UTF-8 form). */
export function txtChunks(value: string): Buffer[] {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length === 0) return [bytes];
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += TXT_CHUNK) chunks.push(bytes.subarray(i, i + TXT_CHUNK));
  return chunks;
}

function toResource(record: DnsRecord, owner: string, ttl = record.ttl): Resource {
  const base = { name: owner, type: typeNumber(record.type), class: Packet.CLASS.IN, ttl };
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { ...base, address: record.data } as Resource;
    case 'MX': {
      const [priority, exchange] = record.data.split(/\s+/);
      return { ...base, priority: Number(priority), exchange } as Resource;
    }
    case 'CNAME':
    case 'PTR':
      return { ...base, domain: record.data } as Resource;
    case 'NS':
      return { ...base, ns: record.data } as Resource;
    case 'TXT':
      return { ...base, data: txtChunks(record.data) } as unknown as Resource;
    case 'TLSA':
      return { ...base, type: TYPE_TLSA, data: tlsaRdata(record.data) } as unknown as Resource;
    case 'CAA': {
      const m = /^(\d+)\s+(\S+)\s+"?(.*?)"?$/.exec(record.data);
      return { ...base, flags: Number(m?.[1] ?? 0), tag: m?.[2] ?? 'issue', value: m?.[3] ?? '' } as Resource;
    }
    case 'SOA': {
      const [primary, admin, serial, refresh, retry, expiration, minimum] = record.data.split(/\s+/);
      return {
        ...base,
        primary,
        admin,
        serial: Number(serial),
        refresh: Number(refresh),
        retry: Number(retry),
        expiration: Number(expiration),
        minimum: Number(minimum),
      } as Resource;
    }
  }
}

/** The wire type of a record type: dns2's table, and TLSA which it lacks. */
function typeNumber(type: DnsRecord['type']): number {
  return type === 'TLSA' ? TYPE_TLSA : Packet.TYPE[type];
}

/** RFC 2308: negative answers are cached for min(SOA TTL, SOA minimum). */
function negativeTtl(soa: DnsRecord): number {
  const minimum = Number(soa.data.split(/\s+/)[6]);
  return Number.isFinite(minimum) ? Math.min(soa.ttl, minimum) : soa.ttl;
}

function deriveZones(records: DnsRecord[]): string[] {
  const soa = records.filter((r) => r.type === 'SOA').map((r) => r.name);
  if (soa.length > 0) return [...new Set(soa)];
  const zones = new Set<string>();
  for (const r of records) {
    const labels = r.name.split('.');
    zones.add(labels.length > 2 ? labels.slice(1).join('.') : r.name);
  }
  // drop zones that lie inside another derived zone
  return [...zones].filter((z) => ![...zones].some((other) => other !== z && isInZone(z, other)));
}

const EXTRA_TYPE_NAMES: Record<number, string> = {
  [TYPE_TLSA]: 'TLSA',
  [DNSSEC_TYPE.DS]: 'DS',
  [DNSSEC_TYPE.RRSIG]: 'RRSIG',
  [DNSSEC_TYPE.DNSKEY]: 'DNSKEY',
};

function typeName(type: number): string {
  if (EXTRA_TYPE_NAMES[type]) return EXTRA_TYPE_NAMES[type];
  for (const [name, value] of Object.entries(Packet.TYPE)) if (value === type) return name;
  return String(type);
}

function bindUdp(udp: UdpSocket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    udp.once('error', onError);
    udp.bind(port, address, () => {
      udp.removeListener('error', onError);
      resolve();
    });
  });
}

async function bindTcp(tcp: TcpServer, port: number, address: string): Promise<void> {
  const listening = once(tcp, 'listening');
  tcp.listen(port, address);
  await listening; // rejects on 'error'
}

function describeBindError(error: unknown, address: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES')
    return new Error(`cannot bind DNS on ${address}:${port}: permission denied (port ${port} < 1024 needs root; choose another port)`, {
      cause: error,
    });
  if (code === 'EADDRINUSE')
    return new Error(`cannot bind DNS on ${address}:${port}: address in use (another world or DNS server running?)`, { cause: error });
  if (code === 'EADDRNOTAVAIL')
    return new Error(`cannot bind DNS on ${address}:${port}: address not available on this machine`, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
