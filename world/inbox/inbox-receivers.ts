/**
 * Every agent's inbox receiver on the world's inbox address, sharing one cache of Postal's JWKS.
 * The Postal stand-in delivers to these URLs; the embedded Target reads them over HTTP.
 */
import type { WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { startInboxReceiver, validateFailingStatus, type InboxReceiver, type InboxReceiverStats } from './inbox-receiver.ts';
import { createJwksKeySource } from './jwks-key-source.ts';

export interface InboxReceiverSpec {
  agentId: string;
  /** the agent's email address */
  address: string;
  /** 0 picks a free port */
  port: number;
  path: string;
}

export interface StartInboxReceiversOptions {
  /** the IP every receiver binds, e.g. the world's `inboxes` address */
  address: string;
  receivers: InboxReceiverSpec[];
  /** Postal's `/.well-known/jwks.json` */
  jwksUrl: string;
  /** trusted for an https JWKS URL */
  ca?: Pick<WorldCertificateAuthority, 'certificatePem'>;
  /** connect here for the JWKS while TLS verifies the URL's host name (the world's DNS is not node's) */
  jwksHostAddress?: string;
  /** or find the JWKS host through this DNS server ("address[:port]"), where the world's DNS says Postal is */
  jwksDnsServer?: string;
  jwksTimeoutMs?: number;
  /**
   * The agents' host, where an agent may run its own `mailgoat inbox serve` on its receiver's port: while
   * something listens there, the receiver passes Postal's POSTs to it (inbox-receiver.ts).
   */
  agentHostAddress?: string;
}

export interface InboxEndpoint {
  agentId: string;
  address: string;
  url: string;
  /** where `GET /messages` and `POST /_world/fail` are served */
  baseUrl: string;
}

export interface InboxReceivers {
  endpoints: InboxEndpoint[];
  /** `status` (400-599) answers every delivery to that agent with it; null heals it */
  setFailing(agentId: string, status: number | null): void;
  /** Every delivery to that agent takes `ms` before it is stored and answered. */
  setDelay(agentId: string, ms: number): void;
  stats(): Record<string, InboxReceiverStats>;
  readonly jwksFetchCount: number;
  stop(): Promise<void>;
}

export async function startInboxReceivers(options: StartInboxReceiversOptions): Promise<InboxReceivers> {
  const ids = new Set<string>();
  for (const spec of options.receivers) {
    if (ids.has(spec.agentId)) throw new Error(`inbox receiver for agent "${spec.agentId}" is listed twice`);
    ids.add(spec.agentId);
  }
  const keySource = createJwksKeySource({
    url: options.jwksUrl,
    ...(options.ca ? { ca: options.ca.certificatePem } : {}),
    ...(options.jwksHostAddress ? { hostAddress: options.jwksHostAddress } : {}),
    ...(options.jwksDnsServer ? { dnsServer: options.jwksDnsServer } : {}),
    ...(options.jwksTimeoutMs ? { timeoutMs: options.jwksTimeoutMs } : {}),
  });

  const started: InboxReceiver[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((receiver) => receiver.stop()));
  };
  try {
    // Sequential: with fixed ports a clash is reported for the receiver that hit it.
    for (const spec of options.receivers) {
      const backend = options.agentHostAddress ? { backendHost: options.agentHostAddress } : {};
      started.push(await startInboxReceiver({ ...spec, host: options.address, keySource, ...backend }));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const byAgent = new Map(started.map((receiver) => [receiver.agentId, receiver]));
  const receiverOf = (agentId: string): InboxReceiver => {
    const receiver = byAgent.get(agentId);
    if (!receiver) throw new Error(`no inbox receiver for agent "${agentId}" (known: ${[...byAgent.keys()].join(', ')})`);
    return receiver;
  };

  let stopping: Promise<void> | undefined;
  return {
    endpoints: started.map((r) => ({
      agentId: r.agentId,
      address: r.address,
      url: r.url,
      baseUrl: `http://${options.address}:${r.port}`,
    })),
    setFailing(agentId, status) {
      receiverOf(agentId).setFailing(validateFailingStatus(status));
    },
    setDelay(agentId, ms) {
      receiverOf(agentId).setDelay(ms);
    },
    stats() {
      return Object.fromEntries(started.map((r) => [r.agentId, r.stats]));
    },
    get jwksFetchCount() {
      return keySource.fetchCount;
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
