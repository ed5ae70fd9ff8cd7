/**
 * SEC-02 — a wrong API key is refused: Postal answers HTTP 200 with `status: "error"` and code
 * `InvalidServerAPIKey`. Postal echoes the wrong key back in `data.token`; this check copies only
 * the fields it names, so whatever else a client hands over never reaches the report.
 */
import { fail, type Finding, verdictFrom } from './findings.ts';
import { scrubSecrets } from './secret-scrub.ts';
import type { Verdict } from './verdict.ts';

export interface WrongKeyInput {
  /** Postal's `status`: "success", "error", "parameter-error"; undefined when no JSON came back. */
  status?: string;
  /** Postal's `data.code`. */
  code?: string;
  /** Postal's `data.message`. */
  message?: string;
  httpStatus?: number;
  /** Transport failure (timeout, refused). */
  error?: string;
}

export const EXPECTED_WRONG_KEY_CODE = 'InvalidServerAPIKey';

export function checkWrongKey(input: WrongKeyInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const shown = {
    status: input.status ?? null,
    code: input.code ?? null,
    ...(input.message !== undefined ? { message: scrubSecrets(input.message) } : {}),
    ...(input.httpStatus !== undefined ? { httpStatus: input.httpStatus } : {}),
    ...(input.error !== undefined ? { error: scrubSecrets(input.error) } : {}),
  };

  if (input.status === 'success') {
    findings.push(
      fail(
        'the API accepted a wrong key: anyone can send mail through this server',
        'Check which credential matched (Postal → server → Credentials); delete any API credential with a guessable key, and make sure no proxy answers the API in front of Postal',
      ),
    );
  } else if (input.status === undefined) {
    findings.push(
      fail(
        `the API gave no answer to a wrong key${input.error ? `: ${scrubSecrets(input.error)}` : ''}`,
        'Check the API is reachable (INF-02) and re-run',
      ),
    );
  } else if (input.code === 'AccessDenied') {
    findings.push(
      fail(
        'the request reached Postal without a key (AccessDenied), so a wrong key was never tested',
        'Make sure the X-Server-API-Key header reaches Postal (a proxy may strip it) and re-run',
      ),
    );
  } else if (input.status !== 'error' || input.code !== EXPECTED_WRONG_KEY_CODE) {
    findings.push(
      fail(
        `a wrong key got ${input.status}${input.code ? ` ${input.code}` : ''}, not error ${EXPECTED_WRONG_KEY_CODE}`,
        "Check that the API is Postal's own (`/api/v1/...`) and not an intermediary answering for it",
      ),
    );
  }

  return verdictFrom({
    findings,
    passSummary: `a wrong key is refused with ${EXPECTED_WRONG_KEY_CODE}`,
    expected: `status "error", code "${EXPECTED_WRONG_KEY_CODE}"`,
    observed: `status "${input.status ?? 'none'}", code "${input.code ?? 'none'}"`,
    evidence: [{ label: 'api answer to a wrong key', detail: shown }],
  });
}
