/**
 * DNS-03 — SPF: one record at the apex, valid, at most 10 DNS-querying terms, no `+all`, and
 * mailauth's evaluation for the real sending IP is `pass`. Pure: mailauth runs against a replay
 * of the snapshot the gatherer recorded (harness/clients/spf-gatherer.ts).
 */
import { spf } from 'mailauth/lib/spf/index.js';
import type { SPFOptions, SPFResult } from 'mailauth';
import type { DnsSnapshot } from './dns-observation.ts';
import { findObservation, normaliseName } from './dns-observation.ts';
import { describeObservation, fail, type Finding, observationEvidence, verdictFrom, warn } from './findings.ts';
import { replayResolver } from './replay-resolver.ts';
import { insertSpfTerm, isSpfRecord, parseSpfTerms, SPF_LOOKUP_LIMIT, type SpfNode, walkSpf } from './spf-record.ts';
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

export async function checkSpf(input: SpfCheckInput): Promise<Verdict> {
  const domain = normaliseName(input.domain);
  const include = normaliseName(input.expectedInclude);
  const remediationIp = input.remediationIp ?? input.ip;
  const ip4Term = `${input.ip.includes(':') ? 'ip6' : 'ip4'}:${remediationIp}`;
  const sender = input.sender ?? `postmaster@${domain}`;
  const evidence: EvidenceItem[] = [];
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const expected = `one TXT at ${domain} "${suggestedApex(include)}" (or equivalent) authorising ${remediationIp}`;

  const apex = findObservation(input.snapshot, domain, 'TXT');
  if (!apex) {
    return verdictFrom({
      findings: [fail(`no TXT lookup of ${domain} was recorded, so SPF cannot be judged`, `Gather TXT ${domain} (gatherSpf) before checking`)],
      // Stryker disable next-line StringLiteral: equivalent, this verdict always carries a fail finding, so the pass summary is never shown
      passSummary: '',
      expected,
      evidence,
    });
  }
  evidence.push(observationEvidence(apex));
  if (apex.status === 'error') {
    return verdictFrom({
      findings: [
        fail(
          `TXT ${domain} could not be resolved by ${apex.resolver}: ${apex.error ?? 'query failed'}`,
          `Make ${apex.resolver} answer TXT ${domain}, then re-run`,
        ),
      ],
      // Stryker disable next-line StringLiteral: equivalent, this verdict always carries a fail finding, so the pass summary is never shown
      passSummary: '',
      expected,
      observed: describeObservation(apex),
      evidence,
    });
  }

  const spfRecords = apex.status === 'ok' ? apex.answers.filter(isSpfRecord) : [];
  const observed = spfRecords.length ? spfRecords.map((r) => `"${r}"`).join(', ') : describeObservation(apex);
  if (spfRecords.length === 0) {
    return verdictFrom({
      findings: [
        fail(
          `no SPF record (TXT starting "v=spf1") at ${domain}: receivers get spf=none`,
          `Add TXT ${domain} "${suggestedApex(include)}"`,
        ),
      ],
      // Stryker disable next-line StringLiteral: equivalent, this verdict always carries a fail finding, so the pass summary is never shown
      passSummary: '',
      expected,
      observed,
      evidence,
    });
  }
  if (spfRecords.length > 1) {
    findings.push(
      fail(
        `${spfRecords.length} SPF records at ${domain}: RFC 7208 makes that a permerror for every receiver`,
        `Delete all but one TXT starting "v=spf1" at ${domain}, merging their terms into one, e.g. "${suggestedApex(include)}"`,
      ),
    );
  }

  // Static reading of the whole include/redirect tree from the snapshot.
  const walk = await walkSpf(domain, (name) => Promise.resolve(findObservation(input.snapshot, name, 'TXT')));
  const nodes = flatten(walk.root);
  evidence.push({ label: 'spf record tree', detail: treeEvidence(walk.root) });
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
      const obs = findObservation(input.snapshot, node.name, 'TXT');
      if (obs) evidence.push(observationEvidence(obs));
    }
  }

  for (const { name, term } of walk.plusAll) {
    findings.push(
      fail(
        `"${term}" in the SPF record of ${name} authorises every host on the Internet to send as ${domain}`,
        `In TXT ${name} replace "${term}" with "~all" (or "-all")`,
      ),
    );
  }

  if (walk.lookupCount > SPF_LOOKUP_LIMIT) {
    const heavy = nodes.filter((n) => n.lookupTerms.length > 0).map((n) => `${n.name} (${n.lookupTerms.join(' ')})`);
    findings.push(
      fail(
        `SPF for ${domain} needs ${walk.lookupCount} DNS-querying terms, over the limit of ${SPF_LOOKUP_LIMIT} (permerror at receivers)`,
        `Cut the include/a/mx/ptr/exists/redirect terms to at most ${SPF_LOOKUP_LIMIT} — replace some with ip4:/ip6: ranges — in: ${heavy.join(', ')}`,
      ),
    );
  }

  for (const broken of walk.brokenReferences) {
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
    findings.push(fail(`${broken.via} ${why}`, fix));
  }

  // mailauth's evaluation for the sending IP, answering only from the snapshot.
  const options: SPFOptions = {
    ip: input.ip,
    sender,
    mta: MTA,
    ...(input.helo ? { helo: input.helo } : {}),
    resolver: replayResolver(input.snapshot) as unknown as NonNullable<SPFOptions['resolver']>,
  };
  const result: SPFResult = await spf(options);
  const status = result.status.result;
  evidence.push({
    label: `spf evaluation (mailauth) for ${input.ip}`,
    detail: { result: status, comment: result.status.comment, header: result.header, lookups: result.lookups, record: result.rr },
  });

  const comment = result.status.comment ?? status;
  // Multiple records, too many lookups and broken references are permerrors we already explained.
  const alreadyReported = spfRecords.length > 1 || walk.lookupCount > SPF_LOOKUP_LIMIT || walk.brokenReferences.length > 0;
  if (status === 'permerror') {
    if (!alreadyReported) {
      const apexRecord = spfRecords[0] ?? '';
      findings.push(
        fail(
          `SPF record of ${domain} is invalid (mailauth permerror: ${comment.replace(/^.*?: /, '')})`,
          `Rewrite TXT ${domain} as one valid record, e.g. "${suggestedApex(include)}" (now "${apexRecord}")`,
        ),
      );
    }
  } else if (status === 'temperror') {
    findings.push(
      fail(
        `SPF for ${domain} could not be evaluated (temperror: ${comment.replace(/^.*?: /, '')})`,
        `Make every name the SPF record references resolvable (see the record tree in the evidence), then re-run`,
      ),
    );
  } else if (status !== 'pass') {
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
    findings.push(
      fail(`SPF for ${domain} gives ${status} for ${input.ip}, not pass: receivers will not trust mail from it`, steps.join('; ')),
    );
  }

  if (status === 'pass' && spfRecords.length === 1) {
    const apexRecord = spfRecords[0] ?? '';
    const apexTerms = parseSpfTerms(apexRecord);
    if (!apexTerms.some((t) => t.name === 'include' && normaliseName(t.value ?? '') === include)) {
      findings.push(
        warn(
          `SPF record of ${domain} passes for ${input.ip} but does not include:${include}, which Postal's own domain check looks for`,
          `Set TXT ${domain} to "${insertSpfTerm(apexRecord, `include:${include}`)}"`,
        ),
      );
    }
  }

  return verdictFrom({
    findings,
    passSummary: `SPF for ${domain} passes for ${input.ip} (${walk.lookupCount}/${SPF_LOOKUP_LIMIT} DNS-querying terms)`,
    expected,
    observed,
    evidence,
  });
}
