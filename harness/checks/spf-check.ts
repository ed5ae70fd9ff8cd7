/**
 * DNS-03 — SPF: one record at the apex, valid, at most 10 DNS-querying terms, no `+all`, and
 * mailauth's evaluation for the real sending IP is `pass`. Pure: mailauth runs against a replay
 * of the snapshot the gatherer recorded (harness/clients/spf-gatherer.ts).
 */
import { lintSpfRecords } from './spf-lint.ts';
import { spf } from 'mailauth/lib/spf/index.js';
import type { SPFOptions, SPFResult } from 'mailauth';
import type { DnsSnapshot } from './dns-observation.ts';
import { type DnsObservation, findObservation, normaliseName } from './dns-observation.ts';
import { collectFindings, describeObservation, fail, type Finding, observationEvidence, verdictFrom, warn } from './findings.ts';
import { replayResolver } from './replay-resolver.ts';
import { insertSpfTerm, isSpfRecord, parseSpfTerms, SPF_LOOKUP_LIMIT, type SpfNode, type SpfWalk, walkSpf } from './spf-record.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

export interface SpfCheckInput {
  /** The domain whose apex TXT holds the SPF record, e.g. "mailgoat.ai". */
  domain: string;
  /** Every TXT/A/MX… lookup the evaluation needs (see gatherSpf). */
  snapshot: DnsSnapshot;
  /** The sending IP to evaluate. */
  ip: string;
  helo?: string;
  /** MAIL FROM; defaults to postmaster@<domain>. */
  sender?: string;
  /** The host the apex must include, e.g. "spf.mailgoat.ai" (Postal's dns.spf_include). */
  expectedInclude: string;
  /** The IP to name in remediations when it differs from the evaluated one (embedded world vs production). */
  remediationIp?: string;
}

/** The `mta` mailauth writes into comments; fixed so evidence does not carry this machine's hostname. */
const MTA = 'postal-qa';

function suggestedApex(expectedInclude: string): string {
  return `v=spf1 include:${expectedInclude} ~all`;
}

function flatten(node: SpfNode): SpfNode[] {
  return [node, ...node.children.flatMap(flatten)];
}

function treeEvidence(node: SpfNode): unknown {
  return {
    name: node.name,
    via: node.via,
    status: node.status,
    ...(node.record !== undefined ? { record: node.record } : {}),
    lookups: node.lookupTerms,
    ...(node.note ? { note: node.note } : {}),
    ...(node.children.length ? { children: node.children.map(treeEvidence) } : {}),
  };
}

/** What the rules after the apex gates read: the apex's SPF records and the walk of their tree. */
interface SpfRuleInput {
  domain: string;
  include: string;
  /** `ip4:<ip>` (or ip6) naming the IP the remediations authorise. */
  ip4Term: string;
  /** The sending IP evaluated. */
  ip: string;
  spfRecords: string[];
  walk: SpfWalk;
  nodes: SpfNode[];
}

/** Gate 1: the apex TXT was looked up at all. */
function noApexLookup(domain: string): Finding {
  return fail(`no TXT lookup of ${domain} was recorded, so SPF cannot be judged`, `Gather TXT ${domain} (gatherSpf) before checking`);
}

/** Gate 2: the apex TXT lookup was answered. */
function apexUnresolved(domain: string, apex: DnsObservation): Finding {
  return fail(
    `TXT ${domain} could not be resolved by ${apex.resolver}: ${apex.error ?? 'query failed'}`,
    `Make ${apex.resolver} answer TXT ${domain}, then re-run`,
  );
}

/** Gate 3: the apex holds an SPF record. */
function noSpfRecord(domain: string, include: string): Finding {
  return fail(
    `no SPF record (TXT starting "v=spf1") at ${domain}: receivers get spf=none`,
    `Add TXT ${domain} "${suggestedApex(include)}"`,
  );
}

/** Rule: exactly one SPF record at the apex (RFC 7208 §4.5). */
function multipleSpfRecords({ domain, include, spfRecords }: SpfRuleInput): Finding | undefined {
  if (spfRecords.length <= 1) return undefined;
  return fail(
    `${spfRecords.length} SPF records at ${domain}: RFC 7208 makes that a permerror for every receiver`,
    `Delete all but one TXT starting "v=spf1" at ${domain}, merging their terms into one, e.g. "${suggestedApex(include)}"`,
  );
}

/** The evidence of the static reading: the record tree, its DNS-querying terms, every record below the apex. */
function treeEvidenceItems(snapshot: DnsSnapshot, walk: SpfWalk, nodes: SpfNode[]): EvidenceItem[] {
  const evidence: EvidenceItem[] = [{ label: 'spf record tree', detail: treeEvidence(walk.root) }];
  evidence.push({
    label: 'spf dns-querying terms',
    detail: {
      count: walk.lookupCount,
      limit: SPF_LOOKUP_LIMIT,
      terms: nodes.flatMap((n) => n.lookupTerms.map((t) => `${n.name}: ${t}`)),
    },
  });
  for (const node of nodes) {
    if (node !== walk.root) {
      const obs = findObservation(snapshot, node.name, 'TXT');
      if (obs) evidence.push(observationEvidence(obs));
    }
  }
  return evidence;
}

/** Rule: no `+all` anywhere in the tree. */
function plusAllTerms({ domain, walk }: SpfRuleInput): Finding[] {
  return walk.plusAll.map(({ name, term }) =>
    fail(
      `"${term}" in the SPF record of ${name} authorises every host on the Internet to send as ${domain}`,
      `In TXT ${name} replace "${term}" with "~all" (or "-all")`,
    ),
  );
}

/** Rule: at most 10 DNS-querying terms (RFC 7208 §4.6.4). */
function overLookupLimit({ domain, walk, nodes }: SpfRuleInput): Finding | undefined {
  if (walk.lookupCount <= SPF_LOOKUP_LIMIT) return undefined;
  const heavy = nodes.filter((n) => n.lookupTerms.length > 0).map((n) => `${n.name} (${n.lookupTerms.join(' ')})`);
  return fail(
    `SPF for ${domain} needs ${walk.lookupCount} DNS-querying terms, over the limit of ${SPF_LOOKUP_LIMIT} (permerror at receivers)`,
    `Cut the include/a/mx/ptr/exists/redirect terms to at most ${SPF_LOOKUP_LIMIT} — replace some with ip4:/ip6: ranges — in: ${heavy.join(', ')}`,
  );
}

/** Rule: every include/redirect reaches exactly one SPF record. */
function brokenReferences({ include, ip4Term, walk }: SpfRuleInput): Finding[] {
  return walk.brokenReferences.map((broken) => {
    const why =
      broken.status === 'no-spf'
        ? 'has no SPF record'
        : broken.status === 'multiple'
          ? 'has more than one SPF record'
          : broken.status === 'loop'
            ? 'forms an include loop'
            : broken.status === 'dns-error'
              ? `could not be resolved (${broken.note ?? 'error'})`
              : broken.status === 'too-deep'
                ? 'is nested too deep'
                : 'was not looked up';
    const fix =
      broken.name === include && broken.status === 'no-spf'
        ? `Add TXT ${include} "v=spf1 ${ip4Term} ~all"`
        : `Fix TXT ${broken.name} (reached by ${broken.via}) so it holds exactly one "v=spf1 …" record, or remove ${broken.via} from the record that references it`;
    return fail(`${broken.via} ${why}`, fix);
  });
}

/** mailauth's evaluation for the sending IP, answering only from the snapshot. */
async function evaluateSpf(input: SpfCheckInput, domain: string): Promise<SPFResult> {
  const options: SPFOptions = {
    ip: input.ip,
    sender: input.sender ?? `postmaster@${domain}`,
    mta: MTA,
    ...(input.helo ? { helo: input.helo } : {}),
    resolver: replayResolver(input.snapshot) as unknown as NonNullable<SPFOptions['resolver']>,
  };
  return spf(options);
}

function evaluationEvidence(ip: string, result: SPFResult): EvidenceItem {
  return {
    label: `spf evaluation (mailauth) for ${ip}`,
    detail: {
      result: result.status.result,
      comment: result.status.comment,
      header: result.header,
      lookups: result.lookups,
      record: result.rr,
    },
  };
}

/** The changes that make the sending IP pass: the apex includes the expected host, which lists the IP. */
function passSteps({ domain, include, ip4Term, spfRecords, walk, nodes }: SpfRuleInput): string[] {
  const includeNode = nodes.find((n) => n.name === include);
  const apexTerms = parseSpfTerms(spfRecords[0] ?? '');
  const apexIncludes = apexTerms.some((t) => t.name === 'include' && normaliseName(t.value ?? '') === include);
  const steps: string[] = [];
  if (!apexIncludes) steps.push(`Set TXT ${domain} to "${insertSpfTerm(spfRecords[0] ?? suggestedApex(include), `include:${include}`)}"`);
  if (includeNode?.record !== undefined) {
    if (includeNode.record.toLowerCase().includes(ip4Term.toLowerCase())) {
      steps.push(`TXT ${include} already lists ${ip4Term}: move include:${include} in TXT ${domain} before any term that matches first`);
    } else {
      steps.push(`Set TXT ${include} to "${insertSpfTerm(includeNode.record, ip4Term)}"`);
    }
  } else if (!walk.brokenReferences.some((b) => b.name === include)) {
    steps.push(`Add TXT ${include} "v=spf1 ${ip4Term} ~all"`);
  }
  return steps;
}

/** Rule: mailauth's evaluation for the sending IP is `pass` (a permerror already explained is not repeated). */
function evaluationNotPass(rule: SpfRuleInput, result: SPFResult): Finding | undefined {
  const { domain, include, spfRecords, walk } = rule;
  const status = result.status.result;
  const comment = result.status.comment ?? status;
  // Multiple records, too many lookups and broken references are permerrors we already explained.
  const alreadyReported = spfRecords.length > 1 || walk.lookupCount > SPF_LOOKUP_LIMIT || walk.brokenReferences.length > 0;
  if (status === 'permerror') {
    if (!alreadyReported) {
      const apexRecord = spfRecords[0] ?? '';
      return fail(
        `SPF record of ${domain} is invalid (mailauth permerror: ${comment.replace(/^.*?: /, '')})`,
        `Rewrite TXT ${domain} as one valid record, e.g. "${suggestedApex(include)}" (now "${apexRecord}")`,
      );
    }
  } else if (status === 'temperror') {
    return fail(
      `SPF for ${domain} could not be evaluated (temperror: ${comment.replace(/^.*?: /, '')})`,
      `Make every name the SPF record references resolvable (see the record tree in the evidence), then re-run`,
    );
  } else if (status !== 'pass') {
    return fail(
      `SPF for ${domain} gives ${status} for ${rule.ip}, not pass: receivers will not trust mail from it`,
      passSteps(rule).join('; '),
    );
  }
  return undefined;
}

/** Rule (warn): a passing apex still includes the host Postal's own domain check looks for. */
function missingInclude({ domain, include, ip, spfRecords }: SpfRuleInput, result: SPFResult): Finding | undefined {
  if (result.status.result === 'pass' && spfRecords.length === 1) {
    const apexRecord = spfRecords[0] ?? '';
    const apexTerms = parseSpfTerms(apexRecord);
    if (!apexTerms.some((t) => t.name === 'include' && normaliseName(t.value ?? '') === include)) {
      return warn(
        `SPF record of ${domain} passes for ${ip} but does not include:${include}, which Postal's own domain check looks for`,
        `Set TXT ${domain} to "${insertSpfTerm(apexRecord, `include:${include}`)}"`,
      );
    }
  }
  return undefined;
}

export async function checkSpf(input: SpfCheckInput): Promise<Verdict> {
  const domain = normaliseName(input.domain);
  const include = normaliseName(input.expectedInclude);
  const remediationIp = input.remediationIp ?? input.ip;
  const ip4Term = `${input.ip.includes(':') ? 'ip6' : 'ip4'}:${remediationIp}`;
  const evidence: EvidenceItem[] = [];
  const expected = `one TXT at ${domain} "${suggestedApex(include)}" (or equivalent) authorising ${remediationIp}`;
  // Stryker disable next-line StringLiteral: equivalent, this verdict always carries a fail finding, so the pass summary is never shown
  const stop = (finding: Finding, observed?: string): Verdict =>
    verdictFrom({ findings: [finding], passSummary: '', expected, observed, evidence });

  const apex = findObservation(input.snapshot, domain, 'TXT');
  if (!apex) return stop(noApexLookup(domain));
  evidence.push(observationEvidence(apex));
  if (apex.status === 'error') return stop(apexUnresolved(domain, apex), describeObservation(apex));
  const spfRecords = apex.status === 'ok' ? apex.answers.filter(isSpfRecord) : [];
  const observed = spfRecords.length ? spfRecords.map((r) => `"${r}"`).join(', ') : describeObservation(apex);
  if (spfRecords.length === 0) return stop(noSpfRecord(domain, include), observed);

  // Static reading of the whole include/redirect tree from the snapshot.
  const walk = await walkSpf(domain, (name) => Promise.resolve(findObservation(input.snapshot, name, 'TXT')));
  const nodes = flatten(walk.root);
  evidence.push(...treeEvidenceItems(input.snapshot, walk, nodes));
  const result = await evaluateSpf(input, domain);
  evidence.push(evaluationEvidence(input.ip, result));

  const rule: SpfRuleInput = { domain, include, ip4Term, ip: input.ip, spfRecords, walk, nodes };
  const findings = collectFindings(
    multipleSpfRecords(rule),
    plusAllTerms(rule),
    overLookupLimit(rule),
    brokenReferences(rule),
    evaluationNotPass(rule, result),
    missingInclude(rule, result),
  );
  // checkdmarc's advisory warnings, once nothing fails (a failure names the cause to fix first).
  if (!findings.some((f) => f.outcome === 'fail'))
    findings.push(...lintSpfRecords(nodes.filter((n) => n.record !== undefined).map((n) => ({ name: n.name, record: n.record! }))));
  return verdictFrom({
    findings,
    passSummary: `SPF for ${domain} passes for ${input.ip} (${walk.lookupCount}/${SPF_LOOKUP_LIMIT} DNS-querying terms)`,
    expected,
    observed,
    evidence,
  });
}
