/**
 * The embedded target: starts the world (a process of its own, booted from provisioning's artifacts)
 * and tells the specs only what a live deployment would tell them — addresses, credentials, a CA to
 * trust. Only the harness's embedded target may import world/, and only to start it and name its faults.
 */
import { ConfigError } from '../../core/config-error.ts';
import { readUserFile } from '../../core/read-user-file.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { FAULTS, findFault } from '../../world/faults.ts';
import { ensureSystemPackages } from '../../world/system-packages.ts';
import type { WorldDescription } from '../../world/world-description.ts';
import { descriptionSecrets } from '../../world/world-description.ts';
import type { RunOptions } from '../config/run-options.ts';
import { startWorldProcess, type WorldProcess } from './embedded-world.ts';
import type { OpenTarget, TargetDescriptor } from './target.ts';

/** Where provisioning writes what the world boots from (zone, accounts manifest, API keys, DKIM keys). */
export const ARTIFACTS_DIR = 'artifacts';

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

/** The Debian packages the world needs, installed when this process may; otherwise the line to show. */
export { ensureSystemPackages };
/** The Debian packages the world and the tests need (derived in world/system-packages.ts), for .ci/run. */
export { DEBCONF_PRESELECTIONS, SYSTEM_PACKAGES } from '../../world/system-packages.ts';

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
export function checkEmbeddedOptions(options: Pick<EmbeddedWorldOptions, 'faults' | 'zoneFile' | 'net'>, env: NodeJS.ProcessEnv = process.env): void {
  for (const name of options.faults ?? []) {
    if (!findFault(name)) throw new ConfigError(`--fault=${name}: no such fault; --list-faults shows the ${FAULTS.length} there are`);
  }
  if (options.zoneFile) {
    readUserFile({ path: options.zoneFile, namedBy: '--zone-file', what: 'zone file', whenMissing: `give the path of a zone file like ${ARTIFACTS_DIR}/postal-dns-records.txt` });
  }
  const net = options.net ?? worldNet(env);
  const octets = /^127\.(\d{1,3})\.(\d{1,3})$/.exec(net);
  if (!octets || Number(octets[1]) > 255 || Number(octets[2]) > 255) {
    throw new ConfigError(`POSTAL_QA_WORLD_NET: expected the first three octets of a loopback /24 like 127.0.16, found ${JSON.stringify(net)}`);
  }
}

/** Starts a world for scripts (benchmarks, the fault matrix's helpers) through the same path the target uses. */
export function startEmbeddedWorld(options: EmbeddedWorldOptions): Promise<WorldProcess> {
  checkEmbeddedOptions(options);
  const missingPackages = ensureSystemPackages();
  if (missingPackages) throw new ConfigError(missingPackages);
  return startWorldProcess({
    deploymentPath: options.deploymentPath,
    artifactsDir: options.artifactsDir ?? ARTIFACTS_DIR,
    net: options.net ?? worldNet(),
    zoneFile: options.zoneFile,
    faults: options.faults ?? [],
    postalSpamd: options.postalSpamd,
    postalRspamd: options.postalRspamd,
  });
}

export async function openEmbeddedTarget(options: RunOptions, deployment: Deployment): Promise<OpenTarget> {
  const world = await startEmbeddedWorld({ deploymentPath: options.deploymentPath, zoneFile: options.zoneFile, faults: options.faults });
  return {
    descriptor: embeddedDescriptor(world.description, deployment, options),
    secrets: descriptionSecrets(world.description),
    close: () => world.stop(),
  };
}

/** The same URL with the host replaced by an address (the port and path kept). */
function addressUrl(url: string, address: string): string {
  const parsed = new URL(url);
  parsed.hostname = address.includes(':') ? `[${address}]` : address;
  return parsed.toString().replace(/\/$/, '');
}

/** The world's description in the target's terms — the same shape a live deployment's settings give. */
export function embeddedDescriptor(world: WorldDescription, deployment: Deployment, options: Pick<RunOptions, 'zoneFile'>): TargetDescriptor {
  const primary = { label: `world authoritative DNS ${world.dns.primary}`, server: world.dns.primary };
  return {
    env: 'embedded',
    label: `embedded world on ${world.net}.0/24 (loopback replica of ${deployment.server.mailHost})`,
    domain: deployment.domain,
    mailHost: deployment.server.mailHost,
    webHost: deployment.server.webHost,
    serverIp: world.postalAddress,
    publicServerIp: deployment.server.ip,
    dns: {
      primary,
      reverse: primary,
      resolvers: [primary, { label: `world secondary resolver ${world.dns.secondary}`, server: world.dns.secondary }],
    },
    hostResolver: primary.server,
    trustedCaPem: world.caPem,
    postal: {
      webUrl: world.postal.webUrl,
      cliServerUrl: addressUrl(world.postal.webUrl, world.postalAddress),
      smtp: { host: deployment.server.mailHost, port: world.postal.smtp.port },
      healthUrls: [
        { name: 'worker', url: world.postal.workerHealthUrl },
        { name: 'smtp', url: world.postal.smtpHealthUrl },
      ],
      services: { kind: 'http', url: world.postal.composePsUrl },
      containers: { kind: 'http', url: world.postal.containersPsUrl },
      dkimRecord: world.postal.dkimRecord,
      expectedVersion: deployment.postal.version,
    },
    accounts: world.accounts,
    inboxReader: { kind: 'http', urls: Object.fromEntries(world.inboxes.map((i) => [i.agentId, i.listUrl])) },
    mailgoatCli: process.env.MAILGOAT_CLI,
    mailgoatInboxDbTemplate: process.env.MAILGOAT_INBOX_DB,
    inboxDatabases: Object.fromEntries(world.inboxes.flatMap((i) => (i.databasePath ? [[i.agentId, i.databasePath]] : []))),
    seeds: world.seeds.map((s) => ({ provider: s.provider, address: s.address, imap: { ...s.imap, secure: false } })),
    outsideSender: world.sender,
    spamScorer: { host: world.spamd.host, port: world.spamd.port },
    relayProbeRecipient: 'relay-probe@gmail.test',
    timeouts: { dnsMs: 2_000, connectMs: 5_000, deliveryMs: 15_000, propagationMs: 1_000 },
    components: { 'Postal stand-in': `replica of Postal ${deployment.postal.version} (world/postal)`, SpamAssassin: world.spamd.version },
    limitations: [
      `The world serves ${options.zoneFile ? `the zone file ${options.zoneFile}` : 'the zone generated by provisioning/dns'} with ${deployment.server.ip} mapped to ${world.postalAddress}; real DNS is served by the domain's DNS host.`,
      'Propagation (DNS-07) compares two world resolvers; the live target compares the authoritative servers with public resolvers.',
      'PTR is served by the world; in production the hosting provider (not the domain owner) sets it.',
      `The service list (INF-03) is the world's stand-in for \`docker compose -p postal ps --format json\` (${world.postal.composePsUrl}) and \`docker ps -a --format json\` (${world.postal.containersPsUrl}).`,
      `FN-06 runs the MailGoat CLI with \`server: https://${world.postalAddress}\` and the world CA in NODE_EXTRA_CA_CERTS (live: the web URL and the system store); the agents' inbox databases are written by the world's receivers in \`mailgoat inbox serve\`'s format, not by \`inbox serve\` itself.`,
      ...world.limitations,
      ...world.faults.map((f) => `Fault injected on purpose: ${f.name} — ${f.description}.`),
    ],
  };
}
