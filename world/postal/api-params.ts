import { textOf } from '../../core/text-of.ts';
/**
 * Postal's legacy API reads its parameters two ways (LegacyAPI::BaseController#api_params):
 * with `Content-Type: application/json`, the JSON body (Rails also merges the query string);
 * otherwise the form/query field `params`, holding a JSON string. Anything else gives `{}`.
 */
export type ApiParams = Record<string, unknown>;

export class ApiParamsError extends Error {
  constructor(
    message: string,
    readonly inParamsField = false,
  ) {
    super(message);
  }
}

export function readApiParams(contentType: string | undefined, body: Buffer, query: URLSearchParams): ApiParams {
  const type = (contentType ?? '').toLowerCase();
  if (/^application\/json/.test(type)) {
    const fromQuery = Object.fromEntries(query.entries());
    if (body.length === 0) return fromQuery;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiParamsError('body is not valid JSON');
    }
    // Rails wraps a non-object JSON body as `_json`
    return isObject(parsed) ? { ...fromQuery, ...parsed } : { ...fromQuery, _json: parsed };
  }
  let field = query.get('params');
  if (/^application\/x-www-form-urlencoded/.test(type)) {
    const form = new URLSearchParams(body.toString('utf8'));
    field = form.get('params') ?? field;
  }
  if (field === null || field.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(field);
    return isObject(parsed) ? parsed : {};
  } catch {
    throw new ApiParamsError('`params` is not valid JSON', true);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Ruby's `blank?`: nil, false, empty or whitespace-only string, empty array or hash. */
export function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** Ruby's `to_i` on a String: the leading integer, else 0. */
export function rubyToI(value: string | number): number {
  if (typeof value === 'number') return Math.trunc(value);
  const match = /^\s*([+-]?\d[\d_]*)/.exec(value);
  return match ? Number.parseInt(match[1]!.replace(/_/g, ''), 10) : 0;
}

/** Ruby's lenient `Base64.decode64`: ignores characters outside the alphabet. */
export function rubyDecode64(value: unknown): Buffer {
  return Buffer.from(textOf(value).replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
}
