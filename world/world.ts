/**
 * The embedded world: a small Internet on loopback addresses (see addresses.ts) — authoritative DNS
 * (with a second resolver that can serve a stale copy), SpamAssassin, the Postal stand-in, one inbox
 * receiver per agent, two mailbox providers with IMAP, and an outside sender. It boots from the same
 * artifacts provisioning writes for a real server (zone file, accounts manifest, keys).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import type { AccountsManifest } from '../core/artifacts/accounts-manifest.ts';
import type { DnsRecord } from '../core/artifacts/zone-file.ts';
import { worldAddresses, type WorldAddresses } from './addresses.ts';
import { reaperWatch } from './process/reaper.ts';
import { DnsServer, type DnsEndpoint, type DnsServerOptions } from './dns-server.ts';
import { startDnsProviderApi } from './dns-provider-api.ts';
import { startInboxReceivers, type InboxEndpoint, type InboxReceivers } from './inbox/inbox-receivers.ts';
import type { PostalFaultOptions } from './postal/postal-faults.ts';
import { POSTAL_STAND_IN_LIMITATIONS, startPostal, type PostalEndpoints, type PostalStandIn } from './postal/postal-stand-in.ts';
import { POSTAL_WORKER_POLL } from './postal/worker.ts';
import { startPostalFront } from './postal-front.ts';
import { startMailTester } from './mail-tester/mail-tester-stand-in.ts';
import { startProvider, type Provider } from './providers/provider.ts';
import { startOutsideSender, type OutsideSender } from './sender/outside-sender.ts';
import { relayToDomain } from './sender/mx-relay.ts';
import type { SpamScorer } from '../core/spam/spam-scorer.ts';
import { startSpamd, WORLD_SPAMD_CONFIG, type Spamd } from './spam/spamd.ts';
import { spoofRules } from './spam/spoof-rules.ts';
import { startRspamd } from './spam/rspamd.ts';
import { POSTAL_DEFAULTS } from './postal/postal-config.ts';
import { createCertificateAuthority } from './tls/certificate-authority.ts';
import { buildWorldRecords } from './world-dns.ts';
import { WorldDnssec, type ZoneFault } from './dnssec/world-dnssec.ts';
import { startServerHost, type ServerHost } from './server-host/server-host.ts';

export interface StartWorldOptions {
  deployment: Deployment;
  /** the deployment's zone file (postal-dns-records.txt or a user's own) */
  zoneText: string;
  /** when given, the secondary DNS serves this zone instead (a stale copy) */
  staleZoneText?: string;
  /** first three octets of the world's addresses; default 127.0.0 */
  net?: string;
  /** port of both DNS servers (UDP and TCP); default 53 */
  dnsPort?: number;
  /** logs every DNS query */
  onDnsQuery?: DnsServerOptions['onQuery'];
  /** What Postal holds after setup; without it the world is DNS only. */
  accounts?: {
    manifest: AccountsManifest;
    domainDkimPrivateKeyPem: string;
    installSigningKeyPem: string;
  };
  onLog?: (line: string) => void;
  /**
   * Postal's inspection of incoming mail with SpamAssassin and the world's spoof rules (the inbound check a sound
   * deployment adds, which SEC-07 reads). true: every incoming message; false: none (Postal's own default);
   * 'outside' (the default): every message but what Postal's own worker hands to its own MX (mail between
   * agents) — the spoof rules never score that mail (Postal's address is in the SPF record), and scanning it
   * capped the world's delivery rate far below what PERF-01 counts on a busy machine.
   */
  postalSpamd?: boolean | 'outside';
  /**
   * postal.yml `rspamd.enabled` (default false): Postal inspects incoming mail with rspamd, which it prefers
   * to spamd when both are enabled (message_inspector.rb). The providers keep judging with SpamAssassin.
   */
  postalRspamd?: boolean;
  /** How the Postal stand-in misbehaves (fault injection). */
  postalFaults?: PostalFaultOptions;
  /** The stand-in's worker picks messages up as Postal's polls (up to 5 s on an idle worker); default: at once. */
  postalWorkerPoll?: boolean;
  /** Postal starts with nothing (no organization, server, domain, credentials, routes; schema not loaded): provision it. */
  empty?: boolean;
  /**
   * The domain's zone signed with DNSSEC (world/dnssec/): 'signed', or signed and broken as operators break it.
   * Default unsigned, like most domains (the root and its top-level zone are signed either way).
   */
  dnssec?: DomainDnssec;
  /** Start the server host: a real sshd on Postal's address that provisioning reaches (world/server-host/). */
  serverHost?: boolean | { port?: number };
  /**
   * A Postal the world does not run (a real one): the world's DNS puts the deployment's server at `address`,
   * the inbox receivers take its endpoints' posts (it must be provisioned with them), and — when its web server
   * is plain HTTP on `webPort` — a TLS front plays Caddy on `address`:443. No stand-in, no server host.
   */
  externalPostal?: { address: string; webPort?: number };
}

export type DomainDnssec = 'signed' | Exclude<ZoneFault, 'unsigned'>;

export interface WorldMail {
  ca: { certificatePem: string };
  spamd: { address: string; port: number; version: string };
  /** what Postal inspects incoming mail with, e.g. "rspamd 3.4 at 127.0.0.61:11333", "spamd 4.0.1 at …", "none" */
  postalInspection: string;
  /** `ops` (the world's stand-in for what an operator reads over SSH) is absent around a Postal the world does not run. */
  postal: Omit<PostalEndpoints, 'ops'> & Partial<Pick<PostalEndpoints, 'ops'>>;
  inboxes: InboxEndpoint[];
  providers: Array<{
    domain: string;
    displayName: string;
    smtp: DnsEndpoint;
    imap: DnsEndpoint;
    mxHost: string;
    seeds: Array<{ address: string; user: string; password: string }>;
  }>;
  sender: { domain: string; submission: DnsEndpoint; host: string; user: string; password: string; from: string };
  /** mail-tester.test: any local part is a test id; reports at `<webUrl>/<id>&format=json`. */
  mailTester: { domain: string; smtp: DnsEndpoint; webUrl: string };
}

export interface World {
  addresses: WorldAddresses;
  endpoints: {
    dns: DnsEndpoint;
    dnsSecondary: DnsEndpoint;
    /** The DNS hosting provider's API: POST zone-file text to `<url>/records` to publish it (dns-provider-api.ts). */
    dnsProviderApi: string;
  };
  /** The DS of the world's root key, as a validator is configured with it: `. DS <tag> 13 2 <hex>`. */
  dnssecTrustAnchor: string;
  /** Postal started with nothing (`--empty`): what it generates is learnt by provisioning, not described by the world. */
  empty: boolean;
  /** Present when the world was started with accounts. */
  mail?: WorldMail;
  /** What the stand-ins do differently from the real thing, for the report. */
  limitations: string[];
  /** The server host provisioning reaches over SSH, when started (StartWorldOptions.serverHost). */
  serverHost?: ServerHost;
  /** Named handles for fault injection (a later issue); tests of the world use them too. */
  handles: {
    postal?: PostalStandIn;
    inboxes?: InboxReceivers;
    providers: Provider[];
    sender?: OutsideSender;
    primaryDns: DnsServer;
    secondaryDns: DnsServer;
    dnssec: WorldDnssec;
  };
  /** Stops everything; safe to call more than once. */
  stop(): Promise<void>;
}

/** Each provider reports DMARC like its namesake: Google's zip, Microsoft's (and Yahoo's) gzip. */
const PROVIDERS = [
  { domain: 'gmail.test', displayName: 'Gmail', addressKey: 'gmail', reportStyle: 'google' },
  { domain: 'outlook.test', displayName: 'Outlook', addressKey: 'outlook', reportStyle: 'microsoft' },
] as const;

/** An endpoint URL of the deployment's, as it lives in the world: every agent inbox is at the inboxes address. */
function endpointUrlForWorld(endpointUrl: string, inboxesAddress: string): string {
  const url = new URL(endpointUrl);
  url.hostname = inboxesAddress;
  return url.toString();
}

/** The manifest's endpoint hosts are the deployment's; in the world every agent inbox lives at the inboxes address. */
function manifestForWorld(manifest: AccountsManifest, inboxesAddress: string): AccountsManifest {
  return { ...manifest, endpoints: manifest.endpoints.map((e) => ({ ...e, url: endpointUrlForWorld(e.url, inboxesAddress) })) };
}

export async function startWorld(options: StartWorldOptions): Promise<World> {
  const addresses = worldAddresses(options.net);
  const port = options.dnsPort ?? 53;
  const postalAddress = options.externalPostal?.address ?? addresses.postal;
  const fresh = buildWorldRecords({
    deployment: options.deployment,
    zoneText: options.zoneText,
    net: addresses.net,
    serial: 2,
    postalAddress,
  });
  const stale =
    options.staleZoneText === undefined
      ? undefined
      : buildWorldRecords({
          deployment: options.deployment,
          zoneText: options.staleZoneText,
          net: addresses.net,
          serial: 1,
          postalAddress,
        });

  const dnssec = new WorldDnssec({ zones: [options.deployment.domain], ttl: options.deployment.dns.ttl });
  const domainDnssec = options.dnssec ?? 'unsigned';
  dnssec.setFault(options.deployment.domain, domainDnssec === 'signed' ? undefined : domainDnssec);
  const primary = new DnsServer({ address: addresses.dns, port, records: fresh, onQuery: options.onDnsQuery, dnssec });
  const secondary = new DnsServer({ address: addresses.dnsSecondary, port, records: stale ?? fresh, onQuery: options.onDnsQuery, dnssec });
  const started: Array<{ stop(): Promise<void> }> = [];
  const cleanups: Array<() => void> = [];
  const handles: World['handles'] = { providers: [], primaryDns: primary, secondaryDns: secondary, dnssec };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    // Reverse order: mail stops before the DNS and spamd it leans on.
    stopping ??= (async () => {
      for (const service of [...started].reverse()) await service.stop().catch(() => undefined);
      for (const cleanup of cleanups) cleanup();
    })();
    return stopping;
  };

  try {
    for (const server of [primary, secondary]) {
      started.push(server);
      await server.start();
    }
    const dnsApi = await startDnsProviderApi({
      address: addresses.dns,
      deployment: options.deployment,
      postalAddress,
      servers: [primary, secondary],
    });
    started.push(dnsApi);
    const mail = options.accounts ? await startMail(options, addresses, primary.endpoint, started, cleanups, handles) : undefined;
    if (mail?.senderDkim) {
      // The outside sender made its key at start; publish it like its domain owner would.
      primary.setRecords([...fresh, mail.senderDkim]);
      secondary.setRecords([...(stale ?? fresh), mail.senderDkim]);
    }
    let serverHost: ServerHost | undefined;
    if (options.serverHost && mail && !options.externalPostal) {
      const port = typeof options.serverHost === 'object' ? options.serverHost.port : undefined;
      serverHost = await startServerHost({
        address: addresses.postal,
        ...(port ? { port } : {}),
        opsUrl: mail.endpoints.postal.ops!.url,
        onLine: options.onLog,
      });
      started.push(serverHost);
    }
    return {
      addresses,
      endpoints: { dns: primary.endpoint, dnsSecondary: secondary.endpoint, dnsProviderApi: dnsApi.url },
      empty: options.empty ?? false,
      dnssecTrustAnchor: trustAnchorText(dnssec),
      mail: mail?.endpoints,
      ...(serverHost ? { serverHost } : {}),
      limitations: [
        ...(mail && !options.externalPostal ? POSTAL_STAND_IN_LIMITATIONS : []),
        ...WORLD_LIMITATIONS,
        ...(options.externalPostal ? [EXTERNAL_POSTAL_LIMITATION] : []),
        ...(serverHost ? SERVER_HOST_LIMITATIONS : []),
      ],
      handles,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function trustAnchorText(dnssec: WorldDnssec): string {
  const anchor = dnssec.trustAnchor();
  return `. DS ${anchor.keyTag} ${anchor.algorithm} ${anchor.digestType} ${anchor.digest}`;
}

/** What provisioning through the world's server host does not prove. */
export const SERVER_HOST_LIMITATIONS = [
  "Provisioning through the world's server host: SSH, host-key pinning, key login and provisioning's bash scripts are real (Debian's sshd and bash), but docker, the compose plugin, ufw, apt-get and curl are stand-ins (world/server-host/server-tools.mjs) that keep state in a folder: no image is pulled, no container, MariaDB, Caddy or firewall rule really exists, and `docker compose ps` there is the stand-in's own bookkeeping.",
  "The accounts script (accounts-runner.rb) is not run by Ruby in the world: it is checked with ruby -c and against Postal 3.3.2's names, and the Postal stand-in applies the same plan with a port of it (world/postal/postal-accounts.ts). A Rails-level failure of the script (a validation, a callback) shows only against a real Postal.",
  "In an empty world, Postal generates as Postal does: a random DKIM selector and a 1024-bit key for the domain it creates, random credential keys; only the server token stays the world's. The operator's publishing of postal-dns-records.txt is played by the world's DNS provider API (POST the file to it). signing.key made on the server host is not the key the stand-in signs with, so `postal default-dkim-record` answers the stand-in's.",
];

/** A provider reports a period's mail this long after its first message (real providers: once a day). */
const DMARC_REPORT_PERIOD_MS = 2_000;

const EXTERNAL_POSTAL_LIMITATION =
  "Postal is not the world's: the world serves DNS, the mailbox providers, the agents' inboxes and the outside sender around a Postal at another address (--postal=external). That Postal resolves names with its own resolver (dns.resolv_conf_path): it must ask the world's DNS, or one serving the same records. No service or container list is read from it, and nothing stands in for its server host.";

/** A scorer that leaves unscanned (score 0) what was handed over from `own` — the top Received line's [address]. */
function outsideOnly(scorer: SpamScorer, own: string): SpamScorer {
  return {
    check(raw, envelope) {
      const top = /^Received: [^\r\n]*\[([^\]]+)\]/im.exec(raw.subarray(0, 2048).toString('latin1'));
      if (top?.[1] === own) return Promise.resolve({ score: 0, threshold: 5, isSpam: false, symbols: [], rules: [] });
      return scorer.check(raw, envelope);
    },
  };
}

const WORLD_LIMITATIONS = [
  'Mailbox providers gmail.test and outlook.test judge mail with mailauth and SpamAssassin (local tests only, Bayes off); real Gmail and Outlook also weigh sender reputation, engagement and content models.',
  'SpamAssassin runs with network tests off (-L): DNS blocklists (RBL), Razor and Pyzor are not consulted.',
  "The world's DNS signs the domain's zone only with --dnssec=on or a dnssec-* fault (real P-256 keys and signatures, its own root as the trust anchor), without NSEC/NSEC3; the providers and Postal do not validate DNSSEC, so a bogus zone shows in DNS-13 alone (on the Internet, validating receivers would also refuse the domain's mail).",
  'gmail.test and outlook.test send DMARC aggregate reports 2 s after the first message of a period (real providers: daily), unsigned (real ones carry DKIM), as Google (zip) and Outlook (gzip) do.',
  "Postal's inspection in the world carries the inbound check a sound deployment adds (world/spam/spoof-rules.ts: 10 points to mail From the domain, or from sender.test's p=reject domain, handed over by an address their SPF does not list) — standing in for rspamd's DMARC module with DMARC_POLICY_REJECT weighted; Postal 3.3.2 itself checks neither SPF nor DMARC (the spoof-* faults take it away).",
  "mail-tester.test answers in mail-tester's JSON shape but scores with the documented formula (core/spam/spam-score-formula.ts), not mail-tester's own weights: the world proves FN-05's path to mail-tester (send, poll, parse, judge), not mail-tester's scoring.",
];

async function startMail(
  options: StartWorldOptions,
  addresses: WorldAddresses,
  dns: DnsEndpoint,
  started: Array<{ stop(): Promise<void> }>,
  cleanups: Array<() => void>,
  handles: World['handles'],
): Promise<{ endpoints: WorldMail; senderDkim: DnsRecord }> {
  const accounts = options.accounts!;
  const { deployment } = options;
  const dnsServer = dns.port === 53 ? dns.address : `${dns.address}:${dns.port}`;
  const ca = await createCertificateAuthority();
  const dataDir = mkdtempSync(join(tmpdir(), 'postal-qa-world-'));
  // Dovecot's mail user must pass through to the Maildirs below.
  chmodSync(dataDir, 0o711);
  reaperWatch.folder(dataDir);
  cleanups.push(() => {
    rmSync(dataDir, { recursive: true, force: true });
    reaperWatch.folderGone(dataDir);
  });

  // The sound deployment's inbound check against spoofing (spoof-rules.ts); the spoof faults take it away.
  const checks = options.postalFaults?.inboundSpoofChecks ?? 'on';
  const guarded = [
    ...(checks === 'off' ? [] : [{ domain: deployment.domain, ips: [addresses.postal] }]),
    ...(checks === 'on' ? [{ domain: 'sender.test', ips: [addresses.sender] }] : []),
  ];
  const spamd: Spamd = await startSpamd({
    address: addresses.spamd,
    config: [
      ...WORLD_SPAMD_CONFIG,
      ...spoofRules(
        // Postal names itself by its smtp_hostname (a fault may leave it at the default): the rule follows the hop, not the name.
        [deployment.server.mailHost, ...(options.postalFaults?.smtpHostname ? [options.postalFaults.smtpHostname] : [])],
        guarded,
      ),
    ],
  });
  started.push(spamd);
  const rspamd = options.postalRspamd
    ? await startRspamd({ address: addresses.rspamd, dir: join(dataDir, 'rspamd'), dnsServer, threshold: POSTAL_DEFAULTS.spamThreshold })
    : undefined;
  if (rspamd) started.push(rspamd);
  const postalScorer =
    rspamd?.scorer ??
    (options.postalSpamd === false ? undefined : options.postalSpamd === true ? spamd.scorer : outsideOnly(spamd.scorer, addresses.postal));
  const postalInspection = options.externalPostal
    ? "whatever that Postal's postal.yml says (the world does not run it)"
    : rspamd
      ? `rspamd ${rspamd.version} at ${rspamd.endpoint.address}:${rspamd.endpoint.port}`
      : postalScorer
        ? `spamd (SpamAssassin ${spamd.version}) at ${spamd.endpoint.address}:${spamd.endpoint.port}`
        : 'none';

  const manifest = manifestForWorld(accounts.manifest, addresses.inboxes);
  const [providers, sender, inboxes, mailTester] = await Promise.all([
    Promise.all(
      PROVIDERS.map(async (p) => {
        const provider = await startProvider({
          domain: p.domain,
          displayName: p.displayName,
          address: addresses[p.addressKey],
          dnsServer: dns,
          ca,
          spamScorer: spamd.scorer,
          seeds: ['seed'],
          dataDir: join(dataDir, p.domain),
          onLog: options.onLog,
          dmarcReports: { style: p.reportStyle, caPem: ca.certificatePem, periodMs: DMARC_REPORT_PERIOD_MS, relay: relayToDomain },
        });
        started.push(provider);
        return provider;
      }),
    ),
    startOutsideSender({ address: addresses.sender, dnsServer: dns, ca, onLog: options.onLog }).then((s) => {
      started.push(s);
      return s;
    }),
    startInboxReceivers({
      address: addresses.inboxes,
      receivers: manifest.endpoints.map((e) => {
        const url = new URL(e.url);
        const agent = deployment.agents.find((a) => a.id === e.agentId)!;
        return { agentId: e.agentId, address: agent.address, port: Number(url.port), path: url.pathname };
      }),
      // Where the world's DNS says Postal's web host is: the stand-in, or a Postal the world does not run.
      jwksUrl: `https://${deployment.server.webHost}/.well-known/jwks.json`,
      jwksDnsServer: dnsServer,
      ca,
      agentHostAddress: addresses.agentHost,
    }).then((r) => {
      started.push(r);
      return r;
    }),
    startMailTester({ address: addresses.mailTester, dnsServer: dns, ca, spamScorer: spamd.scorer, onLog: options.onLog }).then((m) => {
      started.push(m);
      return m;
    }),
  ]);
  handles.providers = providers;
  handles.inboxes = inboxes;
  handles.sender = sender;

  const postalEndpoints = options.externalPostal ? await externalPostal(options.externalPostal, deployment, ca, started) : undefined;
  let postal: PostalStandIn | undefined;
  if (!postalEndpoints) {
    postal = await startPostal({
      deployment,
      manifest,
      domainDkimPrivateKeyPem: accounts.domainDkimPrivateKeyPem,
      installSigningKeyPem: accounts.installSigningKeyPem,
      address: addresses.postal,
      dnsServer,
      ca,
      spamScorer: postalScorer,
      faults: options.postalFaults,
      ...(options.postalWorkerPoll ? { workerPoll: POSTAL_WORKER_POLL } : {}),
      empty: options.empty ?? false,
      endpointUrl: (url) => endpointUrlForWorld(url, addresses.inboxes),
    });
    started.push(postal);
    handles.postal = postal;
  }

  const senderFrom = `someone@${sender.domain}`;
  return {
    senderDkim: { name: sender.dkimRecord.name, type: 'TXT', ttl: 300, data: sender.dkimRecord.value },
    endpoints: {
      ca: { certificatePem: ca.certificatePem },
      spamd: { address: spamd.endpoint.address, port: spamd.endpoint.port, version: spamd.version },
      postalInspection,
      postal: postalEndpoints ?? postal!.endpoints,
      inboxes: inboxes.endpoints,
      providers: providers.map((p) => ({
        domain: p.domain,
        displayName: p.displayName,
        smtp: p.endpoints.smtp,
        imap: p.endpoints.imap,
        mxHost: p.mxHost,
        seeds: p.seeds,
      })),
      sender: {
        domain: sender.domain,
        submission: sender.endpoints.submission,
        host: `mx.${sender.domain}`,
        user: sender.credentials.user,
        password: sender.credentials.password,
        from: senderFrom,
      },
      mailTester: { domain: mailTester.domain, smtp: mailTester.endpoints.smtp, webUrl: mailTester.webUrl },
    },
  };
}

/** A Postal the world does not run: where it answers, and a TLS front (Caddy's part) when its web server is plain HTTP. */
async function externalPostal(
  external: NonNullable<StartWorldOptions['externalPostal']>,
  deployment: Deployment,
  ca: Awaited<ReturnType<typeof createCertificateAuthority>>,
  started: Array<{ stop(): Promise<void> }>,
): Promise<WorldMail['postal']> {
  const { webHost, mailHost } = deployment.server;
  if (external.webPort)
    started.push(await startPostalFront({ address: external.address, upstreamPort: external.webPort, names: [webHost, mailHost], ca }));
  return {
    smtp: { host: mailHost, address: external.address, port: 25 },
    web: { url: `https://${webHost}`, host: webHost, address: external.address, port: 443 },
    workerHealth: { url: `http://${external.address}:9090` },
    smtpHealth: { url: `http://${external.address}:9091` },
  };
}

export type { OutsideSender };
