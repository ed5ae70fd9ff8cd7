/**
 * The stand-in's web server answers a body over its limit with HTTP 413, never a connection reset
 * (issue 10: bodies over 64 MB got `100 Continue`, then a reset). Raw TLS sockets, so a reset is seen
 * as one rather than hidden behind a client's retry.
 */
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../tls/certificate-authority.ts';
import type { InstallSigner } from './install-signer.ts';
import type { MessageStore } from './message-store.ts';
import type { PostalConfig } from './postal-config.ts';
import { createWebServer, type WebServer } from './web-server.ts';

// Net 127.0.202 is this test's alone.
const ADDRESS = '127.0.202.10';
const SMALL_ADDRESS = '127.0.202.11';
const WEB_HOST = 'postal.example.test';
const SMALL_LIMIT = 1024 * 1024;
// generous: a 64 MB upload over TLS takes seconds on a busy 2-core machine
const STEP_TIMEOUT_MS = 30_000;

let ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
let standard: WebServer;
let small: WebServer;

beforeAll(async () => {
  ca = await createCertificateAuthority('web-server test CA');
  const certificate = await ca.issue([WEB_HOST]);
  // A too-large body is refused before the API looks at anything; a small one reaches the API, which wants a key first.
  const base = {
    config: { webHost: WEB_HOST } as PostalConfig,
    store: {} as MessageStore,
    signer: {} as InstallSigner,
    enqueue: () => undefined,
    certificatePem: certificate.certificatePem,
    privateKeyPem: certificate.privateKeyPem,
  };
  standard = createWebServer(base);
  await standard.listen(ADDRESS, 443);
  small = createWebServer({ ...base, maxBodyBytes: SMALL_LIMIT });
  await small.listen(SMALL_ADDRESS, 443);
});

afterAll(async () => {
  await standard?.close();
  await small?.close();
});

interface Exchange {
  /** everything the server sent */
  text: string;
  /** how the exchange ended: the response came whole with the connection open, the server closed it, or an error code */
  ending: string;
}

/**
 * Sends `head`, then `body` (in 64 KB writes, after `100 Continue` if `waitForContinue`), and reads
 * until the response is complete (`Content-Length` satisfied) or the server closes.
 */
function exchange(address: string, head: string, body: Buffer, waitForContinue = false): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 443, servername: WEB_HOST, ca: ca.certificatePem });
    let text = '';
    let sentBody = false;
    const finish = (ending: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, ending });
    };
    const timer = setTimeout(() => finish('timed out'), STEP_TIMEOUT_MS);
    const sendBody = (): void => {
      if (sentBody) return;
      sentBody = true;
      for (let at = 0; at < body.length; at += 65_536) socket.write(body.subarray(at, at + 65_536));
    };
    socket.on('secureConnect', () => {
      socket.write(head);
      if (!waitForContinue) sendBody();
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (waitForContinue && text.startsWith('HTTP/1.1 100 ')) sendBody();
      if (finalResponseComplete(text)) finish('kept open');
    });
    socket.on('end', () => finish('closed'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

/** true once a final (non-100) response has arrived whole: its Content-Length, or its last chunk */
function finalResponseComplete(text: string): boolean {
  const final = /HTTP\/1\.1 [2-5]\d\d [^]*?\r\n\r\n/.exec(text);
  if (!final) return false;
  const rest = text.slice(final.index + final[0].length);
  const length = /content-length: (\d+)/i.exec(final[0]);
  return length ? rest.length >= Number(length[1]) : /(^|\r\n)0\r\n\r\n$/.test(rest);
}

const request = (length: number | 'chunked', expectContinue = false): string =>
  [
    'POST /api/v1/send/message HTTP/1.1',
    `Host: ${WEB_HOST}`,
    'Content-Type: application/json',
    length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`,
    ...(expectContinue ? ['Expect: 100-continue'] : []),
    '',
    '',
  ].join('\r\n');

const statusLines = (text: string): string[] => text.match(/^HTTP\/1\.1 \d{3}[^\r]*/gm) ?? [];

describe('the web server with a body over its limit', () => {
  it('answers 413 instead of 100 Continue to a client announcing more than 64 MB, and closes cleanly', async () => {
    const { text, ending } = await exchange(ADDRESS, request(64 * 1024 * 1024 + 1, true), Buffer.alloc(0), true);
    expect(statusLines(text)).toEqual(['HTTP/1.1 413 Payload Too Large']);
    expect(ending).toMatch(/closed|kept open/);
  });

  it('reads a declared oversized body that is sent anyway, then answers 413 (no reset under the sender)', async () => {
    const body = Buffer.alloc(3 * SMALL_LIMIT, 0x20);
    const { text, ending } = await exchange(SMALL_ADDRESS, request(body.length), body);
    expect(statusLines(text)).toEqual(['HTTP/1.1 413 Payload Too Large']);
    expect(ending).toBe('kept open');
  });

  it('reads a body over 64 MB sent without asking, then answers 413 (before the fix: a reset)', async () => {
    const body = Buffer.alloc(64 * 1024 * 1024 + 1, 0x20);
    const { text, ending } = await exchange(ADDRESS, request(body.length), body);
    expect(statusLines(text)).toEqual(['HTTP/1.1 413 Payload Too Large']);
    expect(ending).toBe('kept open');
  }, 60_000);

  it('answers 413 when a chunked body grows past the limit', async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const chunked = Buffer.concat([
      ...Array.from({ length: 8 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])),
      Buffer.from('0\r\n\r\n'),
    ]);
    const { text, ending } = await exchange(SMALL_ADDRESS, request('chunked'), chunked);
    expect(statusLines(text)).toEqual(['HTTP/1.1 413 Payload Too Large']);
    expect(ending).toBe('kept open');
  });

  it('still hands a body within the limit to the API (after 100 Continue when asked)', async () => {
    const body = Buffer.from('{}');
    const { text } = await exchange(SMALL_ADDRESS, request(body.length, true), body, true);
    expect(statusLines(text)).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK']);
    expect(text).toContain('AccessDenied');
  });
});
