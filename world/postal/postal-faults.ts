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
}
