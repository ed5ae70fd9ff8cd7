/**
 * The deployment file → what MailGoat's Postal holds after setup. Pure except for randomness:
 * handing in the previous manifest as `existing` keeps every agent's key, endpoint uuid and the
 * server token, so provisioning again never rotates a credential an agent already uses.
 */
import { randomUUID } from 'node:crypto';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import {
  SMTP_CREDENTIAL_NAME,
  type AccountsManifest,
  type ManifestCredential,
  type ManifestEndpoint,
  type ManifestRoute,
} from '../../core/artifacts/accounts-manifest.ts';
import { API_KEY_PATTERN, SERVER_TOKEN_PATTERN } from '../../core/artifacts/accounts-manifest-schema.ts';
import { LOWER_ALPHANUMERIC, randomAlphanumeric } from './random-alphanumeric.ts';

export interface GenerateAccountsManifestOptions {
  /** The DKIM private key's path relative to the manifest, e.g. `dkim/qpMdyI.private.pem`. */
  dkimPrivateKeyFile: string;
  /** The previous manifest: keys, uuids and the token of agents that still exist are kept. */
  existing?: AccountsManifest;
  organizationName?: string;
  now?: Date;
}

export { SMTP_CREDENTIAL_NAME };
const ENDPOINT_TIMEOUT_SECONDS = 5;

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'default';
const localPart = (address: string): string => address.slice(0, address.lastIndexOf('@'));

export function generateAccountsManifest(deployment: Deployment, options: GenerateAccountsManifestOptions): AccountsManifest {
  const { existing } = options;
  const usedKeys = new Set<string>();
  // A reused key is only kept once: a hand-edited manifest with two equal keys must not stay that way.
  const takeKey = (previous: string | undefined): string => {
    let key = previous && API_KEY_PATTERN.test(previous) && !usedKeys.has(previous) ? previous : undefined;
    while (!key || usedKeys.has(key)) key = randomAlphanumeric(24);
    usedKeys.add(key);
    return key;
  };

  const usedUuids = new Set<string>();
  const endpoints: ManifestEndpoint[] = deployment.agents.map((agent, index) => {
    const previous = existing?.endpoints.find((e) => e.agentId === agent.id)?.uuid;
    let uuid = previous && !usedUuids.has(previous) ? previous : randomUUID();
    while (usedUuids.has(uuid)) uuid = randomUUID();
    usedUuids.add(uuid);
    const { host, basePort, path } = deployment.inboxEndpoint;
    return {
      uuid,
      name: `${agent.id}-inbox`,
      url: `http://${host}:${basePort + index}${path}`,
      encoding: 'BodyAsJSON',
      format: 'Hash',
      stripReplies: false,
      includeAttachments: true,
      timeout: ENDPOINT_TIMEOUT_SECONDS,
      agentId: agent.id,
    };
  });
  const endpointOf = (agentId: string): string => {
    const endpoint = endpoints.find((e) => e.agentId === agentId);
    // The deployment schema guarantees catchAll names an agent; this guards callers that skip it.
    if (!endpoint) throw new Error(`catchAll "${agentId}" names no agent of the deployment`);
    return `HTTPEndpoint#${endpoint.uuid}`;
  };

  const routes: ManifestRoute[] = deployment.agents.map((agent) => ({
    name: localPart(agent.address).toLowerCase(),
    domain: deployment.domain,
    spamMode: 'Mark',
    endpoint: endpointOf(agent.id),
    agentId: agent.id,
  }));
  routes.push({
    name: '*',
    domain: deployment.domain,
    spamMode: 'Mark',
    endpoint: endpointOf(deployment.catchAll),
    agentId: deployment.catchAll,
  });

  const credentials: ManifestCredential[] = deployment.agents.map((agent) => ({
    name: agent.id,
    type: 'API',
    key: takeKey(existing?.credentials.find((c) => c.type === 'API' && c.agentId === agent.id)?.key),
    agentId: agent.id,
  }));
  credentials.push({ name: SMTP_CREDENTIAL_NAME, type: 'SMTP', key: takeKey(existing?.credentials.find((c) => c.type === 'SMTP')?.key) });

  const organizationName = options.organizationName ?? existing?.organization.name ?? 'MailGoat';
  const previousToken = existing?.server.token;
  return {
    version: 1,
    generatedAt: (options.now ?? new Date()).toISOString(),
    organization: { name: organizationName, permalink: slug(organizationName) },
    server: {
      name: existing?.server.name ?? 'Production',
      permalink: existing?.server.permalink ?? 'production',
      mode: 'Live',
      // Lower case: the token is the local part of every return path, and DNS/SMTP fold case anyway.
      token: previousToken && SERVER_TOKEN_PATTERN.test(previousToken) ? previousToken : randomAlphanumeric(6, LOWER_ALPHANUMERIC),
    },
    domain: {
      name: deployment.domain,
      verificationMethod: 'DNS',
      verified: true,
      dkimSelector: deployment.dns.dkim.selector,
      dkimPrivateKeyFile: options.dkimPrivateKeyFile,
      returnPathDomain: deployment.dns.returnPath.target,
      // Provisioning runs Postal's DNS check once the records are published (Domain#check_dns).
      dnsChecked: true,
    },
    endpoints,
    routes,
    credentials,
  };
}
