/**
 * The Postal stand-in: a process-internal replica of Postal 3.3 at its own loopback address — web/API
 * over HTTPS (443), SMTP (25), the worker, both health servers (9090/9091) and the world's stand-in for
 * `docker compose ps` (9000). Everything it starts is stopped by `stop()`, which is idempotent.
 */
import { connect as netConnect } from 'node:net';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { DomainDnsState } from './domain-dns-state.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { AccountsManifest } from '../../core/artifacts/accounts-manifest.ts';
import type { SpamScorer } from '../../core/spam/spam-scorer.ts';
import type { WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { createHealthServer, type HealthServer } from './health-server.ts';
import { InstallSigner } from './install-signer.ts';
import { MessageStore, type StoredMessage } from './message-store.ts';
import { smtpMetrics, workerMetrics, type MetricsRegistry } from './metrics.ts';
import { composePs, dockerPs, type ContainerState, createOpsServer, type OpsServer, type ServiceState } from './ops-server.ts';
import { OutgoingIdentity } from './outgoing-identity.ts';
import { PostalAccounts, type RunnerPlan } from './postal-accounts.ts';
import { postalDkimRecord } from '../../core/artifacts/postal-dns-checks.ts';
import type { PostalState } from '../../core/artifacts/postal-state.ts';
import { PostalConfig } from './postal-config.ts';
import { issueSmtpCertificate } from './smtp-certificate.ts';
import { smtpTlsOf } from './postal-yml.ts';
import { createSmtpListener, type SmtpListener } from './smtp-listener.ts';
import { SmtpSender } from './smtp-sender.ts';
import { createWebServer, type WebServer } from './web-server.ts';
import { DEFAULT_RETRY, Worker, type RetryPolicy, type WorkerPoll } from './worker.ts';
import { createPostalResolver } from './postal-resolver.ts';

export { POSTAL_STAND_IN_LIMITATIONS } from './limitations.ts';
import type { PostalFaultOptions } from './postal-faults.ts';

export interface PostalPorts {
  smtp: number;
  web: number;
  workerHealth: number;
  smtpHealth: number;
  ops: number;
}

export interface StartPostalOptions {
  deployment: Deployment;
  manifest: AccountsManifest;
  /** the domain's DKIM private key (selector deployment.dns.dkim.selector) */
  domainDkimPrivateKeyPem: string;
  /** Postal's install-wide signing.key: endpoint signatures, JWKS, fallback DKIM (selector "postal") */
  installSigningKeyPem: string;
  /** the stand-in's own address: it listens and connects out from it */
  address: string;
  /** "addr[:port]" of the world DNS */
  dnsServer: string;
  ca: WorldCertificateAuthority;
  /** spamd for incoming mail (postal.yml `spamd.enabled`); absent → incoming mail is not inspected. */
  spamScorer?: SpamScorer;
  ports?: Partial<PostalPorts>;
  retry?: RetryPolicy;
  /** Pick messages up as Postal's worker does (POSTAL_WORKER_POLL: 2 threads, 5 s idle sleep); absent: at once */
  workerPoll?: WorkerPoll;
  /** port outgoing SMTP connects to on the MX hosts (default 25) */
  outboundSmtpPort?: number;
  /** how long DNS answers are cached (default 1000 ms) */
  dnsCacheMs?: number;
  /** How often the scheduled task re-checks a domain checked before (Postal: hourly; default 2000 ms here). */
  dnsRecheckMs?: number;
  /** Misbehaviour injected on purpose (world/faults.ts). */
  faults?: PostalFaultOptions;
  /** Postal holds no organization, server, domain, credentials or routes, and its schema is not loaded (npm run world -- --empty). */
  empty?: boolean;
  /** where an endpoint URL of the deployment's lives in the world (the agents' inboxes address) */
  endpointUrl?: (url: string) => string;
}

export interface PostalEndpoints {
  smtp: { host: string; address: string; port: number };
  web: { url: string; host: string; address: string; port: number };
  workerHealth: { url: string };
  smtpHealth: { url: string };
  ops: { url: string; composePs: string; containersPs: string };
}

export interface PostalStandIn {
  endpoints: PostalEndpoints;
  /** the JWKS kid of the key that signs endpoint payloads */
  signingKeyId: string;
  /** The domain's DKIM record as Postal shows it (Domain#dkim_record), and its DNS statuses. */
  domainDns: DomainDnsState;
  /** What this Postal generated, as provisioning reads it back into postal-state.json (undefined while it holds no domain). */
  state(): PostalState | undefined;
  stop(): Promise<void>;
  // fault hooks
  stopWorker(): void;
  startWorker(): void;
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
  stopWeb(): Promise<void>;
  startWeb(): Promise<void>;
  setSmtpHealthy(healthy: boolean): void;
  setWorkerHealthy(healthy: boolean): void;
  /** The postal-mariadb container stops: the API answers 500 and the worker cannot dequeue. */
  stopDatabase(): void;
  /** live counters, for the world's own diagnostics */
  metrics: { smtp: MetricsRegistry; worker: MetricsRegistry };
}

export const DEFAULT_POSTAL_PORTS: PostalPorts = { smtp: 25, web: 443, workerHealth: 9090, smtpHealth: 9091, ops: 9000 };

export async function startPostal(options: StartPostalOptions): Promise<PostalStandIn> {
  const ports: PostalPorts = { ...DEFAULT_POSTAL_PORTS, ...options.ports };
  const { address } = options;
  const config = new PostalConfig(options.deployment, options.manifest);
  config.faults = options.faults ?? {};
  const signer = new InstallSigner(options.installSigningKeyPem);
  // The address too: clients without the world's DNS reach the web API as https://<address> (FN-06's CLI).
  const certificate = await options.ca.issue([config.webHost, config.mailHost, address, `mta-sts.${config.domain}`]);
  // smtp_server.tls_certificate_path: a file apart from the web proxy's, renewed (or not) apart from it.
  const smtpCertificate = await issueSmtpCertificate(options.ca, config, config.faults.smtpCertificate);
  // A world booted from provisioning's artifacts plays a provisioned server: postal.yml enables SMTP TLS with a
  // certificate for the mail host. An empty Postal has 3.3.2's default (off) until provisioning writes postal.yml.
  config.smtpTls = options.empty
    ? { enabled: false }
    : { enabled: true, certificatePem: smtpCertificate.certificatePem, privateKeyPem: smtpCertificate.privateKeyPem };
  // Fault: the web proxy's certificate ran out (90 days, issued 100 days ago); SMTP keeps its own.
  const webCertificate = config.faults.webCertificateExpired
    ? await options.ca.issue([config.webHost, address], { notBefore: new Date(Date.now() - 100 * 86_400_000), validDays: 90 })
    : certificate;
  const resolver = createPostalResolver({ dnsServer: options.dnsServer, localAddress: address, cacheMs: options.dnsCacheMs });
  const store = new MessageStore();
  const metrics = { smtp: smtpMetrics(), worker: workerMetrics() };

  const domainPublicKey = createPublicKey(createPrivateKey(options.domainDkimPrivateKeyPem))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  const domainDns = DomainDnsState.forKey(config, resolver, domainPublicKey);
  // The key the domain holds: the world's (a Postal booted from provisioning's artifacts), or — in an empty
  // Postal — the one made when provisioning creates the domain, or one provisioning imports.
  const domainKey = { pem: options.domainDkimPrivateKeyPem };
  const smtpSender = new SmtpSender({
    config,
    resolver,
    localAddress: address,
    caPem: options.ca.certificatePem,
    port: options.outboundSmtpPort,
  });
  const worker = new Worker({
    config,
    store,
    metrics: metrics.worker,
    identity: new OutgoingIdentity(config, domainDns, () => domainKey.pem, options.installSigningKeyPem),
    smtpSender,
    http: { signer, version: config.version, localAddress: address, caPem: options.ca.certificatePem },
    spamScorer: options.spamScorer,
    retry: options.retry ?? DEFAULT_RETRY,
    ...(options.workerPoll ? { poll: options.workerPoll } : {}),
  });
  const enqueue = (message: StoredMessage): void => worker.enqueue(message, config.faults.deliveryDelayMs ?? 0);

  const startedAt = Date.now();
  const services: Record<ServiceState['service'], ServiceState> = {
    web: { service: 'web', running: false, healthy: true, startedAt, ports: [{ address, port: ports.web }] },
    smtp: {
      service: 'smtp',
      running: false,
      healthy: true,
      startedAt,
      ports: [
        { address, port: ports.smtp },
        { address, port: ports.smtpHealth },
      ],
    },
    worker: { service: 'worker', running: true, healthy: true, startedAt, ports: [{ address, port: ports.workerHealth }] },
  };
  const database: ContainerState = {
    name: options.deployment.postal.containers[0] ?? 'postal-mariadb',
    image: 'mariadb',
    command: '"docker-entrypoint.sh mariadbd"',
    running: true,
    startedAt,
  };

  const makeWeb = (): WebServer =>
    createWebServer({
      config,
      store,
      signer,
      enqueue,
      certificatePem: webCertificate.certificatePem,
      privateKeyPem: webCertificate.privateKeyPem,
      hostnameOf: (ip) => resolver.ipToHostname(ip),
    });
  const makeSmtp = (): SmtpListener =>
    createSmtpListener({
      config,
      store,
      metrics: metrics.smtp,
      enqueue,
      certificatePem: smtpCertificate.certificatePem,
      privateKeyPem: smtpCertificate.privateKeyPem,
      serverToken: options.manifest.server.token,
      returnPathPrefix: options.deployment.dns.returnPath.name,
      listenAddress: address,
      hostnameOf: (ip) => resolver.ipToHostname(ip),
    });
  let web: WebServer | undefined;
  let smtp: SmtpListener | undefined;
  const servers: Array<HealthServer | OpsServer> = [];
  const workerHealth = createHealthServer(metrics.worker, () => services.worker.running && services.worker.healthy, 'worker');
  const smtpHealth = createHealthServer(metrics.smtp, () => services.smtp.running && services.smtp.healthy, 'smtp-server');
  const accounts = new PostalAccounts({
    config,
    deployment: options.deployment,
    domainDns,
    domainKey,
    empty: options.empty ?? false,
    endpointUrl: options.endpointUrl ?? ((url) => url),
  });
  const ops = createOpsServer(
    () => composePs(Object.values(services), options.deployment.postal.image, startedAt),
    () => dockerPs(Object.values(services), [database], options.deployment.postal.image, startedAt),
    {
      outbound: (ip, port) => firstLineFrom(address, ip, port, config.faults.outboundBlocked === true),
      runner: {
        initialize: () => accounts.initialize(),
        defaultDkimRecord: () => postalDkimRecord(signer.dkimPublicKey),
        accounts: (plan, dryRun, checks) => accounts.apply(plan as RunnerPlan, dryRun, checks),
        services: async ({ postalYml, files, restart }) => {
          const tls = smtpTlsOf(postalYml);
          const certificatePem = files[tls.certificatePath] ?? undefined;
          const privateKeyPem = files[tls.privateKeyPath] ?? undefined;
          config.smtpTls = tls.enabled
            ? { enabled: true, ...(certificatePem && privateKeyPem ? { certificatePem, privateKeyPem } : {}) }
            : { enabled: false };
          if (restart.includes('smtp') && services.smtp.running) {
            await smtp?.close();
            services.smtp.running = false;
            await startSmtp();
          }
          if (!tls.enabled) return 'smtp: TLS disabled (smtp_server.tls_enabled is not true)';
          return certificatePem && privateKeyPem
            ? `smtp: STARTTLS with ${tls.certificatePath}`
            : `smtp: TLS enabled but ${certificatePem ? tls.privateKeyPath : tls.certificatePath} cannot be read`;
        },
        certificate: (names) => options.ca.issue(names),
      },
    },
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      domainDns.stop();
      await worker.stop();
      smtpSender.close();
      await Promise.allSettled([web?.close(), smtp?.close(), ...servers.map((s) => s.close())]);
    })();
    return stopping;
  };

  const startWeb = async (): Promise<void> => {
    if (services.web.running) return;
    web = makeWeb();
    await web.listen(address, ports.web);
    Object.assign(services.web, { running: true, startedAt: Date.now() });
  };
  const startSmtp = async (): Promise<void> => {
    if (services.smtp.running) return;
    smtp = makeSmtp();
    await smtp.listen(address, ports.smtp);
    Object.assign(services.smtp, { running: true, startedAt: Date.now() });
  };

  try {
    // Provisioning ran Postal's DNS check (or not: then the domain is never checked, as in Postal).
    if (options.manifest.domain.dnsChecked && !options.empty) await domainDns.checkDns();
    domainDns.startScheduledChecks(options.dnsRecheckMs ?? 2_000);
    await startWeb();
    await startSmtp();
    for (const [server, port] of [
      [workerHealth, ports.workerHealth],
      [smtpHealth, ports.smtpHealth],
      [ops, ports.ops],
    ] as const) {
      servers.push(server);
      await server.listen(address, port);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const webPort = ports.web === 443 ? '' : `:${ports.web}`;
  return {
    endpoints: {
      smtp: { host: config.mailHost, address, port: ports.smtp },
      web: { url: `https://${config.webHost}${webPort}`, host: config.webHost, address, port: ports.web },
      workerHealth: { url: `http://${address}:${ports.workerHealth}` },
      smtpHealth: { url: `http://${address}:${ports.smtpHealth}` },
      ops: {
        url: `http://${address}:${ports.ops}`,
        composePs: `http://${address}:${ports.ops}/compose/ps`,
        containersPs: `http://${address}:${ports.ops}/containers/ps`,
      },
    },
    signingKeyId: signer.kid,
    state: () =>
      config.domainHeld
        ? {
            version: 1,
            domain: config.domain,
            dkim: { selector: config.manifest.domain.dkimSelector, record: domainDns.dkimRecord },
            installDkimRecord: postalDkimRecord(signer.dkimPublicKey),
            serverToken: config.manifest.server.token,
            dnsCheck:
              domainDns.statuses.checkedAt === undefined
                ? null
                : {
                    spf: null,
                    dkim: domainDns.statuses.dkim?.status ?? null,
                    mx: null,
                    returnPath: domainDns.statuses.returnPath?.status ?? null,
                    dkimError: domainDns.statuses.dkim?.error ?? null,
                  },
          }
        : undefined,
    domainDns,
    metrics,
    stop,
    stopWorker() {
      worker.pause();
      Object.assign(services.worker, { running: false, startedAt: Date.now() });
    },
    startWorker() {
      if (stopping) return;
      worker.resume();
      Object.assign(services.worker, { running: true, startedAt: Date.now() });
    },
    async stopSmtp() {
      await smtp?.close();
      Object.assign(services.smtp, { running: false, startedAt: Date.now() });
    },
    startSmtp: () => (stopping ? Promise.resolve() : startSmtp()),
    async stopWeb() {
      await web?.close();
      Object.assign(services.web, { running: false, startedAt: Date.now() });
    },
    startWeb: () => (stopping ? Promise.resolve() : startWeb()),
    setSmtpHealthy(healthy) {
      services.smtp.healthy = healthy;
    },
    setWorkerHealthy(healthy) {
      services.worker.healthy = healthy;
    },
    stopDatabase() {
      Object.assign(database, { running: false, startedAt: Date.now() });
      config.faults = { ...config.faults, databaseDown: true };
      worker.pause();
    },
  };
}

const OUTBOUND_TIMEOUT_MS = 3_000;

/**
 * The server's own connection to a mail host, from its address: the first line it hears. With the
 * outbound-25-blocked fault the provider's firewall drops it, as SmtpSender's delivery attempts see it.
 */
function firstLineFrom(
  localAddress: string,
  ip: string,
  port: number,
  blocked: boolean,
): Promise<{ ok: true; line: string } | { ok: false; error: string }> {
  if (blocked && ip !== localAddress)
    return Promise.resolve({
      ok: false,
      error: `connect to ${ip}:${port}: connection timed out (outgoing port ${port} dropped by the hosting provider)`,
    });
  return new Promise((resolve) => {
    const socket = netConnect({ host: ip, port, localAddress });
    let buffered = '';
    const done = (result: { ok: true; line: string } | { ok: false; error: string }): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ ok: false, error: `connect to ${ip}:${port}: no greeting within ${OUTBOUND_TIMEOUT_MS} ms` }),
      OUTBOUND_TIMEOUT_MS,
    );
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\n');
      if (end >= 0) done({ ok: true, line: buffered.slice(0, end).replace(/\r$/, '') });
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({ ok: false, error: `connect to ${ip}:${port}: ${error.code ?? error.message}` }),
    );
  });
}
