/**
 * What the specs know about the system under test — addresses and settings only, never internals.
 * It is plain data so it can cross from the CLI process into vitest's workers (vitest `provide`/`inject`).
 */
export type EnvName = 'embedded' | 'local' | 'live';

export interface ResolverEndpoint {
  /** e.g. "authoritative ns1.mailgoat.ai", "public 1.1.1.1", "world secondary resolver". */
  label: string;
  /** "address" or "address:port". */
  server: string;
}

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
  timeouts: {
    dnsMs: number;
    /** How long DNS-07 keeps asking before it calls the resolvers out of step. */
    propagationMs: number;
  };
  /** What differs from a real deployment, in words a reviewer reads in the report. */
  limitations: string[];
}

export interface OpenTarget {
  descriptor: TargetDescriptor;
  /** Secrets the target knows about, so every writer can mask them. */
  secrets: string[];
  close(): Promise<void>;
}
