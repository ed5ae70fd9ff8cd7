/**
 * What the stand-in knows about its one Postal server, read from the deployment and the accounts
 * manifest: hostnames, the verified domain, credentials, routes and endpoints, and the lookups Postal
 * makes against its database (credential by key, route by name and domain, authenticated From domain).
 */
import type { PostalFaultOptions } from './postal-faults.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { AccountsManifest, ManifestEndpoint, ManifestRoute } from '../../core/artifacts/accounts-manifest.ts';
import { addressesIn, domainOf, stripName, type HeaderMap } from './mail-headers.ts';

/** postal.yml defaults the stand-in keeps */
export const POSTAL_DEFAULTS = {
  spamThreshold: 5,
  spamFailureThreshold: 20,
  maxMessageSizeMb: 14,
  dkimIdentifier: 'postal',
} as const;

export class PostalConfig {
  readonly version: string;
  readonly webHost: string;
  readonly mailHost: string;
  readonly domain: string;
  readonly returnPathDomain: string;
  /** Misbehaviour injected on purpose (world/faults.ts); empty for a healthy stand-in. */
  faults: PostalFaultOptions = {};

  /**
   * Whether Postal holds the domain (false in an empty world until provisioning creates it): a From on
   * a domain the server does not hold is not authenticated.
   */
  domainHeld = true;

  /**
   * postal.yml `smtp_server.tls_enabled` and the certificate it names (lib/postal/config_schema.rb:265-280:
   * default false, /config/smtp.cert and /config/smtp.key). Off: EHLO offers no STARTTLS and STARTTLS is
   * `502 TLS not available` (app/lib/smtp_server/client.rb:139-158). A certificate that cannot be read fails
   * the handshake after `220 Ready to start TLS`, as Postal's lazy ssl_context (server.rb:60) raises.
   */
  smtpTls: { enabled: boolean; certificatePem?: string; privateKeyPem?: string } = { enabled: false };

  constructor(
    readonly deployment: Deployment,
    /** What Postal holds; replaced when provisioning's accounts script runs (postal-accounts.ts). */
    public manifest: AccountsManifest,
  ) {
    this.version = deployment.postal.version;
    this.webHost = deployment.server.webHost.toLowerCase();
    this.mailHost = deployment.server.mailHost.toLowerCase();
    this.domain = manifest.domain.name.toLowerCase();
    this.returnPathDomain = manifest.domain.returnPathDomain.toLowerCase();
  }

  apiCredential(key: string): boolean {
    return this.manifest.credentials.some((c) => c.type === 'API' && c.key === key);
  }

  smtpCredential(key: string): boolean {
    return this.manifest.credentials.some((c) => c.type === 'SMTP' && c.key === key);
  }

  smtpCredentialKeys(): string[] {
    return this.manifest.credentials.filter((c) => c.type === 'SMTP').map((c) => c.key);
  }

  /** Route.find_by_name_and_domain: the local part (without +tag), else `*`, on a domain the server holds. */
  routeFor(address: string): ManifestRoute | undefined {
    const at = address.lastIndexOf('@');
    if (at <= 0) return undefined;
    return this.routeByNameAndDomain(address.slice(0, at).split('+', 1)[0]!, address.slice(at + 1));
  }

  /** Route.find_by_name_and_domain(name, domain): MariaDB compares both case-insensitively; no route name holds `%`, `!` or quotes, so those fall to `*`. */
  routeByNameAndDomain(name: string, domain: string): ManifestRoute | undefined {
    const routes = this.manifest.routes.filter((r) => r.domain.toLowerCase() === domain.toLowerCase());
    return routes.find((r) => r.name.toLowerCase() === name.toLowerCase()) ?? routes.find((r) => r.name === '*');
  }

  endpointFor(route: ManifestRoute): ManifestEndpoint | undefined {
    const uuid = route.endpoint.replace(/^HTTPEndpoint#/, '');
    return this.manifest.endpoints.find((e) => e.uuid === uuid);
  }

  /** The route's mode (route.rb MODES): Endpoint, or the one a fault set. */
  routeMode(route: ManifestRoute): 'Endpoint' | 'Hold' | 'Accept' | 'Reject' | 'Bounce' {
    return this.faults.routeModes?.[route.name] ?? 'Endpoint';
  }

  /** The route's additional endpoints (AdditionalRouteEndpoint): other agents' inbox endpoints. */
  additionalEndpointsOf(route: ManifestRoute): ManifestEndpoint[] {
    const agents = this.faults.additionalEndpoints?.[route.name] ?? [];
    return agents
      .map((agentId) => this.manifest.endpoints.find((e) => e.agentId === agentId))
      .filter((e): e is ManifestEndpoint => e !== undefined);
  }

  /** The API credential's agent, for Credential#hold. */
  apiCredentialAgent(key: string): string | undefined {
    return this.manifest.credentials.find((c) => c.type === 'API' && c.key === key)?.agentId;
  }

  /** The host's clock: real time, or ahead by the clock-skew fault. */
  now(): Date {
    return new Date(Date.now() + (this.faults.clockSkewMs ?? 0));
  }

  /** Server#authenticated_domain_for_address: the address's domain is the server's verified domain. */
  authenticatedDomainFor(address: string | undefined | null): string | null {
    if (!address) return null;
    const domain = domainOf(stripName(address));
    const verified = this.domainHeld && this.manifest.domain.verified;
    if (verified && domain !== '' && domain === this.domain) return domain;
    // Server#authenticated_domain_for_address: else a verified domain with use_for_any authenticates any address.
    return verified && domain !== '' && this.faults.domainUseForAny ? this.domain : null;
  }

  /** Server#find_authenticated_domain_from_headers: every From address must be on the verified domain. */
  authenticatedDomainFromHeaders(headers: HeaderMap): string | null {
    const values = (headers.get('from') ?? []).flatMap((v) => addressesIn(v));
    if (values.length === 0) return null;
    const domains = values.map((v) => this.authenticatedDomainFor(v));
    return domains.every((d) => d !== null) ? domains[0]! : null;
  }
}
