/**
 * Step 4: the plan's deliverables, written from what only Postal knows (its generated keys, the
 * domain's DKIM selector and record, its install key's record): `postal-api-keys.txt` (mode 600),
 * `postal-dns-records.txt` with Postal's real DKIM record, `postal-state.json` (what Postal generated:
 * selector, records, token, its last DNS check — the harness reads it), and per agent a MailGoat CLI `config.json`
 * (mode 600 in a mode-700 folder, as the CLI wants) and the email section of its AGENTS.md.
 * (`postal-credentials.env` and `postal-admin.txt` are written before the server is touched:
 * install-secrets.ts.) A file is rewritten only when its content changes, so a second run changes nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { API_KEYS_FILE_NAME, parseApiKeysFile } from '../../core/artifacts/api-keys-file.ts';
import { SMTP_CREDENTIAL_NAME } from '../../core/artifacts/accounts-manifest.ts';
import { generateDnsRecords, renderZoneFile } from '../dns/generate-zone.ts';
import { POSTAL_STATE_FILE_NAME, renderPostalState, type PostalState } from '../../core/artifacts/postal-state.ts';
import { ZONE_FILE_NAME } from '../dns/provision-dns.ts';
import type { AccountsResult } from './accounts-plan.ts';
import { ADMIN_FILE_NAME, CREDENTIALS_FILE_NAME } from './install-secrets.ts';
import type { Change } from './run-steps.ts';
import { writeDeliverable } from '../deliverable-ownership.ts';

export interface Deliverable {
  path: string;
  text: string;
  mode: 0o600 | 0o644;
}

/** The base64 SPKI in a `v=DKIM1; …; p=…;` record. */
export function dkimPublicKeyOf(record: string): string {
  const match = /(?:^|;)\s*p=([A-Za-z0-9+/=]+)\s*;?/.exec(record);
  if (!match) throw new Error("Postal's DKIM record has no p= key");
  return match[1]!;
}

export function renderAgentsSection(agent: Deployment['agents'][number], deployment: Deployment, apiUrl: string): string {
  return `## Email

You have your own mailbox: **${agent.address}** (${agent.name}), on MailGoat's Postal server ${deployment.server.mailHost}.

- Send and read with the MailGoat CLI: \`mailgoat send --to <address> --subject "…" --body "…"\`, \`mailgoat inbox list\`, \`mailgoat read <id>\`.
- Its configuration is \`~/.mailgoat/config.json\` (mode 600): server \`${apiUrl}\`, from address \`${agent.address}\`, and your own API key.
  The key is a secret: never print it, paste it into a message, or commit it.
- Mail to ${agent.address} reaches you through Postal's route to your inbox endpoint; mail to an unknown address at ${deployment.domain} goes to ${deployment.catchAll}@${deployment.domain}.
- Other agents: ${deployment.agents
    .filter((a) => a.id !== agent.id)
    .map((a) => a.address)
    .join(', ')}.
`;
}

export function buildDeliverables(
  deployment: Deployment,
  result: AccountsResult,
  installDkimRecord: string,
  out: string,
  apiUrl: string,
): Deliverable[] {
  if (!result.dkim_selector || !result.dkim_record) throw new Error('Postal gave no DKIM selector or record for the domain');
  const keyOf = (type: string, name: string): string => {
    const key = result.credentials.find((c) => c.type === type && c.name === name)?.key;
    if (!key) throw new Error(`Postal holds no ${type} credential named ${name}`);
    return key;
  };
  const keysText =
    [
      `# Postal API credentials for ${deployment.domain}, as Postal generated them (read back by npm run provision).`,
      '# SECRET: keep this file mode 600; never commit, paste or log it.',
      '# Format: "<agent address> <API key>" per line (X-Server-API-Key); "smtp <key>" is the SMTP AUTH password.',
      ...deployment.agents.map((a) => `${a.address} ${keyOf('API', a.id)}`),
      `${SMTP_CREDENTIAL_NAME} ${keyOf('SMTP', SMTP_CREDENTIAL_NAME)}`,
    ].join('\n') + '\n';
  parseApiKeysFile(keysText, API_KEYS_FILE_NAME); // the live harness must be able to read what we write

  const withPostalSelector: Deployment = {
    ...deployment,
    dns: { ...deployment.dns, dkim: { ...deployment.dns.dkim, selector: result.dkim_selector } },
  };
  const records = generateDnsRecords(withPostalSelector, dkimPublicKeyOf(result.dkim_record), dkimPublicKeyOf(installDkimRecord));
  const files: Deliverable[] = [
    { path: join(out, API_KEYS_FILE_NAME), text: keysText, mode: 0o600 },
    { path: join(out, ZONE_FILE_NAME), text: renderZoneFile(records, withPostalSelector), mode: 0o644 },
    { path: join(out, POSTAL_STATE_FILE_NAME), text: renderPostalState(postalStateOf(deployment, result, installDkimRecord)), mode: 0o644 },
  ];
  for (const agent of deployment.agents) {
    const config = { server: apiUrl, fromAddress: agent.address, fromName: agent.name, api_key: keyOf('API', agent.id) };
    files.push({ path: join(out, 'agents', agent.id, 'config.json'), text: JSON.stringify(config, null, 2) + '\n', mode: 0o600 });
    files.push({
      path: join(out, 'agents', agent.id, 'AGENTS-email.md'),
      text: renderAgentsSection(agent, deployment, apiUrl),
      mode: 0o644,
    });
  }
  return files;
}

/** What Postal generated, for the harness and phase 2: its selector and records, its token, its last DNS check. */
export function postalStateOf(deployment: Deployment, result: AccountsResult, installDkimRecord: string): PostalState {
  const dns = result.dns;
  const status = (value: string | null | undefined): 'OK' | 'Missing' | 'Invalid' | null =>
    value === 'OK' || value === 'Missing' || value === 'Invalid' ? value : null;
  return {
    version: 1,
    domain: deployment.domain,
    dkim: { selector: result.dkim_selector!, record: result.dkim_record!.trim() },
    installDkimRecord: installDkimRecord.trim(),
    ...(result.server_token ? { serverToken: result.server_token } : {}),
    dnsCheck: dns
      ? {
          spf: status(dns.spf),
          dkim: status(dns.dkim),
          mx: status(dns.mx),
          returnPath: status(dns.return_path),
          dkimError: dns.dkim_error ?? null,
        }
      : null,
  };
}

function current(file: Deliverable): boolean {
  return existsSync(file.path) && readFileSync(file.path, 'utf8') === file.text && (statSync(file.path).mode & 0o777) === file.mode;
}

/** Every file provisioning writes into `out`: checked before the server is touched (a file it did not write is refused without --force). */
export function deliverablePaths(deployment: Deployment, out: string): string[] {
  return [
    join(out, CREDENTIALS_FILE_NAME),
    join(out, ADMIN_FILE_NAME),
    join(out, API_KEYS_FILE_NAME),
    join(out, ZONE_FILE_NAME),
    ...deployment.agents.flatMap((a) => [join(out, 'agents', a.id, 'config.json'), join(out, 'agents', a.id, 'AGENTS-email.md')]),
  ];
}

/** One change per file that is missing, different or has the wrong mode; a file provisioning did not write is refused unless `force`. */
export function deliverableChanges(files: Deliverable[], out: string, force = false): Change[] {
  return files
    .filter((f) => !current(f))
    .map((file) => ({
      what: `write ${file.path} (mode ${file.mode.toString(8)})`,
      apply: () => Promise.resolve(writeDeliverable(out, file.path, file.text, file.mode, force)),
    }));
}

export function deliverableProblems(files: Deliverable[]): string[] {
  return files.filter((f) => !current(f)).map((f) => `${f.path} is missing, stale or not mode ${f.mode.toString(8)}`);
}
