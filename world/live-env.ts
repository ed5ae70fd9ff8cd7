/**
 * The world as live settings: every endpoint the live target reads from its env file, pointed at this
 * world. `npm run world -- --live-env=<file>` writes them; the embedded target opens the live target with
 * the same values, so the suite reaches the world through the live code path. The keys are the live
 * target's settings (harness/config/live-settings.ts; a harness test checks each one is known there).
 */
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import type { WorldDescription } from './world-description.ts';

/**
 * Deadlines for loopback: a message arrives in milliseconds, so 15 s is already generous. One network step
 * gets 10 s: a busy 2-core machine running several worlds (the fault matrix) can stall a world's event
 * loop for seconds while it signs and parses a message near the 14 MB limit.
 */
const WORLD_DEADLINES_S = {
  POSTAL_QA_DELIVERY_TIMEOUT_S: 15,
  POSTAL_QA_CONNECT_TIMEOUT_S: 10,
  POSTAL_QA_PROPAGATION_TIMEOUT_S: 1,
  POSTAL_QA_DNS_TIMEOUT_S: 2,
};

const PROVIDER_KEYS: Record<string, string> = { Gmail: 'SEED_GMAIL', Outlook: 'SEED_OUTLOOK' };

function hostPort(host: string, port: number): string {
  return `${host}:${port}`;
}

/** Every live setting, pointed at the world. The values include the world's throwaway secrets. */
export function liveEnvFor(description: WorldDescription, deployment: Deployment): Record<string, string> {
  const d = description;
  const values: Record<string, string> = {
    POSTAL_API_URL: d.postal.webUrl,
    POSTAL_API_KEYS_FILE: d.apiKeysFile,
    POSTAL_SERVER_IP: d.postalAddress,
    POSTAL_SMTP: hostPort(deployment.server.mailHost, d.postal.smtp.port),
    ...(d.smtpCredentialKey ? { POSTAL_SMTP_CREDENTIAL: d.smtpCredentialKey } : {}),
    HOST_RESOLVER: d.dns.primary,
    CA_FILE: d.caFile,
    DNSSEC_TRUST_ANCHOR: d.dnssecTrustAnchor,
    DNS_AUTHORITATIVE: d.dns.primary,
    DNS_RESOLVERS: [d.dns.primary, d.dns.secondary].join(','),
    POSTAL_HEALTH_URLS: `worker=${d.postal.workerHealthUrl},smtp=${d.postal.smtpHealthUrl}`,
    ...(d.postal.composePsUrl ? { POSTAL_SERVICES_URL: d.postal.composePsUrl } : {}),
    ...(d.postal.containersPsUrl ? { POSTAL_CONTAINERS_URL: d.postal.containersPsUrl } : {}),
    ...(d.postal.dkimRecord ? { POSTAL_DKIM_RECORD: d.postal.dkimRecord } : {}),
    ...(d.postal.stateFile ? { POSTAL_STATE_FILE: d.postal.stateFile } : {}),
    INBOX_LIST_URLS: d.inboxes.map((i) => `${i.agentId}=${i.listUrl}`).join(','),
    // The MailGoat CLI resolves names with the system resolver: it is given the address its certificate carries.
    MAILGOAT_SERVER_URL: `https://${d.postalAddress}${new URL(d.postal.webUrl).port ? `:${new URL(d.postal.webUrl).port}` : ''}`,
    // FN-06 runs the CLI's own `inbox serve` as the recipient's endpoint, on the agents' host (the receivers pass Postal's POSTs to it).
    MAILGOAT_INBOX_SERVE: d.agentHost,
    SPAMD_HOST: hostPort(d.spamd.host, d.spamd.port),
    MAIL_TESTER_USER: d.mailTester.user,
    MAIL_TESTER_DOMAIN: d.mailTester.domain,
    MAIL_TESTER_URL: d.mailTester.webUrl,
    // The operator's `ssh root@server …/dev/tcp/{ip}/25`: the world's server answers it from its own address.
    ...(d.postal.composePsUrl
      ? {
          OUTBOUND_SMTP_COMMAND: `curl -sS --fail-with-body --max-time 10 "${d.postal.composePsUrl.replace(/\/compose\/ps$/, '')}/outbound?ip={ip}&port=25"`,
        }
      : {}),
    OUTBOUND_SMTP_DOMAINS: d.seeds
      .map((s) => s.address.split('@')[1])
      .filter((v, i, all) => all.indexOf(v) === i)
      .join(','),
    // SEC-01 follows an accepted relay attempt to a mailbox it reads: the Gmail seed.
    RELAY_PROBE_RECIPIENT: (d.seeds.find((s) => s.provider === 'Gmail') ?? d.seeds[0])?.address ?? 'relay-probe@gmail.test',
    // SEC-07 forges a domain publishing p=reject: the world's outside sender's.
    SPOOF_PROBE_DOMAIN: d.sender.from.split('@')[1]!,
    // The world's providers report within seconds of the mail (a real one: the next day).
    DMARC_REPORTS_WAIT_S: '20',
    OUTSIDE_SMTP: hostPort(d.sender.servername, d.sender.port),
    OUTSIDE_SMTP_USER: d.sender.user,
    OUTSIDE_SMTP_PASSWORD: d.sender.password,
    OUTSIDE_SMTP_FROM: d.sender.from,
    ...Object.fromEntries(Object.entries(WORLD_DEADLINES_S).map(([key, seconds]) => [key, String(seconds)])),
  };
  for (const seed of d.seeds) {
    const prefix = PROVIDER_KEYS[seed.provider];
    if (!prefix || values[`${prefix}_ADDRESS`]) continue;
    values[`${prefix}_ADDRESS`] = seed.address;
    values[`${prefix}_PASSWORD`] = seed.imap.password;
    values[`${prefix}_USER`] = seed.imap.user;
    values[`${prefix}_IMAP`] = hostPort(seed.imap.servername, seed.imap.port);
    values[`${prefix}_IMAP_TLS`] = 'starttls';
  }
  return values;
}

export { formatEnvFile } from '../core/env-file.ts';
