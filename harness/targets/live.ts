import { Resolver } from 'node:dns/promises';
import type { Deployment } from '../config/deployment-schema.ts';
import type { LiveSettings } from '../config/live-settings.ts';
import type { OpenTarget, ResolverEndpoint } from './target.ts';

const DNS_TIMEOUT_MS = 5_000;

function resolverFor(server: string): Resolver {
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });
  resolver.setServers([server]);
  return resolver;
}

/** The domain's authoritative servers, found through the first resolver (NS, then their addresses). */
async function discoverAuthoritative(domain: string, via: string): Promise<{ servers: ResolverEndpoint[]; note?: string }> {
  try {
    const resolver = resolverFor(via);
    const names = await resolver.resolveNs(domain);
    const servers: ResolverEndpoint[] = [];
    for (const name of names) {
      const addresses = await resolver.resolve4(name).catch(() => [] as string[]);
      for (const address of addresses) servers.push({ label: `authoritative ${name} (${address})`, server: address });
    }
    if (servers.length === 0) return { servers, note: `NS of ${domain} via ${via} gave no reachable addresses (${names.join(', ') || 'no NS'})` };
    return { servers };
  } catch (error) {
    return { servers: [], note: `could not discover the authoritative servers of ${domain} via ${via}: ${(error as Error).message}` };
  }
}

/**
 * The live target: the production server as the Internet sees it. Nothing here changes anything
 * on the server; DNS answers come from the authoritative servers and the public resolvers.
 */
export async function openLiveTarget(deployment: Deployment, settings: LiveSettings): Promise<OpenTarget> {
  const publicResolvers: ResolverEndpoint[] = settings.resolvers.map((server) => ({ label: `resolver ${server}`, server }));
  const firstResolver = publicResolvers[0]!;
  const limitations: string[] = [];
  let authoritative: ResolverEndpoint[] = settings.authoritative.map((server) => ({ label: `authoritative ${server}`, server }));
  if (authoritative.length === 0) {
    const discovered = await discoverAuthoritative(deployment.domain, firstResolver.server);
    authoritative = discovered.servers;
    if (discovered.note) limitations.push(`${discovered.note}; the deployment's records were read from ${firstResolver.label} instead.`);
  }
  const primary = authoritative[0] ?? firstResolver;
  return {
    descriptor: {
      env: 'live',
      label: `live server ${deployment.server.mailHost} (${deployment.server.ip})`,
      domain: deployment.domain,
      mailHost: deployment.server.mailHost,
      webHost: deployment.server.webHost,
      serverIp: deployment.server.ip,
      publicServerIp: deployment.server.ip,
      dns: { primary, reverse: firstResolver, resolvers: [...authoritative, ...publicResolvers] },
      hostResolver: 'system',
      accounts: [],
      seeds: [],
      relayProbeRecipient: 'postal-qa-relay-probe@example.com',
      timeouts: { dnsMs: DNS_TIMEOUT_MS, connectMs: 10_000, deliveryMs: 180_000, propagationMs: 30_000 },
      limitations,
    },
    secrets: settings.secrets,
    close: async () => {},
  };
}
