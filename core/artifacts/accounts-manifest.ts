/**
 * What a Postal server holds after MailGoat's setup, as plain data: the world boots from it and a
 * later provisioning step applies the same file to a real Postal (Rails runner). It holds credentials:
 * always written with mode 600, never printed.
 */
export interface AccountsManifest {
  version: 1;
  generatedAt: string;
  organization: { name: string; permalink: string };
  /** token: Postal's 6-character server token (used in the return-path local part). */
  server: { name: string; permalink: string; mode: 'Live' | 'Development'; token: string };
  domain: {
    name: string;
    verificationMethod: 'DNS';
    verified: true;
    dkimSelector: string;
    /** Path (relative to the manifest) of the domain's DKIM private key, as provisioning/dns wrote it. */
    dkimPrivateKeyFile: string;
    returnPathDomain: string;
    /** Postal's DNS check ran for the domain (dns_checked_at set): only then is it ever re-checked. */
    dnsChecked: boolean;
  };
  endpoints: ManifestEndpoint[];
  routes: ManifestRoute[];
  credentials: ManifestCredential[];
}

export interface ManifestEndpoint {
  uuid: string;
  name: string;
  url: string;
  encoding: 'BodyAsJSON';
  format: 'Hash';
  stripReplies: boolean;
  includeAttachments: boolean;
  /** seconds, 5–60 as Postal allows */
  timeout: number;
  agentId: string;
}

export interface ManifestRoute {
  /** The local part, or "*" for the catch-all. */
  name: string;
  domain: string;
  spamMode: 'Mark' | 'Quarantine' | 'Fail';
  /** "HTTPEndpoint#<uuid>" as Postal's `_endpoint` takes it. */
  endpoint: string;
  agentId: string;
}

export interface ManifestCredential {
  name: string;
  type: 'API' | 'SMTP';
  /** 24 alphanumerics, like Postal generates. Secret. */
  key: string;
  /** The agent the API credential belongs to; absent for the shared SMTP credential. */
  agentId?: string;
}

/** The name of the one SMTP credential, and its line's first word in postal-api-keys.txt. */
export const SMTP_CREDENTIAL_NAME = 'smtp';
