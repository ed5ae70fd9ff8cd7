/**
 * Phase 2 of MailGoat's plan, after the records of postal-dns-records.txt are published:
 * 1. wait until DNS serves what Postal will check — exactly one TXT at `<Postal's selector>._domainkey`
 *    equal to the record Postal made, and the return-path CNAME — polled until the deadline (the plan's
 *    24–48 h), printing what is still missing;
 * 2. run Postal's own DNS check of the domain through its runner (`domain.check_dns`, the accounts script
 *    with POSTAL_QA_CHECK_DNS=1): Postal re-checks by itself only hourly, and only domains checked at
 *    least an hour before (check_all_dns_scheduled_task.rb), signing with its fallback key meanwhile;
 * 3. write Postal's statuses into postal-state.json.
 * It reads what phase 1 wrote (postal-state.json, the install secrets); it creates no account.
 */
import { promises as dns } from 'node:dns';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { checkPostalDkimRecord, checkPostalReturnPath } from '../../core/artifacts/postal-dns-checks.ts';
import { POSTAL_STATE_FILE_NAME, readPostalState, renderPostalState, type PostalState } from '../../core/artifacts/postal-state.ts';
import { createResolver } from '../../core/dns/resolver.ts';
import { pollUntil } from '../../core/poll.ts';
import { ACCOUNTS_RUNNER_PATH, ACCOUNTS_RUNNER_REMOTE_NAME } from '../postal/accounts-runner-path.ts';
import type { ProvisionSettings } from '../remote/provision-settings.ts';
import type { RemoteSession } from '../remote/ssh-session.ts';
import { buildAccountsPlan, parseAccountsResult } from './accounts-plan.ts';
import { postalStateOf } from './deliverables.ts';
import { ensureInstallSecrets } from './install-secrets.ts';
import { accountsInput, accountsScript } from './remote-scripts.ts';
import { runScriptWithInput } from './server-steps.ts';

export interface PublishedRecords {
  dkim: { status: string; error?: string };
  returnPath: { status: string; error?: string };
}

/** What DNS serves now, judged by Postal's own two checks (has_dns_checks.rb). */
export async function publishedRecords(state: PostalState, deployment: Deployment, resolverServer: string): Promise<PublishedRecords> {
  const resolver =
    resolverServer === 'system'
      ? new dns.Resolver({ timeout: 5_000, tries: 2 })
      : createResolver(resolverServer, { timeoutMs: 3_000, tries: 2 });
  const dkimName = `${state.dkim.selector}._domainkey.${state.domain}`;
  const returnPathName = `${deployment.dns.returnPath.name}.${state.domain}`;
  const txt = await resolver.resolveTxt(dkimName).then(
    (rs) => rs.map((chunks) => chunks.join('')),
    () => [] as string[],
  );
  const cnames = await resolver.resolveCname(returnPathName).catch(() => [] as string[]);
  return {
    dkim: checkPostalDkimRecord(dkimName, txt, state.dkim.record),
    returnPath: checkPostalReturnPath(returnPathName, cnames, deployment.dns.returnPath.target),
  };
}

const missing = (p: PublishedRecords): string[] =>
  [
    p.dkim.status !== 'OK' ? `DKIM ${p.dkim.status}: ${p.dkim.error}` : '',
    p.returnPath.status !== 'OK' ? `return path ${p.returnPath.status}: ${p.returnPath.error}` : '',
  ].filter(Boolean);

export interface PhaseTwoOptions {
  session: RemoteSession;
  deployment: Deployment;
  settings: Pick<ProvisionSettings, 'out' | 'root' | 'waitMs' | 'dnsResolver'>;
  log: (line: string) => void;
  /** first pause between DNS questions (default 30 s, doubling up to 10 min) */
  pollIntervalMs?: number;
}

export async function provisionPhaseTwo(options: PhaseTwoOptions): Promise<{ ok: boolean }> {
  const { deployment, settings, log } = options;
  const statePath = join(settings.out, POSTAL_STATE_FILE_NAME);
  const state = readPostalState(statePath, '--out');
  const dkimName = `${state.dkim.selector}._domainkey.${state.domain}`;
  const hours = (ms: number): string =>
    ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(ms % 3_600_000 ? 1 : 0)} h` : `${Math.round(ms / 60_000)} min`;

  log(
    `[1/3] Postal's records in DNS (asked at ${settings.dnsResolver === 'system' ? "the system's resolver" : settings.dnsResolver}; waiting up to ${hours(settings.waitMs)}): TXT ${dkimName} and CNAME ${deployment.dns.returnPath.name}.${state.domain}`,
  );
  let said = '';
  const polled = await pollUntil(
    async () => {
      const published = await publishedRecords(state, deployment, settings.dnsResolver);
      // What is still missing, each time it changes (not every question: a wait may last two days).
      const now = missing(published).join('; ');
      if (now && now !== said) log(`  still missing: ${(said = now)}`);
      return published;
    },
    (p) => missing(p).length === 0,
    {
      timeoutMs: settings.waitMs,
      intervalMs: options.pollIntervalMs ?? 30_000,
      maxIntervalMs: Math.max(options.pollIntervalMs ?? 30_000, 600_000),
    },
  );
  if (!polled.settled) {
    log(
      `  FAILED: after ${hours(polled.elapsedMs)} DNS still does not serve Postal's records (${missing(polled.value).join('; ')}). Publish postal-dns-records.txt from ${settings.out} exactly as written, then run --phase=2 again.`,
    );
    return { ok: false };
  }
  log(
    `  ok: both served as Postal will check them (${polled.attempts} question${polled.attempts === 1 ? '' : 's'}, ${(polled.elapsedMs / 1000).toFixed(1)} s)`,
  );

  log(`[2/3] Postal's DNS check of ${state.domain} (domain.check_dns through its runner)`);
  const secrets = ensureInstallSecrets(settings.out, `admin@${deployment.domain}`).secrets;
  const plan = buildAccountsPlan(deployment, {
    email_address: secrets.adminEmail,
    first_name: 'Postal',
    last_name: 'Admin',
    password: secrets.adminPassword,
  });
  const env = { session: options.session, root: settings.root, deployment };
  const script = readFileSync(ACCOUNTS_RUNNER_PATH, 'utf8');
  const askPostal = async (): Promise<ReturnType<typeof parseAccountsResult>> =>
    parseAccountsResult(
      await runScriptWithInput(
        env,
        "running Postal's DNS check",
        accountsScript(settings.root, ACCOUNTS_RUNNER_REMOTE_NAME, false, { checkDns: true }),
        accountsInput(script, JSON.stringify(plan)),
      ),
    );
  const heldSelector = (r: ReturnType<typeof parseAccountsResult>): boolean =>
    r.dkim_selector === state.dkim.selector && r.dkim_record?.trim() === state.dkim.record;
  // Postal asks the domain's authoritative servers itself, and calls a lookup that failed "Missing": a check that
  // disagrees with what DNS just served is asked again (as "Check my records" would be) until the same deadline.
  let told = '';
  const checked = await pollUntil(
    async () => {
      const r = await askPostal();
      const dkim = postalStateOf(deployment, r, state.installDkimRecord ?? state.dkim.record).dnsCheck;
      const now = dkim && dkim.dkim !== 'OK' ? `DKIM ${dkim.dkim}${dkim.dkimError ? ` (${dkim.dkimError})` : ''}` : '';
      if (now && now !== told) log(`  Postal says ${(told = now)}; asking it again`);
      return r;
    },
    (r) => !heldSelector(r) || postalStateOf(deployment, r, state.installDkimRecord ?? state.dkim.record).dnsCheck?.dkim === 'OK',
    {
      timeoutMs: Math.max(0, settings.waitMs - polled.elapsedMs),
      intervalMs: options.pollIntervalMs ?? 30_000,
      maxIntervalMs: Math.max(options.pollIntervalMs ?? 30_000, 600_000),
    },
  );
  const result = checked.value;
  if (!heldSelector(result)) {
    log(
      `  FAILED: Postal now holds ${result.dkim_selector ?? 'no selector'} for ${state.domain}, not the ${state.dkim.selector} of ${statePath}: run phase 1 again to write its records`,
    );
    return { ok: false };
  }
  const { dnsCheck } = postalStateOf(deployment, result, state.installDkimRecord ?? state.dkim.record);
  const dkimOk = dnsCheck?.dkim === 'OK';
  log(
    `  Postal says: DKIM ${dnsCheck?.dkim ?? '?'}${dnsCheck?.dkimError ? ` (${dnsCheck.dkimError})` : ''}, return path ${dnsCheck?.returnPath ?? '?'}`,
  );

  log(`[3/3] ${statePath}: Postal's statuses`);
  const tmp = `${statePath}.${process.pid}.tmp`;
  writeFileSync(tmp, renderPostalState({ ...state, dnsCheck }), { mode: 0o644 });
  renameSync(tmp, statePath);
  if (!dkimOk) {
    log(
      `  FAILED: Postal's own check does not find its DKIM record (it asks the domain's authoritative servers): it keeps signing with its fallback key. Compare TXT ${dkimName} there with postal-dns-records.txt.`,
    );
    return { ok: false };
  }
  log(`Postal now signs ${state.domain}'s mail with d=${state.domain}; s=${state.dkim.selector}.`);
  return { ok: true };
}
