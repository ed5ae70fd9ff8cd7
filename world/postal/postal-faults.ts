import type { RelayHoles } from './relay-faults.ts';
import type { SmtpCertificateFault } from './smtp-certificate.ts';

/** Ways the Postal stand-in can be told to misbehave, each a real misconfiguration (see world/faults.ts). */
export interface PostalFaultOptions {
  /** Accept unauthenticated mail for any domain (an open relay). */
  openRelay?: boolean;
  /** Relay holes of a front MTA or an old relay configuration (relay-faults.ts). */
  relay?: RelayHoles;
  /** AUTH PLAIN/LOGIN grant any password (an authentication backend that answers yes to everything). */
  authAnyPassword?: boolean;
  /** The domain is marked "use for any" (Domain#use_for_any): credentials send From any domain at all. */
  domainUseForAny?: boolean;
  /** What is wrong with the certificate at smtp_server.tls_certificate_path. */
  smtpCertificate?: SmtpCertificateFault;
  /** smtp_server.ssl_version / tls_ciphers from an old guide: STARTTLS offers TLS 1.0 and 1.1 too. */
  smtpLegacyTls?: boolean;
  /**
   * The inbound check against spoofed senders in Postal's inspection (world/spam/spoof-rules.ts): 'on' (default)
   * for the domain and p=reject domains, 'own-domain-only', or 'off' as Postal 3.3.2 ships.
   */
  inboundSpoofChecks?: 'on' | 'own-domain-only' | 'off';
  /** The MTA-STS policy the TLS proxy serves at https://mta-sts.<domain>/.well-known/mta-sts.txt (none: 404). */
  mtaStsPolicy?: string;
  /** false: no STARTTLS in EHLO, as with `smtp_server.tls_enabled: false`. */
  starttls?: boolean;
  /** Text appended to the plain body of every outgoing message (a signature added by a template). */
  outgoingFooter?: string;
  /** Outgoing connections to port 25 of any host but this server time out (the provider blocks port 25). */
  outboundBlocked?: boolean;
  /** Every queued message waits this long before its first delivery attempt. */
  deliveryDelayMs?: number;
  /** The postal-mariadb container is down: every API call fails (HTTP 500) and the worker cannot dequeue. */
  databaseDown?: boolean;

  // --- added for issue 21's faults (each names the Postal setting or behaviour it stands for) ---

  /** postal.smtp_hostname: the banner, the HELO answer and (without dns.helo_hostname) the outbound HELO. */
  smtpHostname?: string;
  /** dns.helo_hostname: the name Postal gives in HELO when it delivers (smtp_client/endpoint.rb). */
  heloHostname?: string;
  /** false: Postal's STARTTLS to the receiving MX fails and it delivers in plain text (endpoint.rb, allow_ssl). */
  outboundTls?: boolean;
  /** smtp_server.ssl_version (default "SSLv23": the best both sides have): "TLSv1" pins the SMTP server to TLS 1.0. */
  smtpSslVersion?: 'TLSv1';
  /** smtp_server.max_message_size in MB (default 14): larger messages get 552 at the end of DATA. */
  maxMessageSizeMb?: number;
  /** The host's clock runs this far ahead: DKIM t=, Date and Received stamps of what Postal makes. */
  clockSkewMs?: number;
  /** Outgoing DKIM signatures carry l= (a body length): what a re-signing relay or milter adds. */
  dkimBodyLength?: boolean;
  /** The SMTP credential belongs to a second mail server whose copy of the domain was never DNS-checked: its mail is signed with the fallback key. */
  smtpCredentialOnUncheckedServer?: boolean;
  /** dns.resolv_conf_path names a resolver that does not answer: every MX lookup of the worker fails. */
  resolverDown?: boolean;
  /** The mail server's send limit (messages per hour, Server#send_limit): past it outgoing mail is Held. */
  sendLimitPerHour?: number;
  /** Recipients on the mail server's suppression list: outgoing mail to them is Held. */
  suppressedRecipients?: string[];
  /** Server#outbound_spam_threshold: outgoing mail scoring at or above it is HardFailed as spam. */
  outboundSpamThreshold?: number;
  /** Server#spam_threshold for incoming mail (default 5): above it mail is spam and the route's spam mode applies. */
  spamThreshold?: number;
  /** Agents whose API credential is set to Hold (Credential#hold): their mail is Held. */
  holdCredentialsOf?: string[];
  /** The mail server is suspended: the API answers ServerSuspended, SMTP 535. */
  serverSuspended?: boolean;
  /** A route's mode instead of its endpoint (route.rb MODES), by route name. */
  routeModes?: Record<string, 'Hold' | 'Accept' | 'Reject' | 'Bounce'>;
  /** Additional route endpoints (route.rb create_messages): route name → agents whose inbox endpoint also gets the message. */
  additionalEndpoints?: Record<string, string[]>;
  /** HTTP endpoint settings Postal's UI offers besides the provisioned ones, by agent id. */
  endpointSettings?: Record<string, { format?: 'Hash' | 'RawMessage'; encoding?: 'BodyAsJSON' | 'FormData'; port?: number }>;
  /** A Postal version whose HTTP payload breaks the encoding of incoming mail (issue 2462): UTF-8 text as Latin-1. */
  webhookMojibake?: boolean;
  /** A Postal version that strips characters it cannot encode from outgoing mail (issue 2816): non-ASCII removed. */
  stripNonAsciiOutgoing?: boolean;
  /** Click and open tracking on the domain: links in HTML rewritten to the tracking host, a pixel added. */
  clickTracking?: string;
  /** The web host's certificate (Caddy's) was not renewed: it expired days ago. */
  webCertificateExpired?: boolean;
}
