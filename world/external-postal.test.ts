/**
 * The world around a Postal it does not run (`npm run world -- --postal=external`): no stand-in; its DNS puts the
 * deployment's server at the external address; a TLS front plays Caddy there for a plain-HTTP web server, passing
 * the Host on; the inbox receivers find that Postal's JWKS where DNS says it is; and its live settings name no
 * stand-in's service list. The "external Postal" here is a plain HTTP server on the net's .10 that answers as
 * Postal's web process does (403 to a Host other than web_hostname). Net 127.0.151 (fixed: run under the shared lock).
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { createResolver } from '../core/dns/resolver.ts';
import { provisionAccounts } from '../provisioning/accounts/provision-accounts.ts';
import { provisionDns } from '../provisioning/dns/provision-dns.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request } from 'undici';
import { describeWorld } from './world-description.ts';
import { liveEnvFor } from './live-env.ts';
import { startWorld, type World } from './world.ts';

const NET = '127.0.151';
const EXTERNAL = `${NET}.10`;
const deployment = loadDeployment('fixtures/deployment.json');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'real-postal-kid', use: 'sig', alg: 'RS256' };
let postal: Server;
const seenHosts: string[] = [];
let world: World;
let dir: string;

beforeAll(async () => {
  // Postal's web process: plain HTTP, only for its web_hostname (Rails HostAuthorization), the JWKS of its own key.
  postal = createServer((req, res) => {
    seenHosts.push(String(req.headers.host));
    if (req.headers.host !== deployment.server.webHost) return void res.writeHead(403).end();
    if (req.url === '/.well-known/jwks.json')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    if (req.url === '/login') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Postal</title>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => postal.listen(5000, EXTERNAL, resolve));
  dir = mkdtempSync(join(tmpdir(), 'postal-qa-external-'));
  const dns = provisionDns(deployment, dir);
  const accounts = provisionAccounts(deployment, dir);
  world = await startWorld({
    deployment,
    zoneText: dns.zoneText,
    net: NET,
    accounts: {
      manifest: accounts.manifest,
      domainDkimPrivateKeyPem: readFileSync(dns.dkimPrivateKeyPath, 'utf8'),
      installSigningKeyPem: readFileSync(dns.installSigningKeyPath, 'utf8'),
    },
    externalPostal: { address: EXTERNAL, webPort: 5000 },
  });
}, 120_000);

afterAll(async () => {
  await world?.stop();
  postal?.closeAllConnections();
  await new Promise((resolve) => postal?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a world around a Postal it does not run', () => {
  it("runs no stand-in, and its DNS puts the deployment's server at the external address", async () => {
    expect(world.handles.postal).toBeUndefined();
    const resolver = createResolver(`${world.endpoints.dns.address}:${world.endpoints.dns.port}`);
    expect(await resolver.resolve4(deployment.server.webHost)).toEqual([EXTERNAL]);
    expect(await resolver.resolve4(deployment.server.mailHost)).toEqual([EXTERNAL]);
    expect(await resolver.reverse(EXTERNAL)).toEqual([deployment.dns.ptr]);
    expect((await resolver.resolveTxt(deployment.dns.spf.include)).map((t) => t.join(''))).toEqual([`v=spf1 ip4:${EXTERNAL} ~all`]);
  });

  it('plays Caddy in front of its plain-HTTP web server: TLS for the web host, the Host passed on', async () => {
    const dispatcher = new Agent({ connect: { ca: world.mail!.ca.certificatePem, servername: deployment.server.webHost } });
    try {
      const login = await request(`https://${EXTERNAL}/login`, { dispatcher, headers: { host: deployment.server.webHost } });
      expect(login.statusCode).toBe(200);
      expect(await login.body.text()).toContain('Postal');
      expect(seenHosts.at(-1)).toBe(deployment.server.webHost);
    } finally {
      await dispatcher.close();
    }
  });

  it("the inbox receivers find that Postal's JWKS where DNS says it is, and take posts signed with its key", async () => {
    const endpoint = world.mail!.inboxes.find((i) => i.agentId === 'qa')!;
    const body = JSON.stringify({
      id: 7,
      rcpt_to: 'qa@mailgoat.ai',
      mail_from: 'x@outside.test',
      token: 't7',
      subject: 'From a real Postal',
      message_id: 'm7@x',
      timestamp: 1_767_225_600,
      size: '10',
      spam_status: 'NotSpam',
      bounce: false,
      received_with_ssl: null,
      to: 'qa@mailgoat.ai',
      cc: null,
      from: 'x@outside.test',
      date: 'x',
      in_reply_to: null,
      references: null,
      html_body: null,
      plain_body: 'hi',
      attachment_quantity: 0,
      auto_submitted: null,
      reply_to: null,
      attachments: [],
    });
    const signature = createSign('sha256').update(body).sign(privateKey, 'base64');
    const post = (sig: string) =>
      fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Postal-Signature-256': sig, 'X-Postal-Signature-Kid': 'real-postal-kid' },
        body,
      });
    expect((await post(signature)).status).toBe(200);
    expect((await post(signature.replace(/^../, 'AA'))).status).toBe(401);
    expect(seenHosts).toContain(deployment.server.webHost);
  });

  it("describes itself for the live path without the stand-in's service list, ops or DKIM record", () => {
    const description = describeWorld(world, deployment, provisionAccounts(deployment, dir).manifest, [], {
      caFile: join(dir, 'ca.pem'),
      apiKeysFile: join(dir, 'postal-api-keys.txt'),
    });
    expect(description.postalAddress).toBe(EXTERNAL);
    const env = liveEnvFor(description, deployment);
    expect(env).toMatchObject({
      POSTAL_API_URL: `https://${deployment.server.webHost}`,
      POSTAL_SERVER_IP: EXTERNAL,
      POSTAL_HEALTH_URLS: `worker=http://${EXTERNAL}:9090/health,smtp=http://${EXTERNAL}:9091/health`,
    });
    for (const key of ['POSTAL_SERVICES_URL', 'POSTAL_CONTAINERS_URL', 'POSTAL_DKIM_RECORD', 'OUTBOUND_SMTP_COMMAND'])
      expect(env).not.toHaveProperty(key);
    expect(world.limitations.join(' ')).toContain("Postal is not the world's");
  });
});
