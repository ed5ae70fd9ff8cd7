import { readFileSync } from 'node:fs';
import { createResolver } from '../../core/dns/resolver.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { parseHostPort, postalStateFileOf, type LiveSettings } from '../config/live-settings.ts';
import { readPostalState } from '../../core/artifacts/postal-state.ts';
import { applyDeadlineOverrides, readDeadlineOverrides } from '../config/deadline-overrides.ts';
import { readApiKeysFile, readCredentialsFile } from '../../core/artifacts/api-keys-file.ts';
import { ConfigError } from '../../core/config-error.ts';
import type { AgentAccount, OpenTarget, ResolverEndpoint, SeedMailbox, TargetDescriptor } from './target.ts';

const DNS_TIMEOUT_MS = 5_000;

const resolverFor = (server: string, timeoutMs: number) => createResolver(server, { timeoutMs, tries: 2 });

/** The domain's authoritative servers, found through the first resolver (NS, then their addresses). */
async function discoverAuthoritative(
  domain: string,
  via: string,
  timeoutMs: number,
): Promise<{ servers: ResolverEndpoint[]; note?: string }> {
  try {
    const resolver = resolverFor(via, timeoutMs);
    const names = await resolver.resolveNs(domain);
    const servers: ResolverEndpoint[] = [];
    for (const name of names) {
      const addresses = await resolver.resolve4(name).catch(() => [] as string[]);
      for (const address of addresses) servers.push({ label: `authoritative ${name} (${address})`, server: address });
    }
    if (servers.length === 0)
      return { servers, note: `NS of ${domain} via ${via} gave no reachable addresses (${names.join(', ') || 'no NS'})` };
    return { servers };
  } catch (error) {
    return { servers: [], note: `could not discover the authoritative servers of ${domain} via ${via}: ${(error as Error).message}` };
  }
}

/**
 * The live target: the production server as the Internet sees it, every endpoint a setting (the real
 * providers by default). The embedded target opens this same target with the settings the world writes,
 * so what runs against the world is this code path. Nothing here changes anything on the server.
 */
export async function openLiveTarget(deployment: Deployment, settings: LiveSettings): Promise<OpenTarget> {
  const v = settings.values;
  const timeouts = { dnsMs: DNS_TIMEOUT_MS, connectMs: 10_000, deliveryMs: 180_000, propagationMs: 30_000 };
  applyDeadlineOverrides(timeouts, readDeadlineOverrides(v));
  const publicResolvers: ResolverEndpoint[] = settings.resolvers.map((server) => ({ label: `resolver ${server}`, server }));
  const firstResolver = publicResolvers[0]!;
  const limitations: string[] = [];
  let authoritative: ResolverEndpoint[] = settings.authoritative.map((server) => ({ label: `authoritative ${server}`, server }));
  if (authoritative.length === 0) {
    const discovered = await discoverAuthoritative(deployment.domain, firstResolver.server, timeouts.dnsMs);
    authoritative = discovered.servers;
    if (discovered.note) limitations.push(`${discovered.note}; the deployment's records were read from ${firstResolver.label} instead.`);
  }
  const primary = authoritative[0] ?? firstResolver;
  // A resolver that is also an authoritative server is asked once: DNS-07 compares distinct views.
  const others = publicResolvers.filter((r) => !authoritative.some((a) => a.server === r.server));
  const side = postalSide(deployment, settings);
  const serverIp = v.POSTAL_SERVER_IP ?? deployment.server.ip;
  return {
    descriptor: {
      env: 'live',
      label: `live server ${deployment.server.mailHost} (${serverIp})`,
      domain: deployment.domain,
      mailHost: deployment.server.mailHost,
      webHost: deployment.server.webHost,
      serverIp,
      publicServerIp: deployment.server.ip,
      dns: { primary, reverse: firstResolver, resolvers: [...authoritative, ...others] },
      hostResolver: v.HOST_RESOLVER ?? 'system',
      blocklistResolver: v.DNSBL_RESOLVER,
      outboundSmtp: v.OUTBOUND_SMTP_COMMAND
        ? {
            command: v.OUTBOUND_SMTP_COMMAND,
            domains: (v.OUTBOUND_SMTP_DOMAINS ?? 'gmail.com,outlook.com,yahoo.com')
              .split(',')
              .map((d) => d.trim())
              .filter(Boolean),
          }
        : undefined,
      trustedCaPem: v.CA_FILE ? readFileSync(v.CA_FILE, 'utf8') : undefined,
      dnssecTrustAnchor: v.DNSSEC_TRUST_ANCHOR,
      ...side,
      relayProbeRecipient: v.RELAY_PROBE_RECIPIENT ?? v.SEED_GMAIL_ADDRESS ?? 'postal-qa-relay-probe@example.com',
      spoofProbeDomain: v.SPOOF_PROBE_DOMAIN ?? 'paypal.com',
      timeouts,
      limitations,
    },
    secrets: [...settings.secrets, ...side.accounts.map((a) => a.apiKey), ...(side.smtpCredentialKey ? [side.smtpCredentialKey] : [])],
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

/** The real providers' IMAP and submission endpoints: the defaults when no setting names another. */
export const PROVIDER_DEFAULTS = {
  Gmail: { prefix: 'SEED_GMAIL', imap: 'imap.gmail.com:993', submission: 'smtp.gmail.com:587' },
  Outlook: { prefix: 'SEED_OUTLOOK', imap: 'outlook.office365.com:993' },
} as const;

function seedsOf(v: Record<string, string>): SeedMailbox[] {
  const seeds: SeedMailbox[] = [];
  for (const [provider, defaults] of Object.entries(PROVIDER_DEFAULTS)) {
    const address = v[`${defaults.prefix}_ADDRESS`];
    const password = v[`${defaults.prefix}_PASSWORD`];
    if (!address || !password) continue;
    const { host, port } = parseHostPort(v[`${defaults.prefix}_IMAP`] ?? defaults.imap, 993);
    const tls = v[`${defaults.prefix}_IMAP_TLS`] ?? (port === 993 ? 'implicit' : 'starttls');
    seeds.push({
      provider,
      address,
      imap: { host, port, secure: tls === 'implicit', user: v[`${defaults.prefix}_USER`] ?? address, password, servername: host },
    });
  }
  return seeds;
}

/** Mail from outside: a submission service of its own, or the Gmail seed's, as a person would send it. */
function outsideSenderOf(v: Record<string, string>, seeds: SeedMailbox[]): TargetDescriptor['outsideSender'] {
  const gmail = seeds.find((s) => s.provider === 'Gmail');
  const user = v.OUTSIDE_SMTP_USER ?? gmail?.address;
  const password = v.OUTSIDE_SMTP_PASSWORD ?? (v.OUTSIDE_SMTP_USER ? undefined : gmail?.imap.password);
  if (!user || !password) return undefined;
  const { host, port } = parseHostPort(v.OUTSIDE_SMTP ?? PROVIDER_DEFAULTS.Gmail.submission, 587);
  return { host, port, user, password, from: v.OUTSIDE_SMTP_FROM ?? user, servername: host };
}

/** MAILGOAT_INBOX_SERVE: "address" (the recipient's endpoint port) or "address:port". */
function inboxServeOf(text: string): { host: string; port?: number } {
  const [host, port] = text.split(':');
  return port ? { host: host!, port: Number(port) } : { host: host! };
}

/** "name=URL,name=URL" → pairs. */
function pairs(text: string | undefined): Array<{ name: string; url: string }> {
  return (text ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => ({ name: pair.slice(0, pair.indexOf('=')).trim(), url: pair.slice(pair.indexOf('=') + 1).trim() }));
}

function listSource(
  command: string | undefined,
  url: string | undefined,
): { kind: 'http'; url: string } | { kind: 'command'; command: string } | undefined {
  if (command) return { kind: 'command', command };
  return url ? { kind: 'http', url } : undefined;
}

/** FN-08's report sources and wait (DMARC_REPORTS_*). */
function dmarcReportsOf(v: Record<string, string>): TargetDescriptor['dmarcReports'] {
  const imap = v.DMARC_REPORTS_IMAP ? parseHostPort(v.DMARC_REPORTS_IMAP, 993) : undefined;
  const secure = (v.DMARC_REPORTS_IMAP_TLS ?? (imap?.port === 993 ? 'implicit' : 'starttls')) === 'implicit';
  return {
    waitMs: Number(v.DMARC_REPORTS_WAIT_S ?? 0) * 1000,
    ...(v.DMARC_REPORTS_DIR ? { dir: v.DMARC_REPORTS_DIR } : {}),
    ...(imap
      ? {
          imap: {
            ...imap,
            secure,
            user: v.DMARC_REPORTS_IMAP_USER!,
            password: v.DMARC_REPORTS_IMAP_PASSWORD!,
            mailbox: v.DMARC_REPORTS_IMAP_MAILBOX ?? 'INBOX',
            servername: imap.host,
          },
        }
      : {}),
  };
}

function postalSide(
  deployment: Deployment,
  settings: LiveSettings,
): Pick<
  TargetDescriptor,
  | 'postal'
  | 'accounts'
  | 'smtpCredentialKey'
  | 'seeds'
  | 'inboxReader'
  | 'outsideSender'
  | 'spamScorer'
  | 'mailTester'
  | 'mailgoatCli'
  | 'mailgoatInboxDbTemplate'
  | 'mailgoatInboxServe'
  | 'dmarcReports'
> {
  const v = settings.values;
  const seeds = seedsOf(v);
  const spamd = v.SPAMD_HOST?.split(':');
  const inboxUrls = pairs(v.INBOX_LIST_URLS);
  // What Postal generated (its DKIM selector and record), as provisioning read it back.
  const stateFile = postalStateFileOf(v);
  const state = stateFile ? readPostalState(stateFile.path, stateFile.namedBy) : undefined;
  if (state && state.domain.toLowerCase() !== deployment.domain.toLowerCase()) {
    throw new ConfigError(
      `${stateFile!.namedBy}=${stateFile!.path}: is Postal's state for ${state.domain}, not for ${deployment.domain}; point POSTAL_STATE_FILE at this deployment's`,
    );
  }
  return {
    postal: v.POSTAL_API_URL
      ? {
          webUrl: v.POSTAL_API_URL.replace(/\/$/, ''),
          cliServerUrl: v.MAILGOAT_SERVER_URL?.replace(/\/$/, ''),
          smtp: parseHostPort(v.POSTAL_SMTP ?? deployment.server.mailHost, 25),
          ...(v.POSTAL_SMTP_CREDENTIAL ? { smtpCredential: v.POSTAL_SMTP_CREDENTIAL } : {}),
          healthUrls: pairs(v.POSTAL_HEALTH_URLS),
          services: listSource(v.POSTAL_SERVICES_COMMAND, v.POSTAL_SERVICES_URL),
          containers: listSource(v.POSTAL_CONTAINERS_COMMAND, v.POSTAL_CONTAINERS_URL),
          dkimRecord: v.POSTAL_DKIM_RECORD ?? state?.dkim.record,
          ...(state ? { dkimSelector: { selector: state.dkim.selector, source: stateFile!.path } } : {}),
          expectedVersion: deployment.postal.version,
        }
      : undefined,
    accounts: accountsOf(deployment, settings),
    ...(v.POSTAL_API_KEYS_FILE && readCredentialsFile(v.POSTAL_API_KEYS_FILE).smtpKey
      ? { smtpCredentialKey: readCredentialsFile(v.POSTAL_API_KEYS_FILE).smtpKey }
      : {}),
    seeds,
    inboxReader: v.INBOX_LIST_COMMAND
      ? { kind: 'command', template: v.INBOX_LIST_COMMAND }
      : inboxUrls.length > 0
        ? { kind: 'http', urls: Object.fromEntries(inboxUrls.map((p) => [p.name, p.url])) }
        : undefined,
    mailgoatCli: v.MAILGOAT_CLI,
    mailgoatInboxDbTemplate: v.MAILGOAT_INBOX_DB,
    dmarcReports: dmarcReportsOf(v),
    ...(v.MAILGOAT_INBOX_SERVE ? { mailgoatInboxServe: inboxServeOf(v.MAILGOAT_INBOX_SERVE) } : {}),
    outsideSender: outsideSenderOf(v, seeds),
    spamScorer: spamd ? { host: spamd[0]!, port: Number(spamd[1] ?? 783) } : undefined,
    mailTester:
      v.MAIL_TESTER_USER || v.MAIL_TESTER_ADDRESS
        ? {
            webUrl: (v.MAIL_TESTER_URL ?? 'https://www.mail-tester.com').replace(/\/$/, ''),
            domain: v.MAIL_TESTER_DOMAIN ?? 'mail-tester.com',
            ...(v.MAIL_TESTER_USER ? { user: v.MAIL_TESTER_USER } : {}),
            ...(v.MAIL_TESTER_ADDRESS ? { address: v.MAIL_TESTER_ADDRESS } : {}),
          }
        : undefined,
  };
}
