/**
 * SPF record text helpers and a walk of the include/redirect tree, used to count DNS-querying
 * terms (RFC 7208 §4.6.4: include, a, mx, ptr, exists and redirect count; at most 10) and to find
 * `+all` anywhere. The walk takes a lookup function so the gatherer (I/O) and the check (snapshot)
 * share it. Evaluation itself is mailauth's job; this only reads the records.
 */
import type { DnsObservation } from './dns-observation.ts';
import { normaliseName } from './dns-observation.ts';

export const SPF_LOOKUP_LIMIT = 10;
const QUERYING_MECHANISMS = new Set(['include', 'a', 'mx', 'ptr', 'exists']);

export function isSpfRecord(txt: string): boolean {
  return /^v=spf1(\s|$)/i.test(txt.trim());
}

export interface SpfTerm {
  raw: string;
  qualifier: '+' | '-' | '~' | '?';
  /** Mechanism name (include, a, ip4, all…) or modifier name (redirect, exp). */
  name: string;
  kind: 'mechanism' | 'modifier';
  /** Text after ":" (mechanism) or "=" (modifier), if any. */
  value?: string;
}

export function parseSpfTerms(record: string): SpfTerm[] {
  const parts = record
    .trim()
    .split(/\s+/)
    .slice(1)
    .filter((p) => p.length > 0);
  return parts.map((raw): SpfTerm => {
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(raw);
    if (modifier && !/^[+\-~?]/.test(raw)) {
      return { raw, qualifier: '+', name: (modifier[1] ?? '').toLowerCase(), kind: 'modifier', value: modifier[2] ?? '' };
    }
    const hasQualifier = /^[+\-~?]/.test(raw);
    const qualifier = hasQualifier ? (raw.charAt(0) as SpfTerm['qualifier']) : '+';
    const body = hasQualifier ? raw.slice(1) : raw;
    const match = /^([a-z0-9]+)(?:[:/](.*))?$/i.exec(body);
    const name = (match?.[1] ?? body).toLowerCase();
    const value = body.includes(':') ? body.slice(body.indexOf(':') + 1) : undefined;
    return { raw, qualifier, name, kind: 'mechanism', ...(value !== undefined ? { value } : {}) };
  });
}

export function countsAsLookup(term: SpfTerm): boolean {
  return term.kind === 'mechanism' ? QUERYING_MECHANISMS.has(term.name) : term.name === 'redirect';
}

export function isPlusAll(term: SpfTerm): boolean {
  return term.kind === 'mechanism' && term.name === 'all' && term.qualifier === '+';
}

/**
 * Inserts a term before the record's `all` (or `redirect=`), or at the end:
 * ("v=spf1 ~all", "ip4:91.98.35.3") → "v=spf1 ip4:91.98.35.3 ~all".
 */
export function insertSpfTerm(record: string, term: string): string {
  const parts = record.trim().split(/\s+/);
  const at = parts.findIndex((p, i) => i > 0 && (/^[+\-~?]?all$/i.test(p) || /^redirect=/i.test(p)));
  if (at < 0) parts.push(term);
  else parts.splice(at, 0, term);
  return parts.join(' ');
}

export type SpfNodeStatus = 'ok' | 'no-spf' | 'multiple' | 'dns-error' | 'not-observed' | 'loop' | 'macro' | 'too-deep';

export interface SpfNode {
  name: string;
  /** How this node was reached: "apex", "include:spf.x", "redirect=x". */
  via: string;
  status: SpfNodeStatus;
  record?: string;
  /** The DNS-querying terms of this record (each counts one lookup). */
  lookupTerms: string[];
  children: SpfNode[];
  note?: string;
}

export interface SpfWalk {
  root: SpfNode;
  /** Lookups counted over the whole tree (the apex TXT itself does not count). */
  lookupCount: number;
  /** Every `+all` (or bare `all`) with the record it sits in. */
  plusAll: { name: string; term: string }[];
  /** Records reached through include/redirect that are missing, multiple or unreadable. */
  brokenReferences: SpfNode[];
}

/** Resolves a name's TXT; undefined when nothing is known about it (not in a snapshot). */
export type TxtLookup = (name: string) => Promise<DnsObservation | undefined>;

const MAX_DEPTH = 12;

export async function walkSpf(domain: string, lookupTxt: TxtLookup): Promise<SpfWalk> {
  const plusAll: SpfWalk['plusAll'] = [];
  const broken: SpfNode[] = [];
  let lookupCount = 0;

  const visit = async (name: string, via: string, path: string[]): Promise<SpfNode> => {
    const node: SpfNode = { name, via, status: 'ok', lookupTerms: [], children: [] };
    if (path.includes(name)) return { ...node, status: 'loop', note: `${name} includes itself via ${path.join(' → ')}` };
    if (path.length >= MAX_DEPTH) return { ...node, status: 'too-deep' };
    const observation = await lookupTxt(name);
    if (!observation) return { ...node, status: 'not-observed' };
    if (observation.status === 'error') return { ...node, status: 'dns-error', note: observation.error ?? 'query failed' };
    const records = observation.status === 'ok' ? observation.answers.filter(isSpfRecord) : [];
    if (records.length === 0) return { ...node, status: 'no-spf' };
    if (records.length > 1) return { ...node, status: 'multiple', note: records.join(' | ') };
    const record = records[0] ?? '';
    node.record = record;
    const terms = parseSpfTerms(record);
    const hasAll = terms.some((t) => t.kind === 'mechanism' && t.name === 'all');
    for (const term of terms) {
      if (isPlusAll(term)) plusAll.push({ name, term: term.raw });
      const isRedirect = term.kind === 'modifier' && term.name === 'redirect';
      if (isRedirect && hasAll) continue; // RFC 7208 §6.1: ignored when "all" is present
      if (!countsAsLookup(term)) continue;
      node.lookupTerms.push(term.raw);
      lookupCount++;
      const target = term.name === 'include' || isRedirect ? term.value : undefined;
      if (target === undefined || target.length === 0) continue;
      const childVia = isRedirect ? `redirect=${target}` : `include:${target}`;
      if (target.includes('%')) {
        node.children.push({ name: target, via: childVia, status: 'macro', lookupTerms: [], children: [] });
        continue;
      }
      node.children.push(await visit(normaliseName(target), childVia, [...path, name]));
    }
    return node;
  };

  const root = await visit(normaliseName(domain), 'apex', []);
  const collectBroken = (node: SpfNode): void => {
    for (const child of node.children) {
      if (child.status !== 'ok' && child.status !== 'macro') broken.push(child);
      collectBroken(child);
    }
  };
  collectBroken(root);
  return { root, lookupCount, plusAll, brokenReferences: broken };
}
