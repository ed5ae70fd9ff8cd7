/**
 * npm run provision -- --host=<user@host[:port]> [--identity=<key>] [--known-hosts=<file>] [--dry-run]
 *                      [--env-file=<file>] [--deployment=fixtures/deployment.json] [--out=artifacts] [--submission] [--force]
 *                      [--phase=2 [--wait=48h]]
 * Phase 1 of MailGoat's plan as one idempotent, non-interactive command, over SSH (see ssh-session.ts) or an exec
 * transport (--exec / PROVISION_EXEC, exec-session.ts: e.g. `docker exec -i <container> /bin/bash -c`):
 * 1 server preparation · 2 Postal installed · 3 accounts through Postal's runner · 4 deliverables ·
 * 5 a basic internal test. `--phase=2` (after the records are published): waits for them in DNS, then runs
 * Postal's DNS check of the domain (phase-two.ts). Prints progress, never a secret. Exit 0 done, 1 a step failed (named),
 * 2 bad input (one line). Postal 3 needs no RabbitMQ (the plan lists one): none is installed.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/config-error.ts';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import { formatHostSpec } from '../remote/host-spec.ts';
import { loadProvisionSettings } from '../remote/provision-settings.ts';
import { killLiveSessions, openSshSession } from '../remote/ssh-session.ts';
import { killLiveExecs, openExecSession } from '../remote/exec-session.ts';
import { provisionPhaseOne } from './provision-phase-one.ts';
import { assertOwnDeliverables } from '../deliverable-ownership.ts';
import { deliverablePaths } from './deliverables.ts';
import { provisionPhaseTwo } from './phase-two.ts';

async function main(argv: string[]): Promise<number> {
  // --submission is ours alone; the rest are the settings'.
  const submission = argv.includes('--submission');
  const rest = argv.filter((a) => a !== '--submission');
  let settings;
  let deployment;
  try {
    settings = loadProvisionSettings(rest);
    deployment = loadDeployment(settings.deployment);
    // Before the server is touched: a deliverable in --out that provisioning did not write stays the user's.
    assertOwnDeliverables(settings.out, deliverablePaths(deployment, settings.out), settings.force);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`provision: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const session = settings.exec
    ? openExecSession({ argv: settings.exec })
    : openSshSession({
        target: settings.target,
        knownHosts: settings.knownHosts,
        ...(settings.identity ? { identity: settings.identity } : {}),
      });
  const transport = settings.exec ? `through \`${settings.exec.join(' ')}\`` : `host key pinned by ${settings.knownHosts}`;
  console.log(
    `Provisioning ${deployment.name} on ${formatHostSpec(settings.target)} (${transport})${settings.phase === 2 ? " — phase 2: DNS, then Postal's DNS check" : ''}${settings.dryRun ? ' — dry run: nothing will be changed' : ''}`,
  );
  try {
    if (settings.phase === 2)
      return (await provisionPhaseTwo({ session, deployment, settings, log: (line) => console.log(line) })).ok ? 0 : 1;
    const outcome = await provisionPhaseOne({
      session,
      deployment,
      settings,
      submission,
      ...(settings.importDkimKey ? { dkimPrivateKeyPem: readFileSync(settings.importDkimKey, 'utf8') } : {}),
      log: (line) => console.log(line),
    });
    return outcome.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`provision: ${error.message}`);
      return 2;
    }
    console.error(`provision: stopped: ${(error as Error).message}`);
    console.error('provision: run the same command again to resume; what is done is kept.');
    return 1;
  } finally {
    session.close();
  }
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const signal of STOP_SIGNALS) {
  process.on(signal, () => {
    killLiveSessions();
    killLiveExecs();
    console.error(`\nprovision: ${signal}: stopped; run again to resume`);
    process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`provision: ${(error as Error).message}`);
    process.exit(1);
  },
);
