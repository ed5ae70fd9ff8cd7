import { createResolver } from '../../core/dns/resolver.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { LiveSettings } from '../config/live-settings.ts';
import { readApiKeysFile } from '../../core/artifacts/api-keys-file.ts';
import { ConfigError } from '../../core/config-error.ts';
import type { AgentAccount, OpenTarget, ResolverEndpoint, SeedMailbox, TargetDescriptor } from './target.ts';

const DNS_TIMEOUT_MS = 5_000;

const resolverFor = (server: string) => createResolver(server, { timeoutMs: DNS_TIMEOUT_MS, tries: 2 });

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
  const side = postalSide(deployment, settings);
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
      ...side,
      relayProbeRecipient: 'postal-qa-relay-probe@example.com',
      timeouts: { dnsMs: DNS_TIMEOUT_MS, connectMs: 10_000, deliveryMs: 180_000, propagationMs: 30_000 },
      limitations,
    },
    secrets: [...settings.secrets, ...side.accounts.map((a) => a.apiKey)],
    close: async () => {},
  };
}

/** The agents' API keys from postal-api-keys.txt (the plan's deliverable), by address. */
function accountsOf(deployment: Deployment, settings: LiveSettings): AgentAccount[] {
  const file = settings.values.POSTAL_API_KEYS_FILE;
  if (!file) return [];
  const keys = readApiKeysFile(file);
  return deployment.agents.map((a) => {
    const apiKey = keys.get(a.address.toLowerCase()) ?? keys.get(a.address);
    if (!apiKey) throw new ConfigError(`${file}: no API key for ${a.address}; add a line "${a.address} <key>"`);
    return { agentId: a.id, address: a.address, apiKey };
  });
}

/** Well-known IMAP and submission hosts of the seed providers. */
const PROVIDERS = {
  Gmail: { imap: 'imap.gmail.com', submission: 'smtp.gmail.com' },
  Outlook: { imap: 'outlook.office365.com', submission: 'smtp.office365.com' },
} as const;

function postalSide(deployment: Deployment, settings: LiveSettings): Pick<TargetDescriptor, 'postal' | 'accounts' | 'seeds' | 'inboxReader' | 'outsideSender' | 'spamScorer' | 'mailgoatCli' | 'mailgoatInboxDbTemplate'> {
  const v = settings.values;
  const seeds: SeedMailbox[] = [];
  for (const [provider, prefix] of [['Gmail', 'SEED_GMAIL'], ['Outlook', 'SEED_OUTLOOK']] as const) {
    const address = v[`${prefix}_ADDRESS`];
    const password = v[`${prefix}_PASSWORD`];
    if (address && password) seeds.push({ provider, address, imap: { host: PROVIDERS[provider].imap, port: 993, secure: true, user: address, password } });
  }
  const gmail = seeds.find((s) => s.provider === 'Gmail');
  const spamd = v.SPAMD_HOST?.split(':');
  return {
    postal: v.POSTAL_API_URL
      ? {
          webUrl: v.POSTAL_API_URL.replace(/\/$/, ''),
          smtp: { host: deployment.server.mailHost, port: 25 },
          healthUrls: (v.POSTAL_HEALTH_URLS ?? '').split(',').filter(Boolean).map((pair) => {
            const [name, url] = pair.split('=');
            return { name: name!.trim(), url: (url ?? name!).trim() };
          }),
          services: v.POSTAL_SERVICES_COMMAND ? { kind: 'command', command: v.POSTAL_SERVICES_COMMAND } : undefined,
          containers: v.POSTAL_CONTAINERS_COMMAND ? { kind: 'command', command: v.POSTAL_CONTAINERS_COMMAND } : undefined,
          dkimRecord: v.POSTAL_DKIM_RECORD,
          expectedVersion: deployment.postal.version,
        }
      : undefined,
    accounts: accountsOf(deployment, settings),
    seeds,
    inboxReader: v.INBOX_LIST_COMMAND ? { kind: 'command', template: v.INBOX_LIST_COMMAND } : undefined,
    mailgoatCli: v.MAILGOAT_CLI,
    mailgoatInboxDbTemplate: v.MAILGOAT_INBOX_DB,
    // Mail from outside: through the Gmail seed's own submission service, as a person would send it.
    outsideSender: gmail ? { host: PROVIDERS.Gmail.submission, port: 587, user: gmail.address, password: gmail.imap.password, from: gmail.address } : undefined,
    spamScorer: spamd ? { host: spamd[0]!, port: Number(spamd[1] ?? 783) } : undefined,
  };
}
