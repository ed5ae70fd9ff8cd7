import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.ts';
import type { Deployment } from '../config/deployment-schema.ts';
import type { RunOptions } from '../config/run-options.ts';
import { provisionAccounts } from '../../provisioning/accounts/provision-accounts.ts';
import { provisionDns } from '../../provisioning/dns/provision-dns.ts';
import { applyZoneFaults, FAULTS, findFault, type WorldFault } from '../../world/faults.ts';
import { ensureSystemPackages } from '../../world/system-packages.ts';
import { startWorld } from '../../world/world.ts';
import type { OpenTarget } from './target.ts';

/** Where provisioning writes what the world boots from (zone, accounts manifest, API keys, DKIM keys). */
export const ARTIFACTS_DIR = 'artifacts';

/**
 * The world's /24 inside 127/8. POSTAL_QA_WORLD_NET lets several worlds run side by side
 * (each host keeps its real port on its own address, so two worlds must not share a net).
 */
export const worldNet = (env: NodeJS.ProcessEnv = process.env): string => env.POSTAL_QA_WORLD_NET || '127.0.0';

/**
 * The embedded target: provisions the deployment's artifacts, boots the world from them and tells
 * the specs only the world's addresses. This is the only module of the harness that may import world/.
 */
/** One line per fault, for --list-faults. */
export function describeFaults(): string {
  const width = Math.max(...FAULTS.map((f) => f.name.length));
  return FAULTS.map((f) => `${f.name.padEnd(width)}  ${f.description} → ${f.expected.join(', ')}`).join('\n');
}

function resolveFaults(names: string[]): WorldFault[] {
  return names.map((name) => {
    const fault = findFault(name);
    if (!fault) throw new ConfigError(`--fault=${name}: no such fault; --list-faults shows the ${FAULTS.length} there are`);
    return fault;
  });
}

export async function openEmbeddedTarget(options: RunOptions, deployment: Deployment): Promise<OpenTarget> {
  const faults = resolveFaults(options.faults);
  const missingPackages = ensureSystemPackages();
  if (missingPackages) throw new ConfigError(missingPackages);
  const provisioned = provisionDns(deployment, ARTIFACTS_DIR);
  const accounts = provisionAccounts(deployment, ARTIFACTS_DIR);
  const zonePath = options.zoneFile ?? provisioned.zoneFilePath;
  if (options.zoneFile && !existsSync(options.zoneFile)) {
    throw new ConfigError(`--zone-file=${options.zoneFile}: file not found; give the path of a zone file like ${provisioned.zoneFilePath}`);
  }
  const faultContext = { deployment };
  // The generated zone comes from memory: parallel runs rewrite the file and must never read half of it.
  const publishedZone = options.zoneFile ? readFileSync(options.zoneFile, 'utf8') : provisioned.zoneText;
  let manifest = accounts.manifest;
  for (const fault of faults) if (fault.manifest) manifest = fault.manifest(manifest, faultContext);
  let world;
  try {
    world = await startWorld({
      deployment,
      zoneText: applyZoneFaults(publishedZone, faults, faultContext, 'zone') ?? publishedZone,
      staleZoneText: applyZoneFaults(publishedZone, faults, faultContext, 'staleZone'),
      net: worldNet(),
      postalFaults: Object.assign({}, ...faults.map((f) => f.postal ?? {})),
      accounts: {
        manifest,
        domainDkimPrivateKeyPem: readFileSync(provisioned.dkimPrivateKeyPath, 'utf8'),
        installSigningKeyPem: readFileSync(provisioned.installSigningKeyPath, 'utf8'),
      },
    });
  } catch (error) {
    const message = (error as Error).message;
    if ((error as Error).name === 'ZoneFileError') throw new ConfigError(`${zonePath}: ${message}`);
    throw error;
  }
  for (const fault of faults) await fault.afterStart?.(world, faultContext);
  const { addresses, endpoints } = world;
  const mail = world.mail!;
  const server = (e: { address: string; port: number }) => (e.port === 53 ? e.address : `${e.address}:${e.port}`);
  const primary = { label: `world authoritative DNS ${server(endpoints.dns)}`, server: server(endpoints.dns) };
  const keys = new Map(accounts.manifest.credentials.filter((c) => c.type === 'API' && c.agentId).map((c) => [c.agentId!, c.key]));
  const providerSeeds = mail.providers.flatMap((p) =>
    p.seeds.map((seed) => ({
      provider: p.displayName,
      address: seed.address,
      imap: { host: p.imap.address, port: p.imap.port, secure: false, user: seed.user, password: seed.password, servername: p.mxHost },
    })),
  );
  return {
    descriptor: {
      env: 'embedded',
      label: `embedded world on ${addresses.net}.0/24 (loopback replica of ${deployment.server.mailHost})`,
      domain: deployment.domain,
      mailHost: deployment.server.mailHost,
      webHost: deployment.server.webHost,
      serverIp: addresses.postal,
      publicServerIp: deployment.server.ip,
      dns: {
        primary,
        reverse: primary,
        resolvers: [primary, { label: `world secondary resolver ${server(endpoints.dnsSecondary)}`, server: server(endpoints.dnsSecondary) }],
      },
      hostResolver: primary.server,
      trustedCaPem: mail.ca.certificatePem,
      postal: {
        webUrl: mail.postal.web.url,
        smtp: { host: deployment.server.mailHost, port: mail.postal.smtp.port },
        healthUrls: [
          { name: 'worker', url: `${mail.postal.workerHealth.url}/health` },
          { name: 'smtp', url: `${mail.postal.smtpHealth.url}/health` },
        ],
        services: { kind: 'http', url: mail.postal.ops.composePs },
        expectedVersion: deployment.postal.version,
      },
      accounts: deployment.agents.map((a) => ({ agentId: a.id, address: a.address, apiKey: keys.get(a.id) ?? '' })),
      inboxReader: { kind: 'http', urls: Object.fromEntries(mail.inboxes.map((i) => [i.agentId, `${i.baseUrl}/messages`])) },
      seeds: providerSeeds,
      outsideSender: { host: mail.sender.submission.address, port: mail.sender.submission.port, user: mail.sender.user, password: mail.sender.password, from: mail.sender.from, servername: mail.sender.host },
      spamScorer: { host: mail.spamd.address, port: mail.spamd.port },
      relayProbeRecipient: 'relay-probe@gmail.test',
      timeouts: { dnsMs: 2_000, connectMs: 5_000, deliveryMs: 15_000, propagationMs: 1_000 },
      components: { 'Postal stand-in': `replica of Postal ${deployment.postal.version} (world/postal)`, SpamAssassin: mail.spamd.version },
      limitations: [
        `The world serves ${options.zoneFile ? `the zone file ${options.zoneFile}` : 'the zone generated by provisioning/dns'} with ${deployment.server.ip} mapped to ${addresses.postal}; real DNS is served by the domain's DNS host.`,
        'Propagation (DNS-07) compares two world resolvers; the live target compares the authoritative servers with public resolvers.',
        'PTR is served by the world; in production the hosting provider (not the domain owner) sets it.',
        `The service list (INF-03) is the world's stand-in for \`docker compose -p postal ps --format json\`, served at ${mail.postal.ops.composePs}.`,
        ...world.limitations,
        ...faults.map((f) => `Fault injected on purpose: ${f.name} — ${f.description}.`),
      ],
    },
    secrets: [
      ...accounts.manifest.credentials.map((c) => c.key),
      ...providerSeeds.map((s) => s.imap.password),
      mail.sender.password,
    ],
    close: () => world.stop(),
  };
}
