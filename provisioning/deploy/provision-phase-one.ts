/** The five steps of phase 1 wired together (main.ts is the command around it; tests call this). */
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { API_KEYS_FILE_NAME, readCredentialsFile } from '../../core/artifacts/api-keys-file.ts';
import { join } from 'node:path';
import type { ProvisionSettings } from '../remote/provision-settings.ts';
import type { RemoteSession } from '../remote/ssh-session.ts';
import { buildAccountsPlan, type AccountsPlan } from './accounts-plan.ts';
import { accountsStep } from './accounts-step.ts';
import { deliverablesStep } from './deliverables-step.ts';
import { ensureInstallSecrets, type InstallSecrets } from './install-secrets.ts';
import { internalTest } from './internal-test.ts';
import { runSteps } from './run-steps.ts';
import { postalInstallStep, serverPreparationStep, type StepEnv } from './server-steps.ts';
import { probeStartTls } from './smtp-tls.ts';

export interface PhaseOneOptions {
  session: RemoteSession;
  deployment: Deployment;
  settings: Pick<ProvisionSettings, 'dryRun' | 'out' | 'root' | 'apiUrl' | 'target'> & { force?: boolean };
  submission?: boolean;
  /** import this DKIM key instead of keeping Postal's (the world publishes provisioning's key) */
  dkimPrivateKeyPem?: string;
  internalTestTimeoutMs?: number;
  /** a CA to trust for Postal's API (a test world's); otherwise the system store and NODE_EXTRA_CA_CERTS */
  caPem?: string;
  log: (line: string) => void;
}

export async function provisionPhaseOne(options: PhaseOneOptions): Promise<{ ok: boolean; changed: number }> {
  const { deployment, settings, log } = options;
  const env: StepEnv = { session: options.session, root: settings.root, deployment };
  const apiUrl = settings.apiUrl ?? `https://${deployment.server.webHost}`;
  // Secrets are made on first use only: a dry run writes nothing, here or there.
  let secrets: InstallSecrets | undefined;
  const getSecrets = (): InstallSecrets => (secrets ??= ensureInstallSecrets(settings.out, `admin@${deployment.domain}`).secrets);
  let plan: AccountsPlan | undefined;
  const getPlan = (): AccountsPlan => {
    if (plan) return plan;
    const s = settings.dryRun ? { adminEmail: `admin@${deployment.domain}`, adminPassword: 'dry-run-unused' } : getSecrets();
    return (plan = buildAccountsPlan(
      deployment,
      { email_address: s.adminEmail, first_name: 'Postal', last_name: 'Admin', password: s.adminPassword },
      options.dkimPrivateKeyPem ? { dkimPrivateKeyPem: options.dkimPrivateKeyPem } : {},
    ));
  };
  // STARTTLS is checked as a sending server meets it: port 25 of the host provisioning reaches.
  const install = postalInstallStep(env, getSecrets, {
    probeStartTls: () =>
      probeStartTls({ host: settings.target.host, mailHost: deployment.server.mailHost, ...(options.caPem ? { ca: options.caPem } : {}) }),
  });
  const accounts = accountsStep(env, getPlan, {
    postalReady: async () => {
      const o = await install.observe();
      return o.initialized && deployment.postal.services.every((s) => o.services.get(s) === 'running');
    },
  });
  const steps = [
    serverPreparationStep(env, { sshPort: settings.target.port, submission: options.submission ?? false }),
    install,
    accounts,
    deliverablesStep(env, deployment, settings.out, apiUrl, () => accounts.last, settings.force),
  ];
  // The internal test is the fifth step: it changes nothing, so it runs after the steps that do.
  const summary = await runSteps(steps, { dryRun: settings.dryRun, log, total: steps.length + 1 });
  if (settings.dryRun) {
    log(`[5/5] internal test: skipped in a dry run (it sends a message)`);
    log(
      `Dry run: ${summary.changed} change${summary.changed === 1 ? '' : 's'} would be made (${summary.perStep.map((s) => `${s.id} ${s.changed}`).join(', ')}); nothing was changed.`,
    );
    return { ok: true, changed: summary.changed };
  }
  log(`[5/5] internal test: one agent's message reaches another through the deployment`);
  const keys = readCredentialsFile(join(settings.out, API_KEYS_FILE_NAME)).apiKeys;
  const [from, to] = deployment.agents;
  const test = await internalTest({
    apiUrl,
    fromAddress: from!.address,
    fromKey: keys.get(from!.address.toLowerCase())!,
    toAddress: to!.address,
    timeoutMs: options.internalTestTimeoutMs ?? 120_000,
    ...(options.caPem ? { caPem: options.caPem } : {}),
  });
  log(`  ${test.ok ? 'ok' : 'FAILED'}: ${test.detail}`);
  log(`Provisioned: ${summary.changed} changed (${summary.perStep.map((s) => `${s.id} ${s.changed}`).join(', ')}).`);
  return { ok: test.ok, changed: summary.changed };
}
