import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHostLookup } from '../dns/host-lookup.ts';
import { SmtpDialogue } from './smtp-dialogue.ts';

// The harness side of SMTP probing, against a throwaway smtp-server (not the world) on 127.0.74.25.
const HOST = '127.0.74.25';
const PORT = 2525;
let server: SMTPServer;
let caPem: string;
const lookup = createHostLookup('system', 1_000);

beforeAll(async () => {
  // A self-signed certificate made with Debian's openssl: the harness's tests stay clear of the world.
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=mx.probe.test',
      '-addext',
      'subjectAltName=DNS:mx.probe.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const issued = { certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  caPem = issued.certificatePem;
  server = new SMTPServer({
    banner: 'probe ESMTP Postal/test',
    cert: issued.certificatePem,
    key: issued.privateKeyPem,
    authOptional: true,
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@outside.test'))
        return callback(Object.assign(new Error('Authentication required'), { responseCode: 530 }));
      callback();
    },
  });
  await new Promise<void>((resolve) => server.listen(PORT, HOST, resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('SmtpDialogue', () => {
  it('reads the banner, EHLO keywords, STARTTLS with a trusted chain, and refusal codes, keeping a transcript', async () => {
    const { dialogue, greeting } = await SmtpDialogue.open({ host: HOST, port: PORT, lookup, timeoutMs: 2_000 });
    expect(greeting.code).toBe(220);
    expect(greeting.text).toContain('ESMTP Postal');
    const { capabilities } = await dialogue.ehlo('qa.test');
    expect(capabilities).toContain('STARTTLS');
    const { tls } = await dialogue.startTls({ servername: 'mx.probe.test', ca: caPem });
    expect(tls).toMatchObject({ ok: true, authorized: true });
    expect(tls?.subjectAltNames).toEqual(['mx.probe.test']);
    await dialogue.ehlo('qa.test');
    expect((await dialogue.command('MAIL FROM:<a@qa.test>')).code).toBe(250);
    expect((await dialogue.command('RCPT TO:<b@outside.test>')).code).toBe(530);
    dialogue.close();
    expect(dialogue.transcript.join('\n')).toContain('C: RCPT TO:<b@outside.test>');
  });

  it('reports an untrusted certificate instead of throwing', async () => {
    const { dialogue } = await SmtpDialogue.open({ host: HOST, port: PORT, lookup, timeoutMs: 2_000 });
    await dialogue.ehlo('qa.test');
    const { tls } = await dialogue.startTls({ servername: 'mx.probe.test' });
    expect(tls?.authorized).toBe(false);
    dialogue.close();
  });

  it('masks AUTH lines in the transcript', async () => {
    const { dialogue } = await SmtpDialogue.open({ host: HOST, port: PORT, lookup, timeoutMs: 2_000 });
    await dialogue.ehlo('qa.test');
    await dialogue.command('AUTH PLAIN AGFsaWNlAHNlY3JldA==', { mask: true }).catch(() => undefined);
    dialogue.close();
    expect(dialogue.transcript.join('\n')).not.toContain('AGFsaWNlAHNlY3JldA==');
  });

  it('logs each reply line once when a multi-line reply arrives split across TCP chunks', async () => {
    // A server that writes its EHLO reply in three pieces, one of them in the middle of a line.
    const pieces = ['250-mx.probe.test\r\n250-STAR', 'TTLS\r\n', '250 AUTH PLAIN\r\n'];
    const raw = createServer((socket) => {
      socket.write('220 split ESMTP\r\n');
      socket.once('data', () => {
        void (async () => {
          for (const piece of pieces) {
            socket.write(piece);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, HOST, resolve));
    const port = (raw.address() as { port: number }).port;
    try {
      const { dialogue } = await SmtpDialogue.open({ host: HOST, port, lookup, timeoutMs: 2_000 });
      const { reply, capabilities } = await dialogue.ehlo('qa.test');
      dialogue.close();
      expect(reply.lines).toEqual(['mx.probe.test', 'STARTTLS', 'AUTH PLAIN']);
      expect(capabilities).toEqual(['STARTTLS', 'AUTH PLAIN']);
      expect(dialogue.transcript.filter((l) => l.startsWith('S: '))).toEqual([
        'S: 220 split ESMTP',
        'S: 250-mx.probe.test',
        'S: 250-STARTTLS',
        'S: 250 AUTH PLAIN',
      ]);
    } finally {
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });
});
