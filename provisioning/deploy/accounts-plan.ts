/**
 * The wanted state the accounts script (provisioning/postal/accounts-runner.rb) applies inside Postal's
 * container: admin, organization, Live server, the domain, one API credential per agent and one SMTP
 * credential, one HTTP endpoint and route per agent, and the catch-all `*` route. Names, URLs and the
 * catch-all come from the same generator the world boots from, so both describe one deployment.
 * Keys are not in the plan: Postal generates them (Credential#generate_key) and the script reads them back.
 */
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { SMTP_CREDENTIAL_NAME } from '../../core/artifacts/accounts-manifest.ts';
import { generateAccountsManifest } from '../accounts/generate-accounts-manifest.ts';

export interface AccountsPlan {
  admin: { email_address: string; first_name: string; last_name: string; password: string };
  organization: { name: string; permalink: string };
  server: { name: string; permalink: string; mode: 'Live' | 'Development' };
  domain: string;
  credentials: Array<{ name: string; type: 'API' | 'SMTP' }>;
  endpoints: Array<{
    name: string;
    url: string;
    encoding: string;
    format: string;
    strip_replies: boolean;
    include_attachments: boolean;
    timeout: number;
  }>;
  routes: Array<{ name: string; spam_mode: string; endpoint: string }>;
  /** PEM of a DKIM key to import (domain.update!(dkim_private_key: …)); absent: Postal's own key is kept */
  dkim_private_key?: string;
  /** The deployment's key size (dns.dkim.keyBits) when above Postal's 1024: the runner makes such a key in Postal's container */
  dkim_key_bits?: number;
}

export function buildAccountsPlan(
  deployment: Deployment,
  admin: AccountsPlan['admin'],
  options: { dkimPrivateKeyPem?: string } = {},
): AccountsPlan {
  const manifest = generateAccountsManifest(deployment, { dkimPrivateKeyFile: '-' });
  const endpointName = new Map(manifest.endpoints.map((e) => [`HTTPEndpoint#${e.uuid}`, e.name]));
  return {
    admin,
    organization: manifest.organization,
    server: { name: manifest.server.name, permalink: manifest.server.permalink, mode: manifest.server.mode },
    domain: manifest.domain.name,
    credentials: manifest.credentials.map((c) => ({ name: c.name, type: c.type })),
    endpoints: manifest.endpoints.map((e) => ({
      name: e.name,
      url: e.url,
      encoding: e.encoding,
      format: e.format,
      strip_replies: e.stripReplies,
      include_attachments: e.includeAttachments,
      timeout: e.timeout,
    })),
    routes: manifest.routes.map((r) => ({ name: r.name, spam_mode: r.spamMode, endpoint: endpointName.get(r.endpoint)! })),
    ...(options.dkimPrivateKeyPem ? { dkim_private_key: options.dkimPrivateKeyPem } : {}),
    ...(!options.dkimPrivateKeyPem && deployment.dns.dkim.keyBits > 1024 ? { dkim_key_bits: deployment.dns.dkim.keyBits } : {}),
  };
}

/** Which credential is which agent's: the generator names them; the script answers by name. */
export function credentialOwners(deployment: Deployment): Map<string, string> {
  const manifest = generateAccountsManifest(deployment, { dkimPrivateKeyFile: '-' });
  const owners = new Map<string, string>();
  for (const c of manifest.credentials) owners.set(`${c.type} ${c.name}`, c.type === 'SMTP' ? SMTP_CREDENTIAL_NAME : c.agentId!);
  return owners;
}

/** What the script prints after "POSTAL_QA_RESULT ". */
export interface AccountsResult {
  dry_run: boolean;
  changes: string[];
  server_token: string | null;
  dkim_selector: string | null;
  dkim_record: string | null;
  dns: {
    spf: string | null;
    dkim: string | null;
    mx: string | null;
    return_path: string | null;
    spf_error?: string | null;
    dkim_error?: string | null;
    checked_at: string | null;
  } | null;
  credentials: Array<{ name: string; type: 'API' | 'SMTP'; key: string | null }>;
}

export const RESULT_MARKER = 'POSTAL_QA_RESULT ';

/** The script's result line among whatever Rails printed; one clear error when there is none. */
export function parseAccountsResult(stdout: string): AccountsResult {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line) throw new Error('the accounts script printed no POSTAL_QA_RESULT line (see the runner output on the server)');
  const result = JSON.parse(line.slice(RESULT_MARKER.length)) as AccountsResult;
  if (!Array.isArray(result.changes) || !Array.isArray(result.credentials))
    throw new Error('the accounts script answered without changes or credentials');
  return result;
}
