/**
 * DNS-05 — DMARC: exactly one record starting `v=DMARC1` at `_dmarc.<domain>`, well-formed tags,
 * a policy, the expected policy and aggregate-report address. Pure: reads one observation.
 *
 * mailauth's DMARC record reader (lib/dmarc/get-dmarc-record.js) is internal, asks DNS itself and
 * validates nothing (it drops records not starting v=DMARC1 and coerces bad pct to 0), so this
 * check parses the record with its own tag parser.
 */
import type { DnsObservation } from './dns-observation.ts';
import { normaliseName } from './dns-observation.ts';
import {
  collectFindings,
  describeObservation,
  fail,
  type Finding,
  observationEvidence,
  resolverErrorFinding,
  verdictFrom,
  warn,
} from './findings.ts';
import { parseTagList, type TagList } from './tag-list.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcCheckInput {
  domain: string;
  /** TXT lookup of `_dmarc.<domain>`. */
  observation: DnsObservation;
  expected: { policy: DmarcPolicy; rua: string };
}

const POLICIES = ['none', 'quarantine', 'reject'];
/** RFC 7489 tags, plus np/psd/t of DMARCbis which receivers start to read. */
const KNOWN_TAGS = new Set(['v', 'p', 'sp', 'np', 'rua', 'ruf', 'adkim', 'aspf', 'pct', 'fo', 'rf', 'ri', 'psd', 't']);
/** mailto:addr, optionally with a size limit "!10m" (RFC 7489 §6.2). */
const MAILTO = /^mailto:[^@\s,;!]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}(![0-9]+[kmgt]?)?$/i;

const policy = (v: string) => (POLICIES.includes(v) ? undefined : 'is not one of none, quarantine, reject');
const mailtoList = (v: string) => {
  const bad = uris(v).filter((u) => !MAILTO.test(u));
  return bad.length ? `has invalid mailto URIs: ${bad.join(', ')}` : undefined;
};

/** Per-tag value checks; each returns what is wrong, or undefined. */
const TAG_VALIDATORS: Record<string, (value: string) => string | undefined> = {
  p: policy,
  sp: policy,
  np: policy,
  adkim: (v) => (['r', 's'].includes(v) ? undefined : 'must be r or s'),
  aspf: (v) => (['r', 's'].includes(v) ? undefined : 'must be r or s'),
  pct: (v) => (/^\d{1,3}$/.test(v) && Number(v) <= 100 ? undefined : 'must be a whole number from 0 to 100'),
  ri: (v) => (/^\d+$/.test(v) ? undefined : 'must be a whole number of seconds'),
  fo: (v) =>
    v.split(':').every((x) => ['0', '1', 'd', 's'].includes(x.trim())) ? undefined : 'must be made of 0, 1, d, s separated by ":"',
  rua: mailtoList,
  ruf: mailtoList,
};

function uris(value: string): string[] {
  return value
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

function sameUriSet(a: string, b: string): boolean {
  const norm = (v: string) =>
    uris(v)
      .map((u) => u.toLowerCase().replace(/![0-9]+[kmgt]?$/, ''))
      .sort()
      .join(',');
  return norm(a) === norm(b);
}

/** The record to publish: expected policy and rua, keeping the observed record's other valid tags. */
function wantedRecord(expected: DmarcCheckInput['expected'], parsed?: TagList): string {
  const keep = (parsed?.tags ?? []).filter((t) => KNOWN_TAGS.has(t.name) && !['v', 'p', 'rua'].includes(t.name));
  return ['v=DMARC1', `p=${expected.policy}`, `rua=${expected.rua}`, ...keep.map((t) => `${t.name}=${t.value}`)].join('; ');
}

/** What the tag rules read: the record's tags, the ones found invalid, and the record to publish. */
interface DmarcRuleInput {
  name: string;
  parsed: TagList;
  /** Invalid tags, by name, with what is wrong. */
  invalid: Map<string, string>;
  expected: DmarcCheckInput['expected'];
  /** The remediation that publishes the wanted record. */
  fix: string;
}

/** Rule: a p= tag, and (warn) the policy the deployment expects. */
function policyNotExpected({ name, parsed, invalid, expected, fix }: DmarcRuleInput): Finding | undefined {
  const p = parsed.byName.get('p');
  if (p === undefined) {
    return fail(`the DMARC record at ${name} has no p= (policy) tag`, fix);
  } else if (!invalid.has('p') && p !== expected.policy) {
    return warn(`DMARC policy at ${name} is p=${p}, the deployment expects p=${expected.policy}`, fix);
  }
  return undefined;
}

/** Rule (warn): rua= names the deployment's aggregate-report address. */
function ruaNotExpected({ name, parsed, invalid, expected, fix }: DmarcRuleInput): Finding | undefined {
  const rua = parsed.byName.get('rua');
  if (rua === undefined || uris(rua).length === 0) {
    return warn(`the DMARC record at ${name} has no rua=: nobody receives aggregate reports`, fix);
  } else if (!invalid.has('rua') && !sameUriSet(rua, expected.rua)) {
    return warn(`rua=${rua} at ${name}, the deployment expects rua=${expected.rua}`, fix);
  }
  return undefined;
}

/** Rule (warn): no tags outside RFC 7489 and DMARCbis (often a typo). */
function unknownTags({ name, parsed, fix }: DmarcRuleInput): Finding | undefined {
  const unknown = parsed.tags.filter((t) => !KNOWN_TAGS.has(t.name)).map((t) => t.name);
  if (!unknown.length) return undefined;
  return warn(`unknown tags in the DMARC record at ${name}: ${unknown.join(', ')} (receivers ignore them; often a typo)`, fix);
}

export function checkDmarc(input: DmarcCheckInput): Verdict {
  const domain = normaliseName(input.domain);
  const name = `_dmarc.${domain}`;
  const { observation, expected } = input;
  const evidence: EvidenceItem[] = [observationEvidence(observation)];
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const expectedText = `one TXT at ${name} "${wantedRecord(expected)}"`;
  const observed = describeObservation(observation);
  // Stryker disable next-line StringLiteral: equivalent, done() without a summary is only called after a fail finding, so this pass summary is never shown
  const done = (passSummary = ''): Verdict => verdictFrom({ findings, passSummary, expected: expectedText, observed, evidence });

  if (normaliseName(observation.name) !== name || observation.type !== 'TXT') {
    findings.push(
      fail(`the observation is ${observation.type} ${observation.name}, not TXT ${name}`, `Look up TXT ${name} and check that`),
    );
    return done();
  }
  if (observation.status === 'error') {
    findings.push(resolverErrorFinding(observation));
    return done();
  }
  const answers = observation.status === 'ok' ? observation.answers : [];
  const starting = answers.filter((a) => /^v=DMARC1(\s*;|\s*$)/.test(a.trim()));
  const misplaced = answers.filter((a) => /(^|;)\s*v\s*=\s*DMARC1\b/i.test(a) && !starting.includes(a));

  for (const record of misplaced) {
    findings.push(
      fail(
        `the record "${record}" at ${name} does not start with "v=DMARC1" (it must be the first tag, exactly so): receivers ignore it`,
        `Set TXT ${name} to "${wantedRecord(expected, parseTagList(record))}"`,
      ),
    );
  }
  if (starting.length === 0) {
    if (misplaced.length === 0) {
      findings.push(
        fail(`no DMARC record at ${name}: receivers apply no policy and send no reports`, `Add TXT ${name} "${wantedRecord(expected)}"`),
      );
    }
    return done();
  }
  if (starting.length > 1) {
    findings.push(
      fail(
        `${starting.length} DMARC records at ${name}: with more than one, receivers apply none`,
        `Delete all but one TXT starting "v=DMARC1" at ${name}; keep "${wantedRecord(expected)}"`,
      ),
    );
    return done();
  }

  const record = starting[0] ?? '';
  const parsed = parseTagList(record);
  evidence.push({ label: 'dmarc record tags', detail: Object.fromEntries(parsed.byName) });

  // Validate every tag first, so the suggested record keeps only the valid ones.
  const invalid = new Map<string, string>();
  for (const [tag, value] of parsed.byName) {
    const problem = TAG_VALIDATORS[tag]?.(value);
    if (problem) invalid.set(tag, `${tag}=${value} at ${name} ${problem}`);
  }
  const validTags: TagList = { ...parsed, tags: parsed.tags.filter((t) => !invalid.has(t.name)) };
  const fix = `Set TXT ${name} to "${wantedRecord(expected, validTags)}"`;

  for (const problem of parsed.problems) findings.push(fail(`DMARC record at ${name} is malformed: ${problem}`, fix));
  for (const problem of invalid.values()) findings.push(fail(problem, fix));

  const rule: DmarcRuleInput = { name, parsed, invalid, expected, fix };
  findings.push(...collectFindings(policyNotExpected(rule), ruaNotExpected(rule), unknownTags(rule)));

  return done(`DMARC at ${name}: p=${parsed.byName.get('p') ?? '?'}, rua=${parsed.byName.get('rua') ?? '?'}`);
}
