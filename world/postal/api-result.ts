/** The three outcomes of a legacy API call; the server renders them with HTTP 200 always. */
export type ApiResult =
  | { status: 'success'; data: unknown }
  | { status: 'error'; code: string; data?: Record<string, unknown> }
  | { status: 'parameter-error'; message: string };

/**
 * An exception Postal's controller does not rescue: Rails answers HTTP 500 with public/500.html
 * (production has consider_all_requests_local = false). `cause` names the Ruby exception, for tests.
 */
export class UnhandledServerError extends Error {
  override name = 'UnhandledServerError';
}

export const success = (data: unknown): ApiResult => ({ status: 'success', data });
export const apiError = (code: string, data?: Record<string, unknown>): ApiResult => ({ status: 'error', code, data });
export const parameterError = (message: string): ApiResult => ({ status: 'parameter-error', message });

/** The body Postal renders: `data.merge(code:)` for errors, so `code` comes last. */
export function renderApiResult(result: ApiResult, startedAt: number): string {
  const time = Math.round(performance.now() - startedAt) / 1000;
  switch (result.status) {
    case 'success':
      return JSON.stringify({ status: 'success', time, flags: {}, data: result.data });
    case 'error':
      return JSON.stringify({ status: 'error', time, flags: {}, data: { ...(result.data ?? {}), code: result.code } });
    case 'parameter-error':
      return JSON.stringify({ status: 'parameter-error', time, flags: {}, data: { message: result.message } });
  }
}
