/**
 * XML text → a validated aggregate report, or one line saying why not. fast-xml-parser reads the XML;
 * anything that could make it expand (a DOCTYPE, an ENTITY: the billion-laughs XML bomb) is refused
 * before parsing, since no aggregate report needs one. Pure: no I/O.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { feedbackSchema, normaliseFeedback, type AggregateReport } from './aggregate-report.ts';

/** Elements that may repeat: always arrays, so one record and many read alike. */
const REPEATING = new Set([
  'feedback.record',
  'feedback.record.auth_results.dkim',
  'feedback.record.auth_results.spf',
  'feedback.record.row.policy_evaluated.reason',
  'feedback.report_metadata.error',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Only XML's five predefined entities can occur (a DOCTYPE is refused first); HTML entities are not XML's.
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, jpath) => REPEATING.has(String(jpath)),
});

/** Deeper than any aggregate report (feedback/record/auth_results/dkim/domain is 5): a nesting bomb. */
const MAX_DEPTH = 32;

export class ReportRefused extends Error {
  override name = 'ReportRefused';
}

/** The deepest element nesting, counted without building anything (a guard before the parser recurses). */
export function maxNesting(xml: string): number {
  let depth = 0;
  let max = 0;
  const tags = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g;
  for (let m = tags.exec(xml); m; m = tags.exec(xml)) {
    if (m[1]) depth--;
    else if (!m[3]) max = Math.max(max, ++depth);
  }
  return max;
}

/**
 * Parses one report's XML. Throws ReportRefused with one line: a DOCTYPE or ENTITY declaration, XML
 * that is not well-formed, a document that is not <feedback>, or a field the schema refuses (named by path).
 */
export function parseAggregateReport(xml: string): AggregateReport {
  // IKEA's reporter opened an XML Schema tag it never closed (parsedmarc issue 18): schema tags do not belong in a report.
  const text = xml.replace(/^\uFEFF/, '').replace(/<\/?xs:schema\b[^>]*>/g, '');
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new ReportRefused('declares a DOCTYPE/ENTITY (entity expansion, the "billion laughs" XML bomb): an aggregate report has none');
  }
  if (maxNesting(text) > MAX_DEPTH) throw new ReportRefused(`nests elements more than ${MAX_DEPTH} deep: not an aggregate report`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ReportRefused(`is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const document = parser.parse(text) as Record<string, unknown>;
  if (!document.feedback || typeof document.feedback !== 'object') {
    const root = Object.keys(document).find((k) => !k.startsWith('?')) ?? 'nothing';
    throw new ReportRefused(`has the root element <${root}>, not <feedback>: not a DMARC aggregate report`);
  }
  const parsed = feedbackSchema.safeParse(document.feedback, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ['feedback', ...issue.path.map(String)].join('.');
    throw new ReportRefused(`${path}: ${issue.message}`);
  }
  const namespace = /<(?:\w+:)?feedback\b[^>]*\bxmlns(?::\w+)?\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  try {
    return normaliseFeedback(parsed.data, namespace);
  } catch (error) {
    throw new ReportRefused((error as Error).message);
  }
}
