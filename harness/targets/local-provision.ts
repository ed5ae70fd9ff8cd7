/**
 * `--env=local` provisions the containers it starts with phase 1 and phase 2 of `npm run provision`, over an
 * exec transport in place of SSH (provisioning/remote/exec-session.ts): the same steps, scripts and
 * postconditions — postal.yml with SMTP TLS, `postal initialize`, the accounts through Postal's runner, the
 * deliverables, the internal test, then Postal's records published and its DNS check run. The suite then reads
 * what Postal generated (the API keys, postal-state.json) as it would after a real install: nothing is assumed.
 *
 * The exec command is the engine's `exec -i <container> <server shell>` (or the compose CLI's `exec -T <service>`
 * where the engine has no CLI of its own); with the stand-in image the server
 * shell is the world's server host inside the container (its stand-ins for docker, ufw, apt-get and curl act
 * on the Postal stand-in), so the run stays possible where no image registry answers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { API_KEYS_FILE_NAME, readCredentialsFile } from '../../core/artifacts/api-keys-file.ts';
import { POSTAL_STATE_FILE_NAME, readPostalState } from '../../core/artifacts/postal-state.ts';
import { provisionPhaseOne } from '../../provisioning/deploy/provision-phase-one.ts';
import { provisionPhaseTwo } from '../../provisioning/deploy/phase-two.ts';
import { openExecSession } from '../../provisioning/remote/exec-session.ts';
import type { WorldDescription } from './embedded-description.ts';

/** The file provisioning writes the DNS records Postal needs into (deliverables.ts). */
const DNS_RECORDS_FILE = 'postal-dns-records.txt';

export interface LocalProvisionOptions {
  world: WorldDescription;
  deployment: Deployment;
  /** the exec of the Postal container, e.g. ['podman', 'exec', '-i', '<project>_postal_1'] or ['docker-compose', …, 'exec', '-T', 'postal'] */
  execPrefix: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** where the deliverables go (the run folder: removed with it) */
  out: string;
  log: (line: string) => void;
  /** how long phase 2 waits for the records in the world's DNS (they are published at once) */
  dnsWaitMs?: number;
}

export interface LocalProvisionResult {
  /** the world as the suite sees it once provisioned: Postal's own keys and what it generated */
  world: WorldDescription;
  /** what a reader of the report is told about it */
  summary: string;
}

export async function provisionLocalContainers(options: LocalProvisionOptions): Promise<LocalProvisionResult> {
  const { world, deployment, out, log } = options;
  const host = world.serverHost;
  if (!host)
    throw new Error('the stand-in container started no server host (world/main.ts --empty): there is nothing to provision through');
  const session = openExecSession({ argv: [...options.execPrefix, host.shell], env: options.env, cwd: options.cwd });
  // Postal's API by address (its certificate carries it): the harness's own resolver is not the world's DNS.
  const webPort = new URL(world.postal.webUrl).port;
  const apiUrl = `https://${world.postalAddress}${webPort ? `:${webPort}` : ''}`;
  const settings = { dryRun: false, out, root: host.root, apiUrl, target: { user: 'root', host: host.address, port: host.port } };
  const one = await provisionPhaseOne({ session, deployment, settings, caPem: world.caPem, internalTestTimeoutMs: 60_000, log });
  if (!one.ok) throw new Error(`provisioning the containers (phase 1) failed its internal test; its log is above`);

  // The operator's part between the phases: publish postal-dns-records.txt with the DNS provider (the world's API).
  if (!world.dns.providerApi) throw new Error("the world names no DNS provider API: Postal's records cannot be published");
  const published = await fetch(`${world.dns.providerApi}/records`, {
    method: 'POST',
    body: readFileSync(join(out, DNS_RECORDS_FILE), 'utf8'),
  });
  const answer = (await published.text()).trim();
  if (!published.ok) throw new Error(`the world's DNS provider refused ${DNS_RECORDS_FILE}: HTTP ${published.status} ${answer}`);
  log(`Published ${DNS_RECORDS_FILE} with the world's DNS provider: ${answer}`);

  const two = await provisionPhaseTwo({
    session,
    deployment,
    settings: { out, root: host.root, waitMs: options.dnsWaitMs ?? 60_000, dnsResolver: world.dns.primary },
    log,
    pollIntervalMs: 500,
  });
  if (!two.ok) throw new Error(`provisioning the containers (phase 2) failed; its log is above`);

  const statePath = join(out, POSTAL_STATE_FILE_NAME);
  const state = readPostalState(statePath);
  const keysFile = join(out, API_KEYS_FILE_NAME);
  // The SMTP credential Postal holds is the one provisioning created (its "smtp" line), not the one the empty
  // world's own files name: Postal refuses that one with 535.
  const { smtpKey } = readCredentialsFile(keysFile);
  const { smtpCredentialKey: _worldOwn, ...rest } = world;
  return {
    world: {
      ...rest,
      ...(smtpKey ? { smtpCredentialKey: smtpKey } : {}),
      apiKeysFile: keysFile,
      postal: { ...world.postal, stateFile: statePath, dkimRecord: state.dkim.record },
    },
    summary: `provisioned by \`npm run provision\`'s phase 1 and phase 2 through \`${[...options.execPrefix, host.shell].join(' ')}\` (${one.changed} changes; Postal made the selector ${state.dkim.selector}; its DNS check says DKIM ${state.dnsCheck?.dkim ?? '?'})`,
  };
}
