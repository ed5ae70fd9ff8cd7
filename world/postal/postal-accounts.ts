/**
 * What Postal's database holds about accounts, and the stand-in's answer to the accounts script
 * (provisioning/postal/accounts-runner.rb, which provisioning runs in Postal's runner container and the
 * world's server host hands to the ops API as `POST /runner/accounts`): the same plan, the same
 * read-then-create-what-is-missing semantics, the same result. The script itself is Ruby, checked
 * statically against Postal 3.3.2's names; here it is applied by this port of it.
 *
 * Applying changes what the running stand-in serves at once: the manifest PostalConfig reads
 * (credentials, endpoints, routes) is replaced, so a key made here authenticates on the next request.
 * What Postal generates at random is random here too: credential keys, and — when the domain is created —
 * its DKIM selector (`<dkim_identifier>-` and six characters, app/models/domain.rb:58,117-120) and a
 * 1024-bit key (domain.rb:60,84-86, before_create). An imported key replaces the key, never the selector.
 * The server token stays the world's.
 */
import type { AccountsPlan } from '../../provisioning/deploy/accounts-plan.ts';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AccountsManifest, ManifestCredential, ManifestEndpoint, ManifestRoute } from '../../core/artifacts/accounts-manifest.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { DomainDnsState } from './domain-dns-state.ts';
import type { PostalConfig } from './postal-config.ts';
import { randomAlphanumeric, randomSelectorString } from './random-token.ts';

/** The JSON the script reads: provisioning's plan, as the runner receives it. */
export type RunnerPlan = AccountsPlan;

export interface PostalAccountsOptions {
  config: PostalConfig;
  deployment: Deployment;
  domainDns: DomainDnsState;
  /** the key the domain holds, shared with the signer: replaced when the domain is created or a key imported */
  domainKey: { pem: string };
  /** start with nothing: no organization, server, domain, credentials or routes (`npm run world -- --empty`) */
  empty: boolean;
  /** the world moves every agent inbox to its inboxes address */
  endpointUrl: (url: string) => string;
}

interface Held {
  initialized: boolean;
  users: Array<{ email: string }>;
  organization: boolean;
  server: boolean;
  domain: boolean;
  dkimKeyPem: string;
}

export class PostalAccounts {
  private readonly held: Held;

  constructor(private readonly o: PostalAccountsOptions) {
    const empty = o.empty;
    this.held = { initialized: !empty, users: [], organization: !empty, server: !empty, domain: !empty, dkimKeyPem: o.domainKey.pem };
    if (empty) o.config.manifest = { ...o.config.manifest, credentials: [], endpoints: [], routes: [] };
    o.config.domainHeld = !empty;
  }

  get initialized(): boolean {
    return this.held.initialized;
  }

  /** `postal initialize`: the schema loaded (db:create postal:update). */
  initialize(): void {
    this.held.initialized = true;
  }

  async apply(plan: RunnerPlan, dryRun: boolean, options: { checkDns?: boolean } = {}): Promise<Record<string, unknown>> {
    if (!this.held.initialized) throw new Error("ActiveRecord::NoDatabaseError: Unknown database 'postal'");
    const { config } = this.o;
    const changes: string[] = [];
    let manifest: AccountsManifest = config.manifest;

    if (!this.held.users.some((u) => u.email === plan.admin.email_address)) {
      changes.push(`admin user ${plan.admin.email_address}`);
      if (!dryRun) this.held.users.push({ email: plan.admin.email_address });
    }
    const orgHeld = this.held.organization && manifest.organization.permalink === plan.organization.permalink;
    if (!orgHeld) {
      changes.push(`organization ${plan.organization.permalink}`);
      if (!dryRun) {
        this.held.organization = true;
        manifest = { ...manifest, organization: { ...plan.organization } };
      }
    }
    const org = orgHeld || !dryRun;
    const serverHeld = org && this.held.server && manifest.server.permalink === plan.server.permalink;
    if (!serverHeld) {
      changes.push(`mail server ${plan.organization.permalink}/${plan.server.permalink} (mode ${plan.server.mode})`);
      if (!dryRun) {
        this.held.server = true;
        manifest = {
          ...manifest,
          server: { ...manifest.server, name: plan.server.name, permalink: plan.server.permalink, mode: plan.server.mode },
        };
      }
    } else if (manifest.server.mode !== plan.server.mode) {
      changes.push(`mail server mode ${manifest.server.mode} -> ${plan.server.mode}`);
      if (!dryRun) manifest = { ...manifest, server: { ...manifest.server, mode: plan.server.mode } };
    }
    const server = serverHeld || !dryRun;
    const domainHeld = server && this.held.domain && manifest.domain.name === plan.domain;
    if (!domainHeld) {
      changes.push(`domain ${plan.domain} (verified, DNS method)`);
      if (!dryRun) {
        if (plan.domain !== config.domain) throw new Error(`the world's stand-in holds only ${config.domain} (asked for ${plan.domain})`);
        this.held.domain = true;
        // before_create :generate_dkim_key, and a random dkim_identifier_string.
        const made = generateKeyPairSync('rsa', { modulusLength: 1024 });
        this.setDomainKey(made.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
        manifest = {
          ...manifest,
          domain: {
            ...manifest.domain,
            dkimSelector: `${this.o.deployment.postal.dkimIdentifier}-${randomSelectorString()}`,
            dnsChecked: false,
          },
        };
      }
    }
    const domain = domainHeld || !dryRun;
    if (plan.dkim_private_key && (!domain || this.held.dkimKeyPem.trim() !== plan.dkim_private_key.trim())) {
      changes.push(`DKIM key of ${plan.domain}: import the deployment's key`);
      if (!dryRun) this.setDomainKey(plan.dkim_private_key);
    }
    // accounts-runner.rb: a key of the deployment's size, made in Postal's container, when Postal's is smaller.
    const wantedBits = plan.dkim_key_bits;
    if (
      wantedBits &&
      !plan.dkim_private_key &&
      (!domain || (createPrivateKey(this.held.dkimKeyPem).asymmetricKeyDetails?.modulusLength ?? 0) < wantedBits)
    ) {
      changes.push(`DKIM key of ${plan.domain}: a ${wantedBits}-bit key made in Postal's container (Postal makes 1024 bits)`);
      if (!dryRun)
        this.setDomainKey(
          generateKeyPairSync('rsa', { modulusLength: wantedBits }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        );
    }

    const credentials: ManifestCredential[] = [...(server ? manifest.credentials : [])];
    for (const wanted of plan.credentials) {
      if (server && credentials.some((c) => c.name === wanted.name && c.type === wanted.type) && this.held.server) continue;
      changes.push(`${wanted.type} credential ${wanted.name}`);
      if (!dryRun) {
        const agentId = wanted.type === 'API' ? this.agentOf(wanted.name) : undefined;
        credentials.push({ name: wanted.name, type: wanted.type, key: randomAlphanumeric(24), ...(agentId ? { agentId } : {}) });
      }
    }
    const endpoints: ManifestEndpoint[] = [...manifest.endpoints];
    for (const wanted of plan.endpoints) {
      const url = this.o.endpointUrl(wanted.url);
      const existing = server ? endpoints.find((e) => e.name === wanted.name) : undefined;
      if (existing) {
        if (existing.url !== url) {
          changes.push(`HTTP endpoint ${wanted.name} url -> ${wanted.url}`);
          if (!dryRun) endpoints[endpoints.indexOf(existing)] = { ...existing, url };
        }
        continue;
      }
      changes.push(`HTTP endpoint ${wanted.name} -> ${wanted.url}`);
      if (!dryRun) {
        endpoints.push({
          uuid: randomUUID(),
          name: wanted.name,
          url,
          encoding: wanted.encoding as 'BodyAsJSON',
          format: wanted.format as 'Hash',
          stripReplies: wanted.strip_replies,
          includeAttachments: wanted.include_attachments,
          timeout: wanted.timeout,
          agentId: this.agentOfEndpoint(wanted.name),
        });
      }
    }
    const routes: ManifestRoute[] = [...manifest.routes];
    for (const wanted of plan.routes) {
      if (domain && this.held.domain && routes.some((r) => r.name === wanted.name && r.domain === plan.domain)) continue;
      changes.push(`route ${wanted.name}@${plan.domain} -> ${wanted.endpoint}`);
      if (!dryRun) {
        const endpoint = endpoints.find((e) => e.name === wanted.endpoint);
        if (!endpoint) throw new Error(`ActiveRecord::RecordInvalid: Validation failed: Endpoint must be chosen (${wanted.endpoint})`);
        routes.push({
          name: wanted.name,
          domain: plan.domain,
          spamMode: wanted.spam_mode as ManifestRoute['spamMode'],
          endpoint: `HTTPEndpoint#${endpoint.uuid}`,
          agentId: endpoint.agentId,
        });
      }
    }

    if (!dryRun) {
      config.manifest = {
        ...manifest,
        credentials,
        endpoints,
        routes,
        domain: { ...manifest.domain, dnsChecked: manifest.domain.dnsChecked || false },
      };
      config.domainHeld = this.held.domain;
    }
    const dns = this.o.domainDns;
    if (domain && !dryRun && (options.checkDns === true || !dns.dkimOk)) {
      const before = JSON.stringify(dns.statuses.dkim?.status ?? null) + JSON.stringify(dns.statuses.returnPath?.status ?? null);
      await dns.checkDns();
      config.manifest = { ...config.manifest, domain: { ...config.manifest.domain, dnsChecked: true } };
      const after = JSON.stringify(dns.statuses.dkim?.status ?? null) + JSON.stringify(dns.statuses.returnPath?.status ?? null);
      if (before !== after)
        changes.push(`DNS check of ${plan.domain}: dkim ${dns.statuses.dkim?.status}, return path ${dns.statuses.returnPath?.status}`);
    }
    const held = this.held.domain;
    return {
      dry_run: dryRun,
      changes,
      server_token: this.held.server ? config.manifest.server.token : null,
      dkim_selector: held ? config.manifest.domain.dkimSelector : null,
      dkim_record: held ? dns.dkimRecord : null,
      // SPF and MX are not checked by the stand-in (see its limitations); only DKIM and the return path are.
      dns: held
        ? {
            spf: null,
            dkim: dns.statuses.dkim?.status ?? null,
            dkim_error: dns.statuses.dkim?.error ?? null,
            mx: null,
            return_path: dns.statuses.returnPath?.status ?? null,
            checked_at: dns.statuses.checkedAt ? new Date(dns.statuses.checkedAt).toISOString() : null,
          }
        : null,
      credentials: plan.credentials.map((wanted) => ({
        name: wanted.name,
        type: wanted.type,
        key: this.held.server
          ? (config.manifest.credentials.find((c) => c.name === wanted.name && c.type === wanted.type)?.key ?? null)
          : null,
      })),
    };
  }

  /** domain.update!(dkim_private_key: pem): the record and the signer follow the key. */
  private setDomainKey(pem: string): void {
    const key = createPrivateKey(pem);
    this.held.dkimKeyPem = pem;
    this.o.domainKey.pem = pem;
    this.o.domainDns.setKey(createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64'));
  }

  private agentOf(credentialName: string): string | undefined {
    return this.o.deployment.agents.find((a) => a.id === credentialName)?.id;
  }

  private agentOfEndpoint(endpointName: string): string {
    return this.o.deployment.agents.find((a) => `${a.id}-inbox` === endpointName)?.id ?? endpointName;
  }
}
