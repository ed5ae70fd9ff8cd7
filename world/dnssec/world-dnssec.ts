/**
 * The world's DNSSEC: one ECDSA P-256 key (algorithm 13, a combined signing key, flags 257) for each
 * signed zone and for each parent above it up to the root, so a validator can walk a real chain of
 * trust — root DNSKEY (the world's trust anchor) → DS → DNSKEY → RRSIG — exactly as on the Internet.
 * Signatures are made on the fly for whatever the DNS server answers (RFC 4034 §3.1.8.1 canonical
 * form, RFC 6605 signatures) and cached, so records a fault or the world adds later are signed too.
 *
 * Faults: a zone's signatures expired (the signer stopped re-signing), a DS at the parent that matches
 * no DNSKEY of the child (a key rolled without updating the registrar), or the zone left unsigned.
 *
 * Not served: NSEC/NSEC3 — negative answers carry no authenticated denial (see the world's limitations).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { keyTagOf } from '../../core/dns/dnssec-key-tag.ts';

export { keyTagOf };

export const ALGORITHM_ECDSAP256SHA256 = 13;
export const DIGEST_SHA256 = 2;
export const TYPE = { DS: 43, RRSIG: 46, DNSKEY: 48 } as const;
/** Zone key with the Secure Entry Point bit: a combined key signing key (RFC 4034 §2.1.1). */
const FLAGS_CSK = 257;
const PROTOCOL = 3;
const CLASS_IN = 1;
const HOUR_S = 3600;
const DAY_S = 86_400;
const SIGNATURE_LIFETIME_S = 30 * DAY_S;
const CACHE_LIMIT = 20_000;

/** One record as it goes on the wire: its owner, type, TTL and RDATA (uncompressed). */
export interface WireRecord {
  name: string;
  type: number;
  ttl: number;
  rdata: Buffer;
}

export type ZoneFault = 'expired-signatures' | 'ds-mismatch' | 'unsigned';

interface ZoneKey {
  zone: string;
  privateKey: KeyObject;
  dnskey: Buffer;
  keyTag: number;
}

/** The DS of the world's root key: what a validator is configured to trust. */
export interface TrustAnchor {
  keyTag: number;
  algorithm: number;
  digestType: number;
  /** hex, upper-case */
  digest: string;
}

/** `a.b.c` → its zones from the root down: '', 'c', 'b.c', 'a.b.c' ('' is the root). */
export function zoneChain(zone: string): string[] {
  const labels = zone === '' ? [] : zone.split('.');
  const chain = [''];
  for (let i = labels.length - 1; i >= 0; i--) chain.push(labels.slice(i).join('.'));
  return chain;
}

/** The parent zone of a name ('' for a top-level name). */
export function parentOf(zone: string): string {
  const dot = zone.indexOf('.');
  return dot < 0 ? '' : zone.slice(dot + 1);
}

/** A name in canonical wire form (RFC 4034 §6.2): lower-case labels, no compression. */
export function nameWire(name: string): Buffer {
  const labels = name === '' || name === '.' ? [] : name.replace(/\.$/, '').toLowerCase().split('.');
  const parts = labels.map((label) => {
    const bytes = Buffer.from(label, 'latin1');
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** DNSKEY RDATA of a P-256 public key: flags, protocol 3, algorithm 13, the point's x‖y (RFC 6605 §4). */
export function dnskeyRdata(publicKey: KeyObject, flags = FLAGS_CSK): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const point = spki.subarray(spki.length - 64);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(flags, 0);
  head[2] = PROTOCOL;
  head[3] = ALGORITHM_ECDSAP256SHA256;
  return Buffer.concat([head, point]);
}

/** DS RDATA (RFC 4034 §5.1.4) with a SHA-256 digest of owner ‖ DNSKEY RDATA. */
export function dsRdata(owner: string, dnskey: Buffer): Buffer {
  const digest = createHash('sha256')
    .update(Buffer.concat([nameWire(owner), dnskey]))
    .digest();
  const head = Buffer.alloc(4);
  head.writeUInt16BE(keyTagOf(dnskey), 0);
  head[2] = ALGORITHM_ECDSAP256SHA256;
  head[3] = DIGEST_SHA256;
  return Buffer.concat([head, digest]);
}

function makeKey(zone: string): ZoneKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const dnskey = dnskeyRdata(publicKey);
  return { zone, privateKey, dnskey, keyTag: keyTagOf(dnskey) };
}

export interface SignatureWindow {
  inception: number;
  expiration: number;
}

/**
 * The RRSIG RDATA over one RRset (RFC 4034 §3.1.8.1): the RRSIG fields without the signature, then every
 * record in canonical form and order, signed with ECDSA P-256/SHA-256 as r‖s (RFC 6605 §4).
 */
export function rrsigRdata(
  rrset: { name: string; type: number; ttl: number; rdatas: Buffer[] },
  key: ZoneKey,
  window: SignatureWindow,
): Buffer {
  const owner = nameWire(rrset.name);
  const labels = rrset.name === '' ? 0 : rrset.name.split('.').length;
  const fields = Buffer.alloc(18);
  fields.writeUInt16BE(rrset.type, 0);
  fields[2] = ALGORITHM_ECDSAP256SHA256;
  fields[3] = labels;
  fields.writeUInt32BE(rrset.ttl >>> 0, 4);
  fields.writeUInt32BE(window.expiration >>> 0, 8);
  fields.writeUInt32BE(window.inception >>> 0, 12);
  fields.writeUInt16BE(key.keyTag, 16);
  const head = Buffer.concat([fields, nameWire(key.zone)]);
  const sorted = [...new Map(rrset.rdatas.map((r) => [r.toString('hex'), r])).values()].sort((a, b) => Buffer.compare(a, b));
  const records = sorted.map((rdata) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(rrset.type, 0);
    fixed.writeUInt16BE(CLASS_IN, 2);
    fixed.writeUInt32BE(rrset.ttl >>> 0, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    return Buffer.concat([owner, fixed, rdata]);
  });
  const signature = sign('sha256', Buffer.concat([head, ...records]), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return Buffer.concat([head, signature]);
}

export interface WorldDnssecOptions {
  /** The zones to sign; every parent up to the root gets a key too. */
  zones: string[];
  ttl?: number;
  /** Seconds since the epoch; default the clock (tests pin it). */
  now?: () => number;
}

export class WorldDnssec {
  private readonly keys = new Map<string, ZoneKey>();
  private readonly signed = new Set<string>();
  private readonly faults = new Map<string, ZoneFault>();
  /** A key that signs nothing: the "old" key a mismatching DS still names. */
  private readonly staleKeys = new Map<string, ZoneKey>();
  private readonly cache = new Map<string, Buffer>();
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(options: WorldDnssecOptions) {
    this.ttl = options.ttl ?? 300;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    for (const zone of options.zones.map((z) => z.toLowerCase().replace(/\.$/, ''))) {
      this.signed.add(zone);
      for (const link of zoneChain(zone)) if (!this.keys.has(link)) this.keys.set(link, makeKey(link));
    }
  }

  /** The DS a validator trusts for the root: `. IN DS <tag> 13 2 <hex>`. */
  trustAnchor(): TrustAnchor {
    const root = this.keys.get('')!;
    const ds = dsRdata('', root.dnskey);
    return {
      keyTag: root.keyTag,
      algorithm: ALGORITHM_ECDSAP256SHA256,
      digestType: DIGEST_SHA256,
      digest: ds.subarray(4).toString('hex').toUpperCase(),
    };
  }

  /** The zones the world signs (not counting the parents above them). */
  signedZones(): string[] {
    return [...this.signed];
  }

  /** Breaks (or, with undefined, mends) one zone the way operators break theirs. */
  setFault(zone: string, fault: ZoneFault | undefined): void {
    const name = zone.toLowerCase().replace(/\.$/, '');
    if (!this.keys.has(name)) throw new Error(`the world does not sign ${zone}`);
    if (fault) this.faults.set(name, fault);
    else this.faults.delete(name);
    this.cache.clear();
  }

  /** Whether a name is the apex of a zone that holds a key (signed, or a parent of a signed zone). */
  isKeyedZone(name: string): boolean {
    return this.keys.has(name) && this.faults.get(name) !== 'unsigned';
  }

  /** The zone whose key signs records owned by `name`: the longest keyed zone containing it. */
  signerFor(name: string, type: number): string | undefined {
    let candidate = type === TYPE.DS ? parentOf(name) : name;
    for (;;) {
      if (this.keys.has(candidate)) return this.faults.get(candidate) === 'unsigned' ? undefined : candidate;
      if (candidate === '') return undefined;
      candidate = parentOf(candidate);
    }
  }

  /** The DNSKEY RRset at a zone apex, or undefined when the zone has no key. */
  dnskeys(zone: string): WireRecord[] | undefined {
    const key = this.keys.get(zone);
    if (!key || this.faults.get(zone) === 'unsigned') return undefined;
    return [{ name: zone, type: TYPE.DNSKEY, ttl: this.ttl, rdata: key.dnskey }];
  }

  /**
   * The DS RRset for a child zone as its parent publishes it: empty when the child is unsigned or has no key;
   * undefined when the parent itself is not a zone of the world's chain (the question is not for us).
   */
  ds(child: string): WireRecord[] | undefined {
    if (child === '' || !this.keys.has(parentOf(child))) return undefined;
    const key = this.keys.get(child);
    if (!key || this.faults.get(child) === 'unsigned') return [];
    const named = this.faults.get(child) === 'ds-mismatch' ? this.staleKeyOf(child) : key;
    return [{ name: child, type: TYPE.DS, ttl: this.ttl, rdata: dsRdata(child, named.dnskey) }];
  }

  /** The RRSIG over one RRset, or undefined when no keyed zone owns it. */
  rrsig(rrset: { name: string; type: number; ttl: number; rdatas: Buffer[] }): WireRecord | undefined {
    const name = rrset.name.toLowerCase().replace(/\.$/, '');
    const zone = this.signerFor(name, rrset.type);
    if (zone === undefined) return undefined;
    const key = this.keys.get(zone)!;
    const cacheKey = [zone, name, rrset.type, rrset.ttl, ...rrset.rdatas.map((r) => r.toString('hex')).sort()].join('|');
    let rdata = this.cache.get(cacheKey);
    if (!rdata) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      rdata = rrsigRdata({ ...rrset, name }, key, this.window(zone));
      this.cache.set(cacheKey, rdata);
    }
    return { name: rrset.name, type: TYPE.RRSIG, ttl: rrset.ttl, rdata };
  }

  private window(zone: string): SignatureWindow {
    const now = this.now();
    if (this.faults.get(zone) === 'expired-signatures') return { inception: now - 40 * DAY_S, expiration: now - 10 * DAY_S };
    return { inception: now - HOUR_S, expiration: now + SIGNATURE_LIFETIME_S };
  }

  private staleKeyOf(zone: string): ZoneKey {
    let stale = this.staleKeys.get(zone);
    if (!stale) {
      stale = makeKey(zone);
      this.staleKeys.set(zone, stale);
    }
    return stale;
  }
}
