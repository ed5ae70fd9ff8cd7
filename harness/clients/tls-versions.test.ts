import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostLookup } from '../../core/dns/host-lookup.ts';
import { directTlsEndpoint, probeTlsVersions } from './tls-versions.ts';

// Two throwaway TLS servers (not the world) on 127.0.74.26: one as a modern proxy, one left with TLS 1.0 on.
const HOST = '127.0.74.26';
const lookup = createHostLookup('system', 1_000);
let modern: Server;
let legacy: Server;
const portOf = (server: Server): number => (server.address() as { port: number }).port;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-tlsv-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=tls.probe.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const pair = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  modern = createServer({ ...pair, minVersion: 'TLSv1.2' }, (s) => s.end());
  legacy = createServer({ ...pair, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end());
  await Promise.all([modern, legacy].map((s) => new Promise<void>((resolve) => s.listen(0, HOST, resolve))));
});

afterAll(async () => {
  await Promise.all([modern, legacy].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const endpoint = (server: Server) =>
  directTlsEndpoint({ host: HOST, port: portOf(server), servername: 'tls.probe.test', lookup, timeoutMs: 3_000 });

describe('probeTlsVersions', () => {
  it('asks each version alone: a modern server refuses TLS 1.0 and 1.1, accepts 1.2 and 1.3', async () => {
    const report = await probeTlsVersions(endpoint(modern));
    expect(report.versions).toEqual({
      SSLv3: 'untestable',
      TLSv1: 'refused',
      'TLSv1.1': 'refused',
      'TLSv1.2': 'accepted',
      'TLSv1.3': 'accepted',
    });
    expect(report.negotiated['TLSv1.3']).toMatch(/^TLSv1\.3 TLS_/);
    expect(report.weakSuites.find((s) => s.id === 'null')!.offer).toBe('refused');
    // OpenSSL 3 (no legacy provider) cannot even offer RC4: not testable, never "refused".
    expect(report.weakSuites.find((s) => s.id === 'rc4')!.offer).toBe('untestable');
    expect(report.weakSuites.find((s) => s.id === 'no-forward-secrecy')!.offer).toBe('accepted');
  });

  it('sees TLS 1.0 and 1.1 on a server that still offers them', async () => {
    const report = await probeTlsVersions(endpoint(legacy));
    expect(report.versions.TLSv1).toBe('accepted');
    expect(report.versions['TLSv1.1']).toBe('accepted');
    expect(report.negotiated.TLSv1).toMatch(/^TLSv1 /);
  });

  it('reports a port that speaks no TLS as refused everywhere, without throwing', async () => {
    const report = await probeTlsVersions(directTlsEndpoint({ host: HOST, port: 1, servername: 'x', lookup, timeoutMs: 1_000 }));
    expect(Object.values(report.versions).filter((v) => v === 'accepted')).toEqual([]);
  });
});
