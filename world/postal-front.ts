/**
 * What Caddy is to a real Postal (postalserver/install runs it as `postal-caddy`): TLS on 443 for the web host,
 * reverse-proxied to Postal's plain-HTTP web server (default port 5000). The world puts it in front of a Postal
 * it does not run (`npm run world -- --postal=external`), on that Postal's address, with a certificate from the
 * world CA — so the harness, the agents' CLI and the inbox receivers (its JWKS) reach it over https as they reach
 * production. The request's Host is passed on (Postal's HostAuthorization answers 403 to any other than
 * web_hostname), with X-Forwarded-For/-Proto as Caddy sets them.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { WorldCertificateAuthority } from './tls/certificate-authority.ts';

export interface PostalFront {
  url: string;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export async function startPostalFront(options: {
  address: string;
  port?: number;
  upstreamPort: number;
  names: string[];
  ca: Pick<WorldCertificateAuthority, 'issue'>;
}): Promise<PostalFront> {
  const certificate = await options.ca.issue([...options.names, options.address]);
  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    headers['x-forwarded-proto'] = 'https';
    const upstream = httpRequest(
      { host: options.address, port: options.upstreamPort, path: req.url, method: req.method, headers, timeout: 60_000 },
      (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bad gateway: Postal's web server at ${options.address}:${options.upstreamPort}: ${error.message}\n`);
    });
    req.pipe(upstream);
  };
  const server: Server = createServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem }, proxy);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`the TLS front cannot listen on ${options.address}:${options.port ?? 443}: ${error.code ?? error.message}`)),
    );
    server.listen(options.port ?? 443, options.address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `https://${options.address}:${port}`,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
