import { get } from 'node:https';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.ts';

async function handshake(
  pem: { cert: string; key: string },
  ca: string,
  servername: string,
): Promise<{ authorized: boolean; error?: string }> {
  const server = createServer({ cert: pem.cert, key: pem.key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
        resolve({ authorized: socket.authorized, error: socket.authorizationError?.toString() });
        socket.destroy();
      });
      socket.on('error', (error) => resolve({ authorized: false, error: error.message }));
    });
  } finally {
    server.close();
  }
}

describe('world certificate authority', () => {
  it('issues a chain that a client trusting the world root accepts for the right name only', async () => {
    const ca = await createCertificateAuthority();
    const issued = await ca.issue(['postal.mailgoat.ai', 'mail.mailgoat.ai']);
    const good = await handshake({ cert: issued.certificatePem, key: issued.privateKeyPem }, ca.certificatePem, 'mail.mailgoat.ai');
    expect(good).toEqual({ authorized: true, error: undefined });

    const wrongName = await handshake({ cert: issued.certificatePem, key: issued.privateKeyPem }, ca.certificatePem, 'other.example');
    expect(wrongName.authorized).toBe(false);
    expect(wrongName.error).toMatch(/altnames|ALTNAME/i);
  });

  it('issues an IP SAN for an address among the names, which an https client connecting by address accepts', async () => {
    const ca = await createCertificateAuthority();
    const issued = await ca.issue(['postal.mailgoat.ai', '127.0.0.1']);
    const server = createServer({ cert: issued.certificatePem, key: issued.privateKeyPem }, (socket) =>
      socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // What MailGoat does with `server: https://127.0.0.1`: node's default checkServerIdentity against the address.
    const byAddress = (names: string) =>
      new Promise<string>((resolve) => {
        get(`https://127.0.0.1:${port}/`, { ca: names, agent: false }, (res) => {
          res.resume();
          resolve(String(res.statusCode));
        }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    try {
      expect(await byAddress(ca.certificatePem)).toBe('204');
      const dnsOnly = await ca.issue(['postal.mailgoat.ai']);
      server.setSecureContext({ cert: dnsOnly.certificatePem, key: dnsOnly.privateKeyPem });
      expect(await byAddress(ca.certificatePem)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.close();
    }
  });

  it('is not trusted by a client that does not know the world root', async () => {
    const ca = await createCertificateAuthority();
    const stranger = await createCertificateAuthority('another CA');
    const issued = await ca.issue(['mail.mailgoat.ai']);
    const result = await handshake({ cert: issued.certificatePem, key: issued.privateKeyPem }, stranger.certificatePem, 'mail.mailgoat.ai');
    expect(result.authorized).toBe(false);
  });

  it('can issue an expired certificate for fault injection', async () => {
    const ca = await createCertificateAuthority();
    const issued = await ca.issue(['mail.mailgoat.ai'], { notBefore: new Date(Date.now() - 100 * 86_400_000), validDays: 10 });
    const result = await handshake({ cert: issued.certificatePem, key: issued.privateKeyPem }, ca.certificatePem, 'mail.mailgoat.ai');
    expect(result.error).toBe('CERT_HAS_EXPIRED');
  });
});
