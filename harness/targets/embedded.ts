/**
 * The embedded target: starts the world (a process of its own, booted from provisioning's artifacts)
 * and tells the specs only what a live deployment would tell them — addresses, credentials, a CA to
 * trust. Only the harness's embedded target may import world/, and only to start it and name its faults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/config-error.ts';
import { readUserFile } from '../../core/read-user-file.ts';
import { normalizeName, parseZoneFile, ZoneFileError } from '../../core/artifacts/zone-file.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { FAULTS, faultSurfaces, findFault } from '../../world/faults.ts';
import type { AccountsManifest } from '../../core/artifacts/accounts-manifest.ts';
import { ensureSystemPackages } from '../../world/system-packages.ts';
import type { WorldDescription } from '../../world/world-description.ts';
import { descriptionSecrets } from '../../world/world-description.ts';
import type { RunOptions } from '../config/run-options.ts';
import { startWorldProcess, type WorldProcess } from './embedded-world.ts';
import type { OpenTarget, TargetDescriptor } from './target.ts';
import { resolveLiveSettings, type LiveSettings } from '../config/live-settings.ts';
import { AREAS } from '../controls/catalog.ts';
import { liveEnvFor } from '../../world/live-env.ts';
import { openLiveTarget } from './live.ts';

/**
 * Provisioning's output folder: the deliverables a user publishes (postal-dns-records.txt with Postal's
 * real DKIM key, postal-api-keys.txt). A test run never writes there: each world provisions itself into
 * a folder of its own run (worldFilesDir).
 */
export const ARTIFACTS_DIR = 'artifacts';

/** A fresh folder for one world's generated files (zone, keys, manifest, CA), removed with the world. */
export function worldFilesDir(net: string): string {
  return mkdtempSync(join(tmpdir(), `postal-qa-world-${net}-`));
}

/**
 * The world's /24 inside 127/8. POSTAL_QA_WORLD_NET lets several worlds run side by side
 * (each host keeps its real port on its own address, so two worlds must not share a net).
 */
export const worldNet = (env: NodeJS.ProcessEnv = process.env): string => env.POSTAL_QA_WORLD_NET || '127.0.0';

/** One line per fault, for --list-faults. */
export function describeFaults(): string {
  const width = Math.max(...FAULTS.map((f) => f.name.length));
  return FAULTS.map((f) => `${f.name.padEnd(width)}  ${f.description}`).join('\n');
}

export const faultNames = (): string[] => FAULTS.map((f) => f.name);

/** Each fault's public source (world/faults.ts), for the fault matrix's report. */
export const faultSources = (): Map<string, string> => new Map(FAULTS.map((f) => [f.name, f.source]));

/** The parts of the world each fault changes (the fault matrix groups faults that change disjoint parts). */
export function describeFaultSurfaces(deployment: Deployment, zoneText: string, manifest: AccountsManifest): Map<string, string[]> {
  return new Map(FAULTS.map((f) => [f.name, faultSurfaces(f, { deployment }, zoneText, manifest)]));
}

/** The Debian packages the world needs, installed when this process may; otherwise the line to show. */
export { ensureSystemPackages };
/** The Debian packages the world and the tests need (derived in world/system-packages.ts), for .ci/run. */
export { DEBCONF_PRESELECTIONS, PACKAGE_NEEDS, packagesFor, SYSTEM_PACKAGES, type PackageNeed } from '../../world/system-packages.ts';

export interface EmbeddedWorldOptions {
  deploymentPath: string;
  zoneFile?: string;
  faults?: string[];
  net?: string;
  artifactsDir?: string;
  postalSpamd?: boolean;
  postalRspamd?: boolean;
}

/**
 * What the embedded target is given, checked before anything starts (the CLI calls this before it
 * opens the target): known faults, a readable zone file of at most 1 MB, a world net inside 127/8.
 */
export function checkEmbeddedOptions(
  options: Pick<EmbeddedWorldOptions, 'faults' | 'zoneFile' | 'net'>,
  env: NodeJS.ProcessEnv = process.env,
  deployment?: Deployment,
): void {
  for (const name of options.faults ?? []) {
    if (!findFault(name)) throw new ConfigError(`--fault=${name}: no such fault; --list-faults shows the ${FAULTS.length} there are`);
  }
  if (options.zoneFile) {
    const text = readUserFile({
      path: options.zoneFile,
      namedBy: '--zone-file',
      what: 'zone file',
      whenMissing: `give the path of a zone file like ${ARTIFACTS_DIR}/postal-dns-records.txt`,
    });
    // Parsed as the world will parse it: a broken zone is one line now, not a world that starts and fails.
    if (deployment) {
      try {
        parseZoneFile(text, { origin: normalizeName(deployment.domain), defaultTtl: deployment.dns.ttl });
      } catch (error) {
        if (!(error instanceof ZoneFileError)) throw error;
        throw new ConfigError(`--zone-file=${options.zoneFile}: ${error.message}`);
      }
    }
  }
  const net = options.net ?? worldNet(env);
  // Canonical dotted quad: 127.0.040 is not 127.0.40 to every tool (some read a leading zero as octal).
  const octet = '(0|[1-9]\\d{0,2})';
  const octets = new RegExp(`^127\\.${octet}\\.${octet}$`).exec(net);
  if (!octets || Number(octets[1]) > 255 || Number(octets[2]) > 255) {
    throw new ConfigError(
      `POSTAL_QA_WORLD_NET: expected the first three octets of a loopback /24 like 127.0.16 (no leading zeros), found ${JSON.stringify(net)}`,
    );
  }
}

/**
 * Starts a world for scripts (benchmarks, the fault matrix's helpers) through the same path the target
 * uses. Without `artifactsDir` the world provisions itself into a folder of its own (worldFilesDir),
 * removed when it stops: never into provisioning's `artifacts/`, never shared with another run.
 */
export async function startEmbeddedWorld(options: EmbeddedWorldOptions): Promise<WorldProcess> {
  checkEmbeddedOptions(options);
  const missingPackages = ensureSystemPackages(options.postalRspamd ? ['suite', 'rspamd'] : ['suite']);
  if (missingPackages) throw new ConfigError(missingPackages);
  const net = options.net ?? worldNet();
  const ownFolder = options.artifactsDir === undefined ? worldFilesDir(net) : undefined;
  // The world removes its own folder when it exits; a signal to the whole job can kill it before its
  // handlers are in place (tsx still loading), and a hard stop exits this process without waiting for it.
  const removeOwnFolder = (): void => {
    process.removeListener('exit', removeOwnFolder);
    if (ownFolder) rmSync(ownFolder, { recursive: true, force: true });
  };
  process.once('exit', removeOwnFolder);
  try {
    const world = await startWorldProcess({
      deploymentPath: options.deploymentPath,
      artifactsDir: options.artifactsDir ?? ownFolder!,
      temporaryArtifactsDir: ownFolder !== undefined,
      net,
      zoneFile: options.zoneFile,
      faults: options.faults ?? [],
      postalSpamd: options.postalSpamd,
      postalRspamd: options.postalRspamd,
    });
    if (!ownFolder) return world;
    return { ...world, stop: () => world.stop().finally(removeOwnFolder) };
  } catch (error) {
    removeOwnFolder();
    throw error;
  }
}

export async function openEmbeddedTarget(options: RunOptions, deployment: Deployment): Promise<OpenTarget> {
  const world = await startEmbeddedWorld({ deploymentPath: options.deploymentPath, zoneFile: options.zoneFile, faults: options.faults });
  try {
    return { ...(await describeEmbeddedTarget(world.description, deployment, options)), close: () => world.stop() };
  } catch (error) {
    await world.stop();
    throw error;
  }
}

/** The running world as a target: the live target opened with the world's settings, relabelled. */
export async function describeEmbeddedTarget(
  world: WorldDescription,
  deployment: Deployment,
  options: Pick<RunOptions, 'zoneFile'>,
): Promise<Omit<OpenTarget, 'close'>> {
  const live = await openLiveTarget(deployment, embeddedLiveSettings(world, deployment));
  return {
    descriptor: embeddedDescriptor(live.descriptor, world, deployment, options),
    secrets: [...live.secrets, ...descriptionSecrets(world)],
  };
}

/** What the user may add to a world run from the environment: the CLI to try (FN-06 runs its own `inbox serve` on the agents' host). */
const USER_SETTINGS_FOR_THE_WORLD = ['MAILGOAT_CLI'] as const;

/**
 * The world's live settings, as `npm run world -- --live-env` writes them: the embedded target is the
 * live target pointed at the world. Only the CLI command comes from the environment; a live run's
 * POSTAL_API_URL in the shell must not send the embedded suite to production.
 */
export function embeddedLiveSettings(world: WorldDescription, deployment: Deployment, env: NodeJS.ProcessEnv = process.env): LiveSettings {
  const fromUser = Object.fromEntries(USER_SETTINGS_FOR_THE_WORLD.flatMap((key) => (env[key] ? [[key, env[key]]] : [])));
  return resolveLiveSettings(new Set(AREAS), fromUser, liveEnvFor(world, deployment), "the embedded world's live settings");
}

/** The live target's description of the world, relabelled, with what differs from production said. */
export function embeddedDescriptor(
  live: TargetDescriptor,
  world: WorldDescription,
  deployment: Deployment,
  options: Pick<RunOptions, 'zoneFile'>,
): TargetDescriptor {
  return {
    ...live,
    env: 'embedded',
    label: `embedded world on ${world.net}.0/24 (loopback replica of ${deployment.server.mailHost})`,
    components: { 'Postal stand-in': `replica of Postal ${deployment.postal.version} (world/postal)`, SpamAssassin: world.spamd.version },
    limitations: [
      'The embedded target is the live target opened with the settings the world writes (`npm run world -- --live-env=<file>`): the same probes and clients run against production.',
      `The world serves ${options.zoneFile ? `the zone file ${options.zoneFile}` : 'the zone generated by provisioning/dns'} with ${deployment.server.ip} mapped to ${world.postalAddress}; real DNS is served by the domain's DNS host.`,
      'Propagation (DNS-07) compares two world resolvers; the live target compares the authoritative servers with public resolvers.',
      'PTR is served by the world; in production the hosting provider (not the domain owner) sets it.',
      `The service list (INF-03) is the world's stand-in for \`docker compose -p postal ps --format json\` (${world.postal.composePsUrl}) and \`docker ps -a --format json\` (${world.postal.containersPsUrl}).`,
      `FN-06 runs the MailGoat CLI with \`server: https://${world.postalAddress}\` and the world CA in NODE_EXTRA_CA_CERTS (live: the web URL and the system store); the recipient's endpoint is the CLI's own \`inbox serve\` on the agents' host ${world.agentHost}, to which the world's receivers pass Postal's signed posts.`,
      ...world.limitations,
      ...live.limitations,
      ...world.faults.map((f) => `Fault injected on purpose: ${f.name} — ${f.description}.`),
    ],
  };
}
