/** Delivery to an MX as Internet senders do it: STARTTLS verified when it can be, noted — never refused — when not. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { promises as dns } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, type WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { relayToDomain } from './mx-relay.ts';

const MX = 'mx.receiver.test';
let ca: WorldCertificateAuthority;
let dir: string;

/** An MX on an ephemeral loopback port, presenting `cert`; records whether the session was encrypted. */
async function mx(cert: {
  certificatePem: string;
  privateKeyPem: string;
}): Promise<{ port: number; secure: boolean[]; close: () => Promise<void> }> {
  const secure: boolean[] = [];
  const server = new SMTPServer({
    key: cert.privateKeyPem,
    cert: cert.certificatePem,
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        secure.push(session.secure);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return { port, secure, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const resolver = {
  resolveMx: () => Promise.resolve([{ exchange: MX, priority: 10 }]),
  resolve4: () => Promise.resolve(['127.0.0.1']),
} as unknown as dns.Resolver;
const message = Buffer.from('From: a@sender.test\r\nTo: b@receiver.test\r\nSubject: x\r\n\r\nbody\r\n');
const relay = (port: number) =>
  relayToDomain('receiver.test', { from: 'a@sender.test', to: ['b@receiver.test'] }, message, {
    resolver,
    localAddress: '127.0.0.1',
    helo: 'mx.sender.test',
    ca: ca.certificatePem,
    port,
    timeoutMs: 10_000,
  });

beforeAll(async () => {
  ca = await createCertificateAuthority('mx relay test CA');
  dir = mkdtempSync(join(tmpdir(), 'postal-qa-mx-relay-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('relayToDomain', () => {
  it('delivers over STARTTLS with a certificate the CA vouches for, and notes nothing', async () => {
    const server = await mx(await ca.issue([MX]));
    try {
      const result = await relay(server.port);
      expect(result).toMatchObject({ accepted: true, code: 250, mx: MX });
      expect(result.unverifiedTls).toBeUndefined();
      expect(server.secure).toEqual([true]);
    } finally {
      await server.close();
    }
  });

  it('delivers over STARTTLS to an MX whose certificate it cannot verify (self-signed), noting why — as Internet senders do', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${MX}`,
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = await mx({
      certificatePem: readFileSync(join(dir, 'c.pem'), 'utf8'),
      privateKeyPem: readFileSync(join(dir, 'k.pem'), 'utf8'),
    });
    try {
      const result = await relay(server.port);
      expect(result).toMatchObject({ accepted: true, code: 250 });
      expect(result.unverifiedTls).toMatch(/self[- ]signed|certificate/i);
      // Still encrypted: opportunistic TLS, not plaintext.
      expect(server.secure).toEqual([true]);
    } finally {
      await server.close();
    }
  });
});
