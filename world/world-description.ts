/**
 * The world described as an environment to test: every address, credential and limitation a client
 * needs, as plain data. The embedded target receives it over IPC; `npm run world` prints it for people.
 * It carries secrets (API keys, seed passwords): whoever writes it anywhere must mask them.
 */
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import type { AccountsManifest } from '../core/artifacts/accounts-manifest.ts';
import { serverString } from '../core/dns/resolver.ts';
import type { World } from './world.ts';

export interface WorldDescription {
  net: string;
  /** The address that plays the deployment's public IP. */
  postalAddress: string;
  dns: {
    primary: string;
    secondary: string;
    /** the DNS provider's API: POST a zone file to <url>/records (world/dns-provider-api.ts) */ providerApi?: string;
  };
  /** The DS of the world's root key (`. DS <tag> 13 2 <hex>`): the trust anchor of a validator in the world. */
  dnssecTrustAnchor: string;
  caPem: string;
  /** The CA as a file: what a user gives an ordinary client, e.g. NODE_EXTRA_CA_CERTS for the MailGoat CLI. */
  caFile: string;
  /** postal-api-keys.txt as provisioning wrote it for this world (the operator's keys). */
  apiKeysFile: string;
  postal: {
    webUrl: string;
    smtp: { host: string; address: string; port: number };
    workerHealthUrl: string;
    smtpHealthUrl: string;
    /** the world's stand-ins for `docker compose ps` / `docker ps -a` (absent around a Postal the world does not run) */
    composePsUrl?: string;
    containersPsUrl?: string;
    /** The domain's DKIM record as Postal shows it on its DNS page (Domain#dkim_record), when the world runs Postal. */
    dkimRecord?: string;
    /** postal-state.json for this world's Postal (what it generated), when the launcher wrote one */
    stateFile?: string;
  };
  accounts: Array<{ agentId: string; address: string; apiKey: string }>;
  smtpCredentialKey?: string;
  inboxes: Array<{ agentId: string; address: string; listUrl: string }>;
  /** Where an agent runs its own `mailgoat inbox serve` (on its receiver's port): the receivers pass Postal's POSTs to it. */
  agentHost: string;
  /** imap.host is the address; servername the name on the certificate, which the world's DNS also answers. */
  seeds: Array<{
    provider: string;
    address: string;
    imap: { host: string; port: number; user: string; password: string; servername: string };
  }>;
  sender: { host: string; port: number; user: string; password: string; from: string; servername: string };
  spamd: { host: string; port: number; version: string };
  /** The mail-tester stand-in: tests are `<user>-<id>@<domain>`, reports at `<webUrl>/<user>-<id>&format=json`. */
  mailTester: { domain: string; webUrl: string; user: string };
  /** what Postal inspects incoming mail with (rspamd, spamd or none), as the world started it */
  postalInspection: string;
  limitations: string[];
  faults: Array<{ name: string; description: string }>;
  /**
   * An empty world's server host, where provisioning reaches the server: over SSH at address:port, or through
   * the exec transport with `shell` (`<shell> '<command>'`; the local target runs it inside the container).
   */
  serverHost?: { address: string; port: number; root: string; shell: string };
}

/** What the world says to the process that launched it with --ipc (world/main.ts). */
export type WorldMessage =
  { type: 'ready'; description: WorldDescription; startedMs: number } | { type: 'error'; kind: 'config' | 'start'; message: string };

/**
 * `manifest` is what provisioning wrote — the operator's keys (postal-api-keys.txt) — not what Postal holds
 * after a fault: a revoked key stays in the operator's file, and the harness must find out Postal refuses it.
 * files: where the launcher wrote the world CA (world/main.ts: <out>/world-ca.pem, or world-ca-<net>.pem on another net) and the API keys.
 */
export function describeWorld(
  world: World,
  deployment: Deployment,
  manifest: AccountsManifest,
  faults: Array<{ name: string; description: string }>,
  files: { caFile: string; apiKeysFile: string; stateFile?: string },
): WorldDescription {
  const mail = world.mail;
  if (!mail) throw new Error('the world was started without accounts: there is no mail side to describe');
  const apiKeys = new Map(manifest.credentials.filter((c) => c.type === 'API' && c.agentId).map((c) => [c.agentId!, c.key]));
  return {
    net: world.addresses.net,
    postalAddress: mail.postal.smtp.address,
    dns: {
      primary: serverString(world.endpoints.dns),
      secondary: serverString(world.endpoints.dnsSecondary),
      providerApi: world.endpoints.dnsProviderApi,
    },
    dnssecTrustAnchor: world.dnssecTrustAnchor,
    caPem: mail.ca.certificatePem,
    caFile: files.caFile,
    apiKeysFile: files.apiKeysFile,
    postal: {
      webUrl: mail.postal.web.url,
      smtp: mail.postal.smtp,
      workerHealthUrl: `${mail.postal.workerHealth.url}/health`,
      smtpHealthUrl: `${mail.postal.smtpHealth.url}/health`,
      ...(mail.postal.ops ? { composePsUrl: mail.postal.ops.composePs, containersPsUrl: mail.postal.ops.containersPs } : {}),
      ...(world.handles.postal ? { dkimRecord: world.handles.postal.domainDns.dkimRecord } : {}),
      ...(files.stateFile ? { stateFile: files.stateFile } : {}),
    },
    accounts: deployment.agents.map((a) => ({ agentId: a.id, address: a.address, apiKey: apiKeys.get(a.id) ?? '' })),
    smtpCredentialKey: manifest.credentials.find((c) => c.type === 'SMTP')?.key,
    inboxes: mail.inboxes.map((i) => ({ agentId: i.agentId, address: i.address, listUrl: `${i.baseUrl}/messages` })),
    agentHost: world.addresses.agentHost,
    seeds: mail.providers.flatMap((p) =>
      p.seeds.map((seed) => ({
        provider: p.displayName,
        address: seed.address,
        imap: { host: p.imap.address, port: p.imap.port, user: seed.user, password: seed.password, servername: `imap.${p.domain}` },
      })),
    ),
    sender: {
      host: mail.sender.submission.address,
      port: mail.sender.submission.port,
      user: mail.sender.user,
      password: mail.sender.password,
      from: mail.sender.from,
      servername: mail.sender.host,
    },
    spamd: { host: mail.spamd.address, port: mail.spamd.port, version: mail.spamd.version },
    mailTester: { domain: mail.mailTester.domain, webUrl: mail.mailTester.webUrl, user: 'postal-qa' },
    postalInspection: mail.postalInspection,
    limitations: world.limitations,
    faults,
    ...(world.serverHost
      ? {
          serverHost: {
            address: world.serverHost.address,
            port: world.serverHost.port,
            root: world.serverHost.root,
            shell: world.serverHost.shell,
          },
        }
      : {}),
  };
}

/** Every secret in a description, so writers can mask them. */
export function descriptionSecrets(description: WorldDescription): string[] {
  return [
    ...description.accounts.map((a) => a.apiKey),
    ...(description.smtpCredentialKey ? [description.smtpCredentialKey] : []),
    ...description.seeds.map((s) => s.imap.password),
    description.sender.password,
  ].filter(Boolean);
}
