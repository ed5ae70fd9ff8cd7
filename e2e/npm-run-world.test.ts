/**
 * `npm run world` used from the outside, the way issue 3 promises a person can: start it, read the
 * endpoints it prints, and poke them with Debian's dig and swaks, curl and an IMAP client. Nothing
 * here imports the world: everything goes through the network and the files the command wrote.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentialsFile } from '../core/artifacts/api-keys-file.ts';
import { eventually, runTool, startCli, type CliProcess } from './support/cli-process.ts';
import { cleanEnv } from './support/clean-env.ts';
import { loopbackNet } from './support/loopback-net.ts';
import { expectNothingLeft } from './support/nothing-left.ts';

const NET = loopbackNet(import.meta.url);
const POSTAL = `${NET}.10`;
const DNS = `${NET}.53`;
const GMAIL = `${NET}.20`;
const ROOT = new URL('../', import.meta.url).pathname;
const READY = 'World ready.';
const BOOT_DEADLINE_MS = 60_000;
const DELIVERY_DEADLINE_MS = 20_000;

interface Printed {
  started: number;
  seedPassword: string;
  qaListing: string;
  ceoListing: string;
}

function readPrinted(output: string): Printed {
  const started = /Started in ([\d.]+) s/.exec(output);
  const seed = /seed seed@gmail\.test\s+login seed@gmail\.test\s+password (\S+)/.exec(output);
  const qa = /qa@mailgoat\.ai\s+(http:\/\/\S+\/messages)/.exec(output);
  const ceo = /ceo@mailgoat\.ai\s+(http:\/\/\S+\/messages)/.exec(output);
  if (!started || !seed || !qa || !ceo) throw new Error(`npm run world did not print what a user needs:\n${output}`);
  return { started: Number(started[1]), seedPassword: seed[1]!, qaListing: qa[1]!, ceoListing: ceo[1]! };
}

/** The world's own processes (spamd, Dovecot and their workers) were seen, and none of them, nor a listener on the net, is left. */
async function expectWorldGone(world: CliProcess): Promise<void> {
  const daemons = [...world.seen.values()].filter((p) => /spamd|dovecot|imap|anvil|auth|config|stats|log/.test(p.comm));
  expect(daemons.length, 'spamd and Dovecot were seen running under the world').toBeGreaterThan(2);
  // The reaper outlives the world by design, for as long as it takes to check nothing is left.
  await expectNothingLeft({ processes: [...world.seen.values()], net: NET, timeoutMs: 10_000 });
}

async function listing(url: string, token: string): Promise<Array<Record<string, unknown>> | undefined> {
  const response = await fetch(`${url}?token=${token}`, { signal: AbortSignal.timeout(5_000) });
  const entries = (await response.json()) as Array<Record<string, unknown>>;
  return entries.length > 0 ? entries : undefined;
}

describe('npm run world, used from the outside', () => {
  const out = mkdtempSync(join(tmpdir(), 'postal-qa-world-e2e-'));
  const ca = join(out, `world-ca-${NET}.pem`);
  const curlTls = ['--silent', '--show-error', '--max-time', '10', '--cacert', ca, '--resolve', `postal.mailgoat.ai:443:${POSTAL}`];
  let world: CliProcess;
  let printed: Printed;
  let keys: ReturnType<typeof readCredentialsFile>;

  const apiSend = async (apiKey: string, body: object): Promise<{ status: string; data: Record<string, unknown> }> => {
    const { stdout, code, stderr } = await runTool('curl', [
      ...curlTls,
      'https://postal.mailgoat.ai/api/v1/send/message',
      '-H',
      `X-Server-API-Key: ${apiKey}`,
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      JSON.stringify(body),
    ]);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout) as { status: string; data: Record<string, unknown> };
  };

  beforeAll(async () => {
    world = startCli('npm', ['run', 'world', '--', `--net=${NET}`, `--out=${out}`], { cwd: ROOT, env: cleanEnv() });
    await world.waitFor(READY, BOOT_DEADLINE_MS);
    world.sampleDescendants();
    printed = readPrinted(world.output());
    keys = readCredentialsFile(join(out, 'postal-api-keys.txt'));
  }, BOOT_DEADLINE_MS + 5_000);

  afterAll(() => {
    world?.kill();
    rmSync(out, { recursive: true, force: true });
  });

  it('starts everything, spamd and Dovecot included, says how long it took, and never prints an API key', () => {
    // How long is a benchmark's business (npm run bench:world); here it must only be said.
    expect(printed.started).toBeGreaterThan(0);
    for (const key of keys.apiKeys.values()) expect(world.output()).not.toContain(key);
    expect(world.output()).not.toContain(keys.smtpKey!);
    expect(world.output()).toContain(join(out, 'postal-api-keys.txt'));
    expect(readFileSync(ca, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('answers dig like the zone says, over UDP and TCP, forward and reverse', async () => {
    const dig = async (...args: string[]): Promise<string> => {
      const { stdout, code } = await runTool('dig', [`@${DNS}`, '+time=2', '+tries=1', ...args, '+short']);
      expect(code).toBe(0);
      return stdout.trim();
    };
    expect(await dig('mailgoat.ai', 'MX')).toBe('10 mail.mailgoat.ai.');
    expect(await dig('mailgoat.ai', 'TXT')).toBe('"v=spf1 include:spf.mailgoat.ai ~all"');
    expect(await dig('mailgoat.ai', 'TXT', '+tcp')).toBe('"v=spf1 include:spf.mailgoat.ai ~all"');
    expect(await dig('mail.mailgoat.ai', 'A')).toBe(POSTAL);
    expect(await dig('-x', POSTAL)).toBe('mail.mailgoat.ai.');
  });

  it('serves Postal web, health, metrics and the service list', async () => {
    const login = await runTool('curl', [...curlTls, '-o', '/dev/null', '-w', '%{http_code}', 'https://postal.mailgoat.ai/login']);
    expect(login.stdout).toBe('200');
    const health = await fetch(`http://${POSTAL}:9090/health`, { signal: AbortSignal.timeout(5_000) });
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://${POSTAL}:9091/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toMatch(/^# (HELP|TYPE) /m);
    const ps = (await (await fetch(`http://${POSTAL}:9000/compose/ps`, { signal: AbortSignal.timeout(5_000) })).json()) as Array<{
      Service: string;
      State: string;
    }>;
    expect(ps.map((s) => s.Service).sort()).toEqual(['smtp', 'web', 'worker']);
  });

  it('accepts mail from outside over STARTTLS (swaks) and hands it to the qa inbox', async () => {
    const token = `swaks${Date.now().toString(36)}`;
    const swaks = await runTool('swaks', [
      '--server',
      POSTAL,
      '--to',
      'qa@mailgoat.ai',
      '--from',
      'someone@outside.test',
      '--tls',
      '--tls-verify',
      '--tls-ca-path',
      ca,
      '--tls-sni',
      'mail.mailgoat.ai',
      '--header',
      `Subject: hello ${token}`,
      '--body',
      `from outside ${token}`,
      '--timeout',
      '10',
    ]);
    expect(swaks.code, swaks.stdout).toBe(0);
    expect(swaks.stdout).toContain('ESMTP Postal');
    const [entry] = await eventually('the swaks message in the qa inbox listing', DELIVERY_DEADLINE_MS, () =>
      listing(printed.qaListing, token),
    );
    expect(entry).toMatchObject({ rcptTo: 'qa@mailgoat.ai', mailFrom: 'someone@outside.test', signatureValid: true });
  });

  it('refuses an unauthenticated relay to gmail.test with 530', async () => {
    const swaks = await runTool('swaks', [
      '--server',
      POSTAL,
      '--to',
      'relay-probe@gmail.test',
      '--from',
      'someone@outside.test',
      '--tls',
      '--tls-ca-path',
      ca,
      '--quit-after',
      'RCPT',
      '--timeout',
      '10',
    ]);
    expect(swaks.code).not.toBe(0);
    expect(swaks.stdout).toMatch(/^<~?\*{1,2} +530 .*Authentication required/m);
  });

  it('delivers an API message from ceo@ to the gmail.test seed, aligned and scored', async () => {
    const token = `api${Date.now().toString(36)}`;
    const sent = await apiSend(keys.apiKeys.get('ceo@mailgoat.ai')!, {
      from: 'ceo@mailgoat.ai',
      to: ['seed@gmail.test'],
      subject: `Report ${token}`,
      plain_body: `Quarterly numbers ${token}`,
    });
    expect(sent.status).toBe('success');

    const source = await eventually(
      'the API message in seed@gmail.test INBOX over IMAP',
      DELIVERY_DEADLINE_MS,
      async () => {
        const imap = new ImapFlow({
          host: GMAIL,
          port: 143,
          secure: false,
          logger: false,
          auth: { user: 'seed@gmail.test', pass: printed.seedPassword },
          tls: { ca: readFileSync(ca, 'utf8'), servername: 'mx.gmail.test' },
          connectionTimeout: 5_000,
          greetingTimeout: 5_000,
          socketTimeout: 10_000,
        });
        await imap.connect();
        try {
          const lock = await imap.getMailboxLock('INBOX');
          try {
            const uids = await imap.search({ subject: token }, { uid: true });
            if (!uids || uids.length === 0) return undefined;
            const message = await imap.fetchOne(String(uids[0]), { source: true }, { uid: true });
            return message ? message.source!.toString('utf8') : undefined;
          } finally {
            lock.release();
          }
        } finally {
          await imap.logout().catch(() => imap.close());
        }
      },
      500,
    );

    const head = source.slice(0, source.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
    const header = (name: string): string[] => head.split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const results = header('Authentication-Results').join('\n');
    expect(results).toMatch(/spf=pass/);
    expect(results).toMatch(/dkim=pass/);
    expect(results).toMatch(/dmarc=pass/);
    expect(header('DKIM-Signature').join('\n')).toMatch(/\bd=mailgoat\.ai;/);
    expect(header('X-Spam-Score')[0]).toMatch(/^X-Spam-Score: -?\d+(\.\d+)?$/);
  });

  it('delivers an API message from ceo@ to qa@ into the qa inbox receiver with a valid signature', async () => {
    const token = `int${Date.now().toString(36)}`;
    const sent = await apiSend(keys.apiKeys.get('ceo@mailgoat.ai')!, {
      from: 'ceo@mailgoat.ai',
      to: ['qa@mailgoat.ai'],
      subject: `Standup ${token}`,
      plain_body: `Agenda ${token}`,
    });
    expect(sent.status).toBe('success');
    const [entry] = await eventually('the internal message in the qa inbox listing', DELIVERY_DEADLINE_MS, () =>
      listing(printed.qaListing, token),
    );
    expect(entry).toMatchObject({ rcptTo: 'qa@mailgoat.ai', signatureValid: true });
    expect(String(entry!.from)).toContain('ceo@mailgoat.ai');
    expect(await listing(printed.ceoListing, token)).toBeUndefined();
  });

  it('stops everything when its launcher (npm) is sent SIGTERM', async () => {
    world.sampleDescendants();
    process.kill(world.child.pid!, 'SIGTERM');
    await Promise.race([
      world.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`world still running 15 s after SIGTERM:\n${world.output()}`)), 15_000)),
    ]);
    expect(world.output()).toMatch(/launcher .* exited: stopping the world…\nWorld stopped\.\n$/);
    await expectWorldGone(world);
  }, 20_000);
});

describe('node --import tsx world/main.ts (what `npm run world` runs) on SIGTERM', () => {
  it(
    'exits 0 and leaves no process or bound port behind',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'postal-qa-world-e2e-'));
      const world = startCli(process.execPath, ['--import', 'tsx', 'world/main.ts', `--net=${NET}`, `--out=${out}`], {
        cwd: ROOT,
        env: cleanEnv(),
      });
      try {
        await world.waitFor(READY, BOOT_DEADLINE_MS);
        world.sampleDescendants();
        world.child.kill('SIGTERM');
        const exit = await Promise.race([
          world.exited,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`still running 15 s after SIGTERM:\n${world.output()}`)), 15_000),
          ),
        ]);
        await world.closed;
        expect(exit, world.output()).toEqual({ code: 0, signal: null });
        expect(world.output()).toMatch(/SIGTERM: stopping the world…\nWorld stopped\.\n$/);
        await expectWorldGone(world);
      } finally {
        world.kill();
        rmSync(out, { recursive: true, force: true });
      }
    },
    BOOT_DEADLINE_MS + 20_000,
  );
});
