/**
 * A DMARC aggregate report, as RFC 7489 Appendix C and RFC 9990 (DMARCbis aggregate reporting) define
 * its XML, validated with zod and normalised the way parsedmarc normalises it: result words lowercased,
 * lists always lists, dates as ISO instants, alignment derived from policy_evaluated. Pure: no I/O.
 */
import { z } from 'zod';

/** A result word as reporters write it ("pass", "Pass", "PASS"): compared lowercased, as parsedmarc does. */
const word = z
  .string()
  .trim()
  .min(1)
  .transform((v) => v.toLowerCase());
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
/** Elements that may repeat arrive as arrays (the parser is told which); absent ones as undefined. */
const many = <T extends z.ZodTypeAny>(item: T) =>
  z
    .array(item)
    .optional()
    .transform((v) => v ?? []);
/** Seconds since the epoch; some reporters write "1711756800.0". */
const epoch = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d+)?$/, 'expected seconds since the epoch')
  .transform((v) => new Date(Math.floor(Number(v)) * 1000).toISOString());
/** A count of messages: a whole number (a negative or fractional one is a broken report). */
const count = z
  .string()
  .trim()
  .regex(/^\d{1,12}$/, 'expected a whole number of messages')
  .transform(Number);
const ipAddress = z
  .string()
  .trim()
  .refine((v) => /^(\d{1,3}\.){3}\d{1,3}$/.test(v) || (/^[0-9A-Fa-f:.]+$/.test(v) && v.includes(':')), 'expected an IPv4 or IPv6 address');

// Reporters leave elements empty (<domain/>, <type/>, <auth_results/>): parsedmarc skips or defaults them, and so do we.
const resultWord = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v.toLowerCase() : 'none'));
const dkimResult = z.object({ domain: optionalText, selector: optionalText, result: resultWord, human_result: optionalText });
const spfResult = z.object({ domain: optionalText, scope: optionalText, result: resultWord, human_result: optionalText });
const reason = z.object({ type: optionalText.transform((v) => v?.toLowerCase() ?? 'none'), comment: optionalText });
/** An empty element parses as "" where an object is expected. */
const emptyAsObject = (v: unknown) => (v === '' ? {} : v);

const recordSchema = z.object({
  row: z.object({
    source_ip: ipAddress,
    count,
    policy_evaluated: z.object({ disposition: word, dkim: word.optional(), spf: word.optional(), reason: many(reason) }),
  }),
  // RFC 7489's draft schema named it "identities"; both are read.
  identifiers: z.object({ envelope_to: optionalText, envelope_from: optionalText, header_from: z.string().trim().min(1) }).optional(),
  identities: z.object({ envelope_to: optionalText, envelope_from: optionalText, header_from: z.string().trim().min(1) }).optional(),
  auth_results: z.preprocess(emptyAsObject, z.object({ dkim: many(dkimResult), spf: many(spfResult) })).optional(),
});

export const feedbackSchema = z.object({
  version: optionalText,
  report_metadata: z.object({
    org_name: optionalText,
    email: optionalText,
    extra_contact_info: optionalText,
    report_id: z.string().trim().min(1),
    date_range: z.object({ begin: epoch, end: epoch }),
    error: many(z.string()),
    generator: optionalText,
  }),
  policy_published: z.object({
    domain: z.string().trim().min(1),
    adkim: optionalText,
    aspf: optionalText,
    p: word,
    sp: optionalText,
    np: optionalText,
    pct: optionalText,
    fo: optionalText,
    testing: optionalText,
    discovery_method: optionalText,
  }),
  record: z.array(recordSchema).min(1, 'a report has at least one record'),
});

/** none, quarantine or reject (RFC 7489); RFC 9990 adds pass; kept as the reporter wrote it, lowercased. */
export type Disposition = string;

export interface AggregateRecord {
  sourceIp: string;
  count: number;
  policyEvaluated: { disposition: Disposition; dkim: string; spf: string; reasons: Array<{ type: string; comment?: string }> };
  /** From policy_evaluated, as parsedmarc derives it: an identifier is aligned when the receiver says it passed DMARC's test. */
  alignment: { spf: boolean; dkim: boolean; dmarc: boolean };
  identifiers: { headerFrom: string; envelopeFrom?: string; envelopeTo?: string };
  authResults: {
    dkim: Array<{ domain: string; selector?: string; result: string; humanResult?: string }>;
    spf: Array<{ domain: string; scope: string; result: string; humanResult?: string }>;
  };
}

export interface AggregateReport {
  /** The <version> element, or "draft" (parsedmarc's xml_schema). */
  xmlSchema: string;
  /** RFC 9990's namespace urn:ietf:params:xml:ns:dmarc-2.0, when the report declares it. */
  xmlNamespace?: string;
  orgName: string;
  orgEmail?: string;
  extraContactInfo?: string;
  reportId: string;
  begin: string;
  end: string;
  errors: string[];
  generator?: string;
  policyPublished: {
    domain: string;
    adkim: string;
    aspf: string;
    p: string;
    sp: string;
    np?: string;
    pct?: string;
    fo?: string;
    testing?: string;
    discoveryMethod?: string;
  };
  records: AggregateRecord[];
}

type Feedback = z.infer<typeof feedbackSchema>;

/** The report id as parsedmarc keeps it: without angle brackets and anything after an "@". */
export function normaliseReportId(id: string): string {
  return id.replace(/[<>]/g, '').split('@')[0]!.trim();
}

export function normaliseFeedback(feedback: Feedback, namespace?: string): AggregateReport {
  const meta = feedback.report_metadata;
  const policy = feedback.policy_published;
  const orgName = meta.org_name ?? meta.email?.split('@').pop();
  if (!orgName) throw new Error('report_metadata has neither org_name nor email: the reporter is unknown');
  return {
    xmlSchema: feedback.version ?? 'draft',
    ...(namespace ? { xmlNamespace: namespace } : {}),
    orgName,
    ...(meta.email ? { orgEmail: meta.email } : {}),
    ...(meta.extra_contact_info ? { extraContactInfo: meta.extra_contact_info } : {}),
    reportId: normaliseReportId(meta.report_id),
    begin: meta.date_range.begin,
    end: meta.date_range.end,
    errors: meta.error.map((e) => e.trim()).filter(Boolean),
    ...(meta.generator ? { generator: meta.generator } : {}),
    policyPublished: {
      domain: policy.domain.toLowerCase().replace(/\.$/, ''),
      adkim: policy.adkim ?? 'r',
      aspf: policy.aspf ?? 'r',
      p: policy.p,
      sp: policy.sp ?? policy.p,
      ...(policy.np ? { np: policy.np } : {}),
      ...(policy.pct ? { pct: policy.pct } : {}),
      ...(policy.fo ? { fo: policy.fo } : {}),
      ...(policy.testing ? { testing: policy.testing } : {}),
      ...(policy.discovery_method ? { discoveryMethod: policy.discovery_method } : {}),
    },
    records: feedback.record.map(normaliseRecord),
  };
}

function normaliseRecord(record: Feedback['record'][number]): AggregateRecord {
  const evaluated = record.row.policy_evaluated;
  const ids = record.identifiers ?? record.identities;
  if (!ids) throw new Error(`the record for ${record.row.source_ip} has no identifiers (header_from)`);
  const dkim = evaluated.dkim ?? 'fail';
  const spf = evaluated.spf ?? 'fail';
  const spfResults = (record.auth_results?.spf ?? [])
    .flatMap((r) => (r.domain ? [{ ...r, domain: r.domain }] : []))
    .map((r) => ({
      domain: r.domain.toLowerCase(),
      scope: r.scope ?? 'mfrom',
      result: r.result,
      ...(r.human_result ? { humanResult: r.human_result } : {}),
    }));
  // parsedmarc backfills envelope_from from the last SPF result when the reporter left it out.
  const envelopeFrom = ids.envelope_from?.toLowerCase() ?? spfResults.at(-1)?.domain;
  return {
    sourceIp: record.row.source_ip.toLowerCase(),
    count: record.row.count,
    policyEvaluated: {
      disposition: evaluated.disposition,
      dkim,
      spf,
      reasons: evaluated.reason.map((r) => ({ type: r.type, ...(r.comment ? { comment: r.comment } : {}) })),
    },
    alignment: { spf: spf === 'pass', dkim: dkim === 'pass', dmarc: spf === 'pass' || dkim === 'pass' },
    identifiers: {
      headerFrom: ids.header_from.toLowerCase(),
      ...(envelopeFrom ? { envelopeFrom } : {}),
      ...(ids.envelope_to ? { envelopeTo: ids.envelope_to.toLowerCase() } : {}),
    },
    authResults: {
      dkim: (record.auth_results?.dkim ?? [])
        .flatMap((r) => (r.domain ? [{ ...r, domain: r.domain }] : []))
        .map((r) => ({
          domain: r.domain.toLowerCase(),
          ...(r.selector ? { selector: r.selector } : {}),
          result: r.result,
          ...(r.human_result ? { humanResult: r.human_result } : {}),
        })),
      spf: spfResults,
    },
  };
}
