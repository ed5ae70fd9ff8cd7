import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpDialogue } from './testing/clients.ts';
import { KEYS, eventually, startTestWorld, type TestWorld } from './testing/postal-test-world.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ slot: 1 });
});
afterAll(async () => {
  await world?.stop();
});

const open = async (): Promise<{ dialogue: SmtpDialogue; greeting: string }> =>
  SmtpDialogue.open(world.postal.endpoints.smtp.address, world.postal.endpoints.smtp.port);
const authPlain = (key: string): string => `AUTH PLAIN ${Buffer.from(`\0anyone\0${key}`).toString('base64')}`;

describe('SMTP server', () => {
  it('greets like Postal and offers STARTTLS and AUTH CRAM-MD5 PLAIN LOGIN', async () => {
    const { dialogue, greeting } = await open();
    try {
      expect(greeting).toMatch(/^220 mail\.mailgoat\.ai ESMTP Postal\/[A-Z0-9]{8}$/);
      const ehlo = await dialogue.send('EHLO client.test');
      expect(ehlo.split('\n')).toEqual(['250-My capabilities are', '250-STARTTLS', '250 AUTH CRAM-MD5 PLAIN LOGIN']);
      expect(await dialogue.send('HELO client.test')).toBe('250 mail.mailgoat.ai');
      expect(await dialogue.send('RCPT TO:<qa@mailgoat.ai>')).toBe('503 EHLO/HELO and MAIL FROM first please');
      expect(await dialogue.send('BOGUS')).toBe('502 Invalid/unsupported command');
      expect(await dialogue.send('QUIT')).toBe('221 Closing Connection');
    } finally {
      dialogue.close();
    }
  });

  it('gives each connection its own trace id', async () => {
    const a = await open();
    const b = await open();
    a.dialogue.close();
    b.dialogue.close();
    expect(a.greeting).not.toBe(b.greeting);
  });

  it('upgrades with STARTTLS to a certificate for the mail host from the world CA, apart from the web one (smtp_server.tls_certificate_path)', async () => {
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO client.test');
      const secure = await dialogue.startTls('mail.mailgoat.ai', world.ca.certificatePem);
      expect(secure.authorized).toBe(true);
      expect(secure.subjectAltNames).toEqual(['mail.mailgoat.ai']);
      expect((await dialogue.send('EHLO client.test')).split('\n')).toEqual(['250-My capabilities are', '250 AUTH CRAM-MD5 PLAIN LOGIN']);
    } finally {
      dialogue.close();
    }
  });

  it("offers STARTTLS only with postal.yml's smtp_server.tls_enabled, read when smtp restarts; a certificate it cannot read breaks the handshake", async () => {
    const restart = async (postalYml: string, files: Record<string, string> = {}) => {
      const response = await fetch(`${world.postal.endpoints.ops.url}/runner/services`, {
        method: 'POST',
        body: JSON.stringify({ postalYml, files, restart: ['smtp'] }),
      });
      expect(response.status).toBe(200);
      return (await response.text()).trim();
    };
    const issued = await world.ca.issue(['mail.mailgoat.ai', 'postal.mailgoat.ai', world.addresses.postal]);
    try {
      // 3.3.2's default: tls_enabled false → no STARTTLS in EHLO, and the command is refused (client.rb:139-158).
      expect(await restart('version: 2\nsmtp_server:\n  default_port: 25\n')).toBe(
        'smtp: TLS disabled (smtp_server.tls_enabled is not true)',
      );
      let { dialogue } = await open();
      expect((await dialogue.send('EHLO client.test')).split('\n')).toEqual(['250-My capabilities are', '250 AUTH CRAM-MD5 PLAIN LOGIN']);
      expect(await dialogue.send('STARTTLS')).toBe('502 TLS not available');
      dialogue.close();

      // Enabled, at the default paths, but no file there: STARTTLS is offered and accepted, then the connection drops.
      expect(await restart('smtp_server:\n  tls_enabled: true\n')).toBe('smtp: TLS enabled but /config/smtp.cert cannot be read');
      ({ dialogue } = await open());
      expect((await dialogue.send('EHLO client.test')).split('\n')).toContain('250-STARTTLS');
      expect(await dialogue.send('STARTTLS')).toBe('220 Ready to start TLS');
      await expect(dialogue.send('NOOP')).rejects.toThrow();
      dialogue.close();

      // Enabled with the certificate postal.yml names.
      const yml =
        'smtp_server:\n  tls_enabled: true\n  tls_certificate_path: /config/tls/mail.crt\n  tls_private_key_path: $config-file-root/tls/mail.key\n';
      expect(await restart(yml, { '/config/tls/mail.crt': issued.certificatePem, '/config/tls/mail.key': issued.privateKeyPem })).toBe(
        'smtp: STARTTLS with /config/tls/mail.crt',
      );
      ({ dialogue } = await open());
      await dialogue.send('EHLO client.test');
      const secure = await dialogue.startTls('mail.mailgoat.ai', world.ca.certificatePem);
      expect(secure.authorized).toBe(true);
      dialogue.close();
    } finally {
      await restart('smtp_server:\n  tls_enabled: true\n', {
        '/config/smtp.cert': issued.certificatePem,
        '/config/smtp.key': issued.privateKeyPem,
      });
    }
  });

  it('accepts AUTH PLAIN and LOGIN without TLS with the SMTP credential key, ignoring the username', async () => {
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO client.test');
      expect(await dialogue.send(authPlain('wrong-key'))).toBe('535 Invalid credential');
      expect(await dialogue.send(authPlain(KEYS.api))).toBe('535 Invalid credential');
      expect(await dialogue.send(authPlain(KEYS.smtp))).toBe('235 Granted for mailgoat/production');
    } finally {
      dialogue.close();
    }
    const login = await open();
    try {
      await login.dialogue.send('EHLO client.test');
      expect(await login.dialogue.send('AUTH LOGIN')).toMatch(/^334 /);
      expect(await login.dialogue.send(Buffer.from('whoever').toString('base64'))).toMatch(/^334 /);
      expect(await login.dialogue.send(Buffer.from(KEYS.smtp).toString('base64'))).toMatch(/^235 /);
    } finally {
      login.dialogue.close();
    }
  });

  it('refuses relay without authentication: 530 Authentication required', async () => {
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO client.test');
      expect(await dialogue.send('MAIL FROM:<someone@elsewhere.test>')).toBe('250 OK');
      expect(await dialogue.send('RCPT TO:<victim@gmail.test>')).toBe('530 Authentication required');
    } finally {
      dialogue.close();
    }
  });

  it("answers commands as Postal 3.3.2's client.rb does where smtp-server would differ", async () => {
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO client.test');
      expect(await dialogue.send('VRFY qa@mailgoat.ai')).toBe('502 Invalid/unsupported command');
      expect(await dialogue.send('HELP')).toBe('502 Invalid/unsupported command');
      expect(await dialogue.send('AUTH XOAUTH2 dG9rZW4=')).toBe('502 Invalid/unsupported command');
      // A second MAIL before any RCPT starts the transaction again; brackets are optional.
      expect(await dialogue.send('MAIL FROM:<first@sender.test>')).toBe('250 OK');
      expect(await dialogue.send('MAIL FROM: second@sender.test')).toBe('250 OK');
      expect(await dialogue.send('RCPT TO: qa@mailgoat.ai')).toBe('250 OK');
      // After an accepted RCPT it is refused with Postal's (odd) text.
      expect(await dialogue.send('MAIL FROM:<third@sender.test>')).toBe('503 EHLO/HELO first please');
    } finally {
      dialogue.close();
    }
  });

  it('accepts a routed local part, refuses an unknown one without a catch-all and accepts it with one', async () => {
    const routes = world.manifest.routes;
    const catchAll = routes.find((r) => r.name === '*')!;
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO client.test');
      await dialogue.send('MAIL FROM:<someone@sender.test>');
      expect(await dialogue.send('RCPT TO:<qa@mailgoat.ai>')).toMatch(/^250/);
      expect(await dialogue.send('RCPT TO:<qa+tag@mailgoat.ai>')).toMatch(/^250/);
      expect(await dialogue.send('RCPT TO:<nobody@mailgoat.ai>')).toMatch(/^250/);
      routes.splice(routes.indexOf(catchAll), 1);
      expect(await dialogue.send('RCPT TO:<nobody@mailgoat.ai>')).toBe('530 Authentication required');
    } finally {
      if (!routes.includes(catchAll)) routes.push(catchAll);
      dialogue.close();
    }
  });

  it("answers the classic relay-test recipient forms as Postal 3.3.2's rcpt_to does (first @, no syntax check, catch-all last)", async () => {
    const { dialogue } = await open();
    const ip = world.postal.endpoints.smtp.address;
    try {
      await dialogue.send('EHLO relay-test.example');
      await dialogue.send('MAIL FROM:<antispam@[192.0.2.1]>');
      const answers: Record<string, string> = {};
      for (const to of [
        'seed%gmail.test@mailgoat.ai',
        'gmail.test!seed@mailgoat.ai',
        'seed@gmail.test@mailgoat.ai',
        '"seed@gmail.test"@mailgoat.ai',
        '@mailgoat.ai:seed@gmail.test',
        `seed%gmail.test@[${ip}]`,
        'seed%gmail.test@mail.mailgoat.ai',
        'seed@GMAIL.TEST',
        'seed@gmail.test.',
        'gmail.test!seed',
        '"seed%gmail.test"',
      ])
        answers[to] = await dialogue.send(`RCPT TO:<${to}>`);
      expect(answers).toEqual({
        // the local part is looked up as a route name; none holds % or !, so the catch-all takes them
        'seed%gmail.test@mailgoat.ai': '250 OK',
        'gmail.test!seed@mailgoat.ai': '250 OK',
        // split at the first @: the domain is "gmail.test@mailgoat.ai" / 'gmail.test"@mailgoat.ai'
        'seed@gmail.test@mailgoat.ai': '530 Authentication required',
        '"seed@gmail.test"@mailgoat.ai': '530 Authentication required',
        '@mailgoat.ai:seed@gmail.test': '530 Authentication required',
        [`seed%gmail.test@[${ip}]`]: '530 Authentication required',
        'seed%gmail.test@mail.mailgoat.ai': '530 Authentication required',
        'seed@GMAIL.TEST': '530 Authentication required',
        'seed@gmail.test.': '530 Authentication required',
        'gmail.test!seed': '501 Invalid RCPT TO',
        '"seed%gmail.test"': '501 Invalid RCPT TO',
      });
    } finally {
      dialogue.close();
    }
  });

  it('refuses an authenticated submission whose From is not the verified domain', async () => {
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO client.test');
      await dialogue.send(authPlain(KEYS.smtp));
      await dialogue.send('MAIL FROM:<ceo@mailgoat.ai>');
      expect(await dialogue.send('RCPT TO:<friend@gmail.test>')).toMatch(/^250/);
      expect(await dialogue.send('DATA')).toMatch(/^354/);
      expect(await dialogue.send('From: spoof@gmail.test\r\nTo: friend@gmail.test\r\nSubject: x\r\n\r\nbody\r\n.')).toBe(
        '530 From/Sender name is not valid',
      );
    } finally {
      dialogue.close();
    }
  });

  it("answers 552 to a message over Postal's 14 MB, after reading it, and carries on with the session (never a reset)", async () => {
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO sender.test');
      await dialogue.send('MAIL FROM:<someone@sender.test>');
      expect(await dialogue.send('RCPT TO:<qa@mailgoat.ai>')).toMatch(/^250/);
      expect(await dialogue.send('DATA')).toBe('354 Go ahead');
      const line = 'x'.repeat(998);
      const body = Array.from({ length: Math.ceil((14 * 1024 * 1024) / 1000) + 10 }, () => line).join('\r\n');
      expect(await dialogue.send(`From: someone@sender.test\r\nTo: qa@mailgoat.ai\r\nSubject: too big\r\n\r\n${body}\r\n.`)).toBe(
        '552 Message too large (maximum size 14MB)',
      );
      expect(await dialogue.send('QUIT')).toBe('221 Closing Connection');
    } finally {
      dialogue.close();
    }
  });

  it('queues an authenticated submission as outgoing and incoming mail for a route as incoming', async () => {
    const { dialogue } = await open();
    try {
      await dialogue.send('EHLO client.test');
      await dialogue.send(authPlain(KEYS.smtp));
      await dialogue.send('MAIL FROM:<ceo@mailgoat.ai>');
      await dialogue.send('RCPT TO:<friend@gmail.test>');
      await dialogue.send('DATA');
      expect(await dialogue.send('From: CEO <ceo@mailgoat.ai>\r\nTo: friend@gmail.test\r\nSubject: via smtp\r\n\r\nbody\r\n.')).toBe(
        '250 OK',
      );
    } finally {
      dialogue.close();
    }
    const out = await eventually(
      () => world.provider.messages.find((m) => m.raw.toString().includes('Subject: via smtp')),
      10_000,
      'the submission at the provider',
    );
    expect(out.rcptTo).toEqual(['friend@gmail.test']);

    const incoming = await open();
    try {
      await incoming.dialogue.send('EHLO sender.test');
      await incoming.dialogue.send('MAIL FROM:<someone@sender.test>');
      await incoming.dialogue.send('RCPT TO:<qa@mailgoat.ai>');
      expect(await incoming.dialogue.send('DATA')).toBe('354 Go ahead');
      expect(await incoming.dialogue.send('From: someone@sender.test\r\nTo: qa@mailgoat.ai\r\nSubject: inbound\r\n\r\nhello qa\r\n.')).toBe(
        '250 OK',
      );
    } finally {
      incoming.dialogue.close();
    }
    const posted = await eventually(
      () => world.inbox.requests.find((r) => r.path.endsWith('/qa') && r.body.toString().includes('inbound')),
      10_000,
      'the POST to the qa endpoint',
    );
    expect(JSON.parse(posted.body.toString())).toMatchObject({
      rcpt_to: 'qa@mailgoat.ai',
      mail_from: 'someone@sender.test',
      subject: 'inbound',
      received_with_ssl: null,
    });
  });

  it('counts connections and messages in the smtp health server metrics', async () => {
    const metrics = await (await fetch(`${world.postal.endpoints.smtpHealth.url}/metrics`)).text();
    const connections = Number(/^postal_smtp_server_connections_total (\d+)$/m.exec(metrics)?.[1]);
    expect(connections).toBeGreaterThanOrEqual(8);
    expect(metrics).toMatch(/^postal_smtp_server_messages_total\{type="outgoing"\} 1$/m);
    expect(metrics).toMatch(/^postal_smtp_server_messages_total\{type="incoming"\} 1$/m);
    expect(metrics).toMatch(/^postal_smtp_server_client_errors\{error="authentication-required"\} \d+$/m);
  });
});
