/**
 * INF-06 — every agent's API key authenticates and no two agents share one. The client asks
 * `messages/message` with id 0 (side-effect free: `MessageNotFound` means the key authenticated)
 * and hands over a fingerprint of each key, never the key: this check and its evidence never see a secret.
 */
import { fail, type Finding, verdictFrom } from './findings.ts';
import { maskValue, scrubSecrets } from './secret-scrub.ts';
import type { Verdict } from './verdict.ts';

export interface ApiCredentialResult {
  agentId: string;
  /** e.g. the first 12 hex of sha256(key). Never the key itself. */
  keyFingerprint: string;
  outcome: 'authenticated' | 'invalid' | 'error';
  /** Postal's error code, e.g. "MessageNotFound", "InvalidServerAPIKey", "ServerSuspended". */
  code?: string;
  error?: string;
}

export interface ApiCredentialsInput {
  results: ApiCredentialResult[];
  /** Agents that must each have a key; one without a result fails. */
  expectedAgentIds?: string[];
}

/** A raw Postal key (24 alphanumerics) handed over by mistake is masked, never shown. */
function safeFingerprint(fingerprint: string): string {
  return /^[A-Za-z0-9]{20,}$/.test(fingerprint) && /[g-zG-Z]/.test(fingerprint) ? maskValue(fingerprint) : fingerprint;
}

export function checkApiCredentials(input: ApiCredentialsInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const rows = input.results.map((r) => ({
    agentId: r.agentId,
    key: safeFingerprint(r.keyFingerprint),
    outcome: r.outcome,
    ...(r.code ? { code: r.code } : {}),
    ...(r.error ? { error: scrubSecrets(r.error) } : {}),
  }));

  if (input.results.length === 0) findings.push(fail('no API key was tested', "Test each agent's API key and check again"));
  for (const id of input.expectedAgentIds ?? []) {
    if (!input.results.some((r) => r.agentId === id)) {
      findings.push(
        fail(
          `${id} has no API key to test`,
          `Create an API credential for ${id} on the Postal server and add it to the agents' key file (postal-api-keys.txt)`,
        ),
      );
    }
  }
  for (const row of rows) {
    if (row.outcome === 'invalid') {
      findings.push(
        fail(
          `the API key of ${row.agentId} (${row.key}) is refused${row.code ? `: ${row.code}` : ''}`,
          row.code === 'ServerSuspended'
            ? 'Unsuspend the mail server in Postal (Settings → Suspension)'
            : `Create a Credential of type API (not SMTP) for ${row.agentId} on the mail server and update its key in the agents' key file and CLI config`,
        ),
      );
    } else if (row.outcome === 'error') {
      findings.push(
        fail(
          `the API key of ${row.agentId} could not be tested: ${row.error ?? row.code ?? 'unknown error'}`,
          'Check the API is reachable (INF-01, INF-02) and re-run',
        ),
      );
    }
  }
  const byKey = new Map<string, string[]>();
  for (const r of input.results) byKey.set(r.keyFingerprint, [...(byKey.get(r.keyFingerprint) ?? []), r.agentId]);
  for (const [fingerprint, agents] of byKey) {
    if (agents.length > 1) {
      findings.push(
        fail(
          `${agents.join(', ')} share one API key (${safeFingerprint(fingerprint)}): one agent can send as the other and revoking one breaks both`,
          `Create a separate API credential for each of ${agents.slice(1).join(', ')} and update their configs`,
        ),
      );
    }
  }

  const authenticated = rows.filter((r) => r.outcome === 'authenticated').length;
  return verdictFrom({
    findings,
    passSummary: `${authenticated}/${rows.length} API keys authenticate and all are distinct`,
    expected: `${input.expectedAgentIds?.length ?? rows.length} distinct keys, each authenticated`,
    observed: `${authenticated}/${rows.length} authenticated, ${byKey.size} distinct`,
    evidence: [{ label: 'api keys (fingerprints)', detail: rows }],
  });
}
