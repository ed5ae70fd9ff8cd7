import { eventually as eventuallyWithin } from '../../../core/poll.ts';
/**
 * A small world for the stand-in's own tests, on net 127.0.71: a DNS server, a mailbox "provider"
 * (smtp-server with STARTTLS) and an "inbox" HTTP receiver, each at its own address, plus keys, a
 * hand-made accounts manifest and a fake spam scorer. `slot` shifts every host octet so test files
 * can run in parallel without sharing an address.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { deploymentSchema, type Deployment } from '../../../core/deployment/deployment-schema.ts';
import type { AccountsManifest } from '../../../core/artifacts/accounts-manifest.ts';
import type { DnsRecord } from '../../../core/artifacts/zone-file.ts';
import { record as r, soaRecord as soa } from '../../testing/test-records.ts';
import { DnsServer } from '../../dns-server.ts';
import type { SpamScorer, SpamVerdict } from '../../../core/spam/spam-scorer.ts';
import { createCertificateAuthority, type WorldCertificateAuthority } from '../../tls/certificate-authority.ts';
import { startPostal, type PostalStandIn, type StartPostalOptions } from '../postal-stand-in.ts';

export const TEST_NET = '127.0.71';

export const KEYS = {
  api: 'ApiKeyCeo000000000000001',
  apiQa: 'ApiKeyQa0000000000000002',
  smtp: 'SmtpKey00000000000000003',
};

export interface ProviderMessage {
  remoteAddress: string;
  helo: string;
  mailFrom: string;
  rcptTo: string[];
  secure: boolean;
  raw: Buffer;
}

export interface InboxRequest {
  path: string;
  headers: IncomingMessage['headers'];
  /** the header names as they came on the wire */
  rawHeaderNames: string[];
  body: Buffer;
  remoteAddress: string;
}

export interface TestWorld {
  addresses: { postal: string; provider: string; inbox: string; dns: string };
  deployment: Deployment;
  manifest: AccountsManifest;
  ca: WorldCertificateAuthority;
  dns: DnsServer;
  records: DnsRecord[];
  domainKey: { privateKeyPem: string; publicKeyBase64: string };
  installKey: { privateKeyPem: string; publicKeyBase64: string };
  postal: PostalStandIn;
  provider: { messages: ProviderMessage[] };
  inbox: { requests: InboxRequest[]; port: number; respond: (path: string) => { status: number; body: string } };
  spam: { score: number };
  /** replaces the DKIM TXT record of the domain */
  setDkimRecord(value: string): void;
  stop(): Promise<void>;
}

function rsaKey(): { privateKeyPem: string; publicKeyBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export function testDeployment(): Deployment {
  const raw = JSON.parse(readFileSync(new URL('../../../fixtures/deployment.json', import.meta.url), 'utf8')) as unknown;
  return deploymentSchema.parse(raw);
}

export function testManifest(deployment: Deployment, inboxBase: string, catchAll: boolean): AccountsManifest {
  const domain = deployment.domain;
  const agents = ['ceo', 'qa', 'team'];
  const endpoints = agents.map((id) => ({
    uuid: `0000000-${id}`,
    name: `${id} inbox`,
    url: `${inboxBase}/webhooks/postal/${id}`,
    encoding: 'BodyAsJSON' as const,
    format: 'Hash' as const,
    stripReplies: false,
    includeAttachments: true,
    timeout: 5,
    agentId: id,
  }));
  const routes = agents.map((id) => ({ name: id, domain, spamMode: 'Mark' as const, endpoint: `HTTPEndpoint#0000000-${id}`, agentId: id }));
  if (catchAll) routes.push({ name: '*', domain, spamMode: 'Mark', endpoint: 'HTTPEndpoint#0000000-team', agentId: 'team' });
  return {
    version: 1,
    generatedAt: new Date().toISOString(),
    organization: { name: 'MailGoat', permalink: 'mailgoat' },
    server: { name: 'Production', permalink: 'production', mode: 'Live', token: 'abc123' },
    domain: {
      name: domain,
      verificationMethod: 'DNS',
      verified: true,
      dkimSelector: deployment.dns.dkim.selector,
      dkimPrivateKeyFile: 'dkim/x.pem',
      returnPathDomain: deployment.dns.returnPath.target,
      dnsChecked: true,
    },
    endpoints,
    routes,
    credentials: [
      { name: 'ceo', type: 'API', key: KEYS.api, agentId: 'ceo' },
      { name: 'qa', type: 'API', key: KEYS.apiQa, agentId: 'qa' },
      { name: 'smtp', type: 'SMTP', key: KEYS.smtp },
    ],
  };
}

export async function startTestWorld(
  options: { slot?: number; catchAll?: boolean; postal?: Partial<StartPostalOptions> } = {},
): Promise<TestWorld> {
  const slot = options.slot ?? 0;
  const addresses = {
    postal: `${TEST_NET}.${10 + slot}`,
    provider: `${TEST_NET}.${20 + slot}`,
    inbox: `${TEST_NET}.${40 + slot}`,
    dns: `${TEST_NET}.${53 + slot * 10}`,
  };
  const deployment = testDeployment();
  const domainKey = rsaKey();
  const installKey = rsaKey();
  const ca = await createCertificateAuthority('postal stand-in test CA');
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(() => undefined);
  };

  try {
    // the inbox: records every POST; answers what `respond` says
    const requests: InboxRequest[] = [];
    const inbox = { requests, port: 0, respond: (_path: string) => ({ status: 200, body: 'OK' }) };
    const http: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({
          path: req.url ?? '',
          headers: req.headers,
          rawHeaderNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
          body: Buffer.concat(chunks),
          remoteAddress: req.socket.remoteAddress ?? '',
        });
        const answer = inbox.respond(req.url ?? '');
        res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve, reject) => http.once('error', reject).listen(3001, addresses.inbox, () => resolve()));
    inbox.port = (http.address() as AddressInfo).port;
    stoppers.push(
      () =>
        new Promise((resolve) => {
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    );

    // the provider: a mailbox host for gmail.test that records who connected and what arrived
    const providerCert = await ca.issue(['mx.gmail.test']);
    const messages: ProviderMessage[] = [];
    const provider = new SMTPServer({
      name: 'mx.gmail.test',
      key: providerCert.privateKeyPem,
      cert: providerCert.certificatePem,
      authOptional: true,
      disableReverseLookup: true,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          messages.push({
            remoteAddress: session.remoteAddress,
            helo: session.hostNameAppearsAs,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            secure: session.secure,
            raw: Buffer.concat(chunks),
          });
          callback(null, 'Ok: queued as TEST1');
        });
      },
    });
    await new Promise<void>((resolve, reject) => provider.once('error', reject).listen(25, addresses.provider, () => resolve()));
    stoppers.push(() => new Promise((resolve) => provider.close(() => resolve())));

    const domain = deployment.domain;
    const mailHost = deployment.server.mailHost;
    const dkimName = `${deployment.dns.dkim.selector.toLowerCase()}._domainkey.${domain}`;
    const records: DnsRecord[] = [
      soa(domain),
      soa('gmail.test'),
      r(domain, 'MX', `10 ${mailHost}`),
      r(mailHost, 'A', addresses.postal),
      r(deployment.server.webHost, 'A', addresses.postal),
      r(dkimName, 'TXT', `v=DKIM1; t=s; h=sha256; p=${domainKey.publicKeyBase64}`),
      r(`${deployment.dns.returnPath.name}.${domain}`, 'CNAME', deployment.dns.returnPath.target),
      r(`rp.${mailHost}`, 'A', addresses.postal),
      r(`postal._domainkey.rp.${mailHost}`, 'TXT', `v=DKIM1; t=rsa; h=sha256; p=${installKey.publicKeyBase64}`),
      r('gmail.test', 'MX', '10 mx.gmail.test'),
      r('mx.gmail.test', 'A', addresses.provider),
    ];
    const dns = new DnsServer({ address: addresses.dns, port: 53, records });
    await dns.start();
    stoppers.push(() => dns.stop());

    const manifest = testManifest(deployment, `http://${addresses.inbox}:${inbox.port}`, options.catchAll ?? true);
    const spam = { score: 1.5 };
    const spamScorer: SpamScorer = {
      check(): Promise<SpamVerdict> {
        return Promise.resolve({ score: spam.score, threshold: 5, isSpam: spam.score >= 5, symbols: ['TEST_RULE'], rules: [] });
      },
    };
    const postal = await startPostal({
      deployment,
      manifest,
      domainDkimPrivateKeyPem: domainKey.privateKeyPem,
      installSigningKeyPem: installKey.privateKeyPem,
      address: addresses.postal,
      dnsServer: `${addresses.dns}:53`,
      ca,
      spamScorer,
      retry: { baseDelayMs: 50, factor: 1.3, maxAttempts: 4 },
      dnsCacheMs: 0,
      ...options.postal,
    });
    stoppers.push(() => postal.stop());

    return {
      addresses,
      deployment,
      manifest,
      ca,
      dns,
      records,
      domainKey,
      installKey,
      postal,
      provider: { messages },
      inbox,
      spam,
      setDkimRecord(value) {
        dns.setRecords(dns.getRecords().map((rec) => (rec.name === dkimName && rec.type === 'TXT' ? { ...rec, data: value } : rec)));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls until `probe` returns a value (not undefined), or fails after `timeoutMs`. */
export function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  return eventuallyWithin(what, async () => probe(), { timeoutMs, intervalMs: 25, maxIntervalMs: 25 });
}
