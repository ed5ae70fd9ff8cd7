/**
 * The world's stand-in for a DNS hosting provider's API: how an operator publishes the records
 * provisioning wrote (postal-dns-records.txt, with the selector and key Postal generated) into the
 * world's DNS, as they would paste them into their provider's panel.
 *
 *   POST /records   body: records in BIND zone-file syntax ($ORIGIN the deployment's domain).
 *                   Every (name, type) the body holds replaces what both world DNS servers serve for it;
 *                   the deployment's public IP is moved onto the world's Postal address (world-dns.ts).
 *                   → 200 "published N records"; 400 naming the zone file's first error.
 *   GET  /records   what the primary serves, one record a line.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import { normalizeName, parseZoneFile, type DnsRecord } from '../core/artifacts/zone-file.ts';
import type { DnsServer } from './dns-server.ts';
import { mapToWorld } from './world-dns.ts';

export const DNS_PROVIDER_API_PORT = 8053;
const MAX_BODY = 1 << 20;

export interface DnsProviderApi {
  url: string;
  stop(): Promise<void>;
}

/** `records` replaces, in `current`, every record with a (name, type) that `records` has. */
export function publishRecords(current: DnsRecord[], records: DnsRecord[]): DnsRecord[] {
  const key = (r: DnsRecord): string => `${r.name.toLowerCase()}\u0000${r.type}`;
  const replaced = new Set(records.map(key));
  return [...current.filter((r) => !replaced.has(key(r))), ...records];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy(new Error(`body larger than ${MAX_BODY} bytes`));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startDnsProviderApi(options: {
  address: string;
  port?: number;
  deployment: Deployment;
  postalAddress: string;
  servers: DnsServer[];
}): Promise<DnsProviderApi> {
  const { deployment } = options;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://dns-provider').pathname;
    const answer = (status: number, text: string): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    if (path !== '/records') return void answer(404, 'Not Found: POST or GET /records');
    if (req.method === 'GET')
      return void answer(
        200,
        options.servers[0]!.getRecords()
          .map((r) => `${r.name} ${r.ttl} IN ${r.type} ${r.data}`)
          .join('\n'),
      );
    if (req.method !== 'POST') return void answer(405, 'POST zone-file text to /records');
    readBody(req).then(
      (text) => {
        let records: DnsRecord[];
        try {
          records = parseZoneFile(text, { origin: normalizeName(deployment.domain), defaultTtl: deployment.dns.ttl }).map((r) =>
            mapToWorld(r, deployment.server.ip, options.postalAddress),
          );
        } catch (error) {
          return answer(400, `not a zone file: ${(error as Error).message}`);
        }
        for (const dns of options.servers) dns.setRecords(publishRecords(dns.getRecords(), records));
        answer(200, `published ${records.length} records`);
      },
      (error: Error) => answer(413, error.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `the DNS provider API cannot listen on ${options.address}:${options.port ?? DNS_PROVIDER_API_PORT}: ${error.code ?? error.message}`,
        ),
      ),
    );
    server.listen(options.port ?? DNS_PROVIDER_API_PORT, options.address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${options.address}:${port}`,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
