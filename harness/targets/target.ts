/**
 * What the specs know about the system under test — addresses and settings only, never internals.
 * It is plain data so it can cross from the CLI process into vitest's workers (vitest `provide`/`inject`).
 */
import type { EnvName } from '../config/run-options.ts';

export type { EnvName };

export interface ResolverEndpoint {
  /** e.g. "authoritative ns1.mailgoat.ai", "public 1.1.1.1", "world secondary resolver". */
  label: string;
  /** "address" or "address:port". */
  server: string;
}

export interface SeedMailbox {
  provider: string;
  address: string;
  /** host may be an address; servername is then the name the certificate carries. */
  imap: { host: string; port: number; secure: boolean; user: string; password: string; servername?: string };
}

export interface AgentAccount {
  agentId: string;
  address: string;
  /** Secret: masked by every writer; specs must never print it. */
  apiKey: string;
}

/** How the harness reads an agent's inbox (what MailGoat's `inbox list --json` shows). */
export type InboxReader =
  /** GET the agent's listing URL → JSON list (the world's receivers). */
  | { kind: 'http'; urls: Record<string, string> }
  /** A command whose stdout is `inbox list --json` output, `{agent}` substituted (e.g. over ssh). */
  | { kind: 'command'; template: string };

export interface TargetDescriptor {
  env: EnvName;
  /** One line for the report: what was tested. */
  label: string;
  domain: string;
  mailHost: string;
  webHost: string;
  /** The server's address as the wire sees it (embedded: the world's loopback stand-in for the public IP). */
  serverIp: string;
  /** The address the deployment file declares (what remediations must name). */
  publicServerIp: string;
  dns: {
    /** Where the deployment's own records are read: the domain's authoritative server when known. */
    primary: ResolverEndpoint;
    /** Where reverse (PTR) records are read: the IP owner's zone is not the domain's. */
    reverse: ResolverEndpoint;
    /** Every resolver whose answers must agree (DNS-07). */
    resolvers: ResolverEndpoint[];
  };
  /** How clients resolve host names: a DNS server ("addr[:port]"), or "system". */
  hostResolver: string;
  /** How INF-07 tries port 25 from the server: a command with {host}/{ip}, and the providers whose MX it tries. */
  outboundSmtp?: { command: string; domains: string[] };
  /** Where the DNS blocklists are asked (DNSBL_RESOLVER); default the host resolver, else the system's. */
  blocklistResolver?: string;
  /** The root DS a DNSSEC validator trusts (DNS-13), `. DS <tag> <alg> <digest type> <hex>`; absent: IANA's anchors. */
  dnssecTrustAnchor?: string;
  /** PEM of an extra root the target's TLS chains lead to (the world CA); live uses the system store only. */
  trustedCaPem?: string;
  postal?: {
    /** Base URL of web UI and API, e.g. https://postal.mailgoat.ai */
    webUrl: string;
    /**
     * The `server` an agent's MailGoat CLI is configured with, when it differs from webUrl: the embedded
     * world's https://<address> (its certificate carries the address), since the CLI resolves names with
     * the system resolver, not the world's DNS. Live: absent (webUrl).
     */
    cliServerUrl?: string;
    smtp: { host: string; port: number };
    /** Secret: an SMTP credential key of the mail server, for the agents' SMTP submission path (FN-02). */
    smtpCredential?: string;
    /** Health servers that are reachable from the harness (worker :9090, smtp :9091). */
    healthUrls: Array<{ name: string; url: string }>;
    /** Where the service list (docker compose -p postal ps --format json) is read. */
    services?: { kind: 'http'; url: string } | { kind: 'command'; command: string };
    /** Where the containers apart from the compose project (docker ps -a --format json: postal-mariadb) are read. */
    containers?: { kind: 'http'; url: string } | { kind: 'command'; command: string };
    /** The domain's DKIM record as Postal shows it (its DNS page; Domain#dkim_record), when the target can tell. */
    dkimRecord?: string;
    /**
     * The DKIM selector Postal generated for the domain, learnt from provisioning's postal-state.json (where it
     * came from, for the evidence); absent when unknown — then the deployment file's selector is only assumed.
     */
    dkimSelector?: { selector: string; source: string };
    expectedVersion: string;
  };
  accounts: AgentAccount[];
  /** Secret: the SMTP credential's key ("smtp <key>" in postal-api-keys.txt), for SEC-04's From test; masked by every writer. */
  smtpCredentialKey?: string;
  inboxReader?: InboxReader;
  seeds: SeedMailbox[];
  /** An SMTP submission service outside the deployment, for mail from outside (FN-07). */
  outsideSender?: { host: string; port: number; user: string; password: string; from: string; servername?: string };
  /**
   * mail-tester itself (FN-05): its score from its JSON API at `<webUrl>/<id>&format=json`. `user`: an
   * account, so each run sends to a new `<user>-<id>@<domain>`; `address`: one address given by the user.
   */
  mailTester?: { webUrl: string; domain: string; user?: string; address?: string };
  /** A spamd (SPAMC) that scores received messages the way mail-tester does (FN-05). */
  spamScorer?: { host: string; port: number };
  /**
   * Where FN-08 reads DMARC aggregate reports besides the agent inbox that receives the rua address: an
   * IMAP mailbox, a folder of files; and how long it waits for the reports of this run's own mail.
   */
  dmarcReports?: {
    waitMs: number;
    dir?: string;
    imap?: { host: string; port: number; secure: boolean; user: string; password: string; mailbox: string; servername?: string };
  };
  /** An address at a domain the deployment does not serve, for the open-relay probe. */
  relayProbeRecipient: string;
  /** A domain publishing DMARC p=reject that SEC-07 forges (SPOOF_PROBE_DOMAIN). */
  spoofProbeDomain: string;
  timeouts: {
    dnsMs: number;
    /** One network step (connect, SMTP reply, HTTP answer). */
    connectMs: number;
    /** How long a message may take to arrive before it counts as lost. */
    deliveryMs: number;
    /** How long DNS-07 keeps asking before it calls the resolvers out of step. */
    propagationMs: number;
  };
  /** Versions of what the target runs, when it can tell (e.g. the world's SpamAssassin). */
  components?: Record<string, string>;
  /** The MailGoat CLI command FN-06 runs (MAILGOAT_CLI, from the environment or the live env file). */
  mailgoatCli?: string;
  /** MAILGOAT_INBOX_DB: an agent's inbox database, `{agent}` substituted (an agent's running `inbox serve`). */
  mailgoatInboxDbTemplate?: string;
  /**
   * MAILGOAT_INBOX_SERVE: where FN-06 runs the CLI's own `inbox serve` as the recipient's endpoint — the address
   * Postal's route for the recipient posts to, reachable from here; the port is the recipient's endpoint's unless given.
   */
  mailgoatInboxServe?: { host: string; port?: number };
  /** What differs from a real deployment, in words a reviewer reads in the report. */
  limitations: string[];
}

export interface OpenTarget {
  descriptor: TargetDescriptor;
  /** Secrets the target knows about, so every writer can mask them. */
  secrets: string[];
  /** A target that runs containers: every container's log, for the report when a control failed. */
  containerLogs?(): Promise<Array<{ name: string; text: string }>>;
  close(): Promise<void>;
}
