/** The server-side SMTP TLS scripts, run by real bash (with openssl and a recording `docker`) in a folder standing for the server. */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import { prelude } from './remote-scripts.ts';
import { certificateObservation, placeholderCertificateScript, renderSmtpTlsSync, syncScript } from './smtp-tls.ts';

const deployment = loadDeployment('fixtures/deployment.json');
const HOST = deployment.server.mailHost;
let root: string;
let P: string;
let bin: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'postal-qa-smtp-tls-'));
  P = join(root, 'opt/postal');
  mkdirSync(join(P, 'config'), { recursive: true });
  mkdirSync(join(P, 'bin'), { recursive: true });
  writeFileSync(join(P, 'bin/postal-smtp-tls-sync'), renderSmtpTlsSync(deployment), { mode: 0o755 });
  // `docker` records what it was asked to do.
  bin = join(root, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "$@" >> '${join(root, 'docker.log')}'\n`, { mode: 0o755 });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const bash = (script: string) =>
  spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
const dockerCalls = (): string[] =>
  existsSync(join(root, 'docker.log')) ? readFileSync(join(root, 'docker.log'), 'utf8').trim().split('\n') : [];
const observe = () =>
  Object.fromEntries(
    bash(`${prelude(root)}${certificateObservation(HOST)}`)
      .stdout.trim()
      .split('\n')
      .map((l) => l.split('=')),
  );

/** Caddy's certificate for the host, where the caddy image keeps it. */
function caddyIssues(serial: string): void {
  const folder = join(P, 'caddy-data/caddy/certificates/acme-v02.api.letsencrypt.org-directory', HOST);
  mkdirSync(folder, { recursive: true });
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${HOST}`,
    '-set_serial',
    serial,
    '-keyout',
    join(folder, `${HOST}.key`),
    '-out',
    join(folder, `${HOST}.crt`),
  ]);
  expect(made.status).toBe(0);
}

describe('the SMTP placeholder certificate', () => {
  it('is made for the mail host when smtp.cert is missing, key mode 600, and left alone afterwards', () => {
    expect(bash(placeholderCertificateScript(prelude(root), HOST)).status).toBe(0);
    const cert = new X509Certificate(readFileSync(join(P, 'config/smtp.cert')));
    expect(cert.checkHost(HOST)).toBe(HOST);
    expect(statSync(join(P, 'config/smtp.key')).mode & 0o777).toBe(0o600);
    const before = readFileSync(join(P, 'config/smtp.cert'), 'utf8');
    expect(bash(placeholderCertificateScript(prelude(root), HOST)).status).toBe(0);
    expect(readFileSync(join(P, 'config/smtp.cert'), 'utf8')).toBe(before);
    expect(observe()).toEqual({ caddycert: 'missing', smtpcert: 'other' });
  });
});

describe.skipIf(process.getuid?.() !== 0)('postal-smtp-tls-sync (as root, as cron runs it)', () => {
  it("waits (exit 3, smtp untouched) while Caddy has no certificate; then installs Caddy's and restarts smtp once; a renewal again", () => {
    const direct = bash(`P='${P}' '${join(P, 'bin/postal-smtp-tls-sync')}'`);
    expect(direct.status).toBe(3);
    expect(direct.stdout).toContain(`no certificate from Caddy for ${HOST} yet`);
    // provisioning's own run of it treats "not yet" as done
    expect(bash(syncScript(prelude(root))).status).toBe(0);
    expect(dockerCalls()).toEqual([]);

    caddyIssues('1');
    expect(observe()).toEqual({ caddycert: 'present', smtpcert: 'missing' });
    expect(bash(syncScript(prelude(root))).status).toBe(0);
    expect(readFileSync(join(P, 'config/smtp.cert'), 'utf8')).toBe(
      readFileSync(join(P, `caddy-data/caddy/certificates/acme-v02.api.letsencrypt.org-directory/${HOST}/${HOST}.crt`), 'utf8'),
    );
    expect(statSync(join(P, 'config/smtp.key')).uid).toBe(999);
    expect(statSync(join(P, 'config/smtp.key')).mode & 0o777).toBe(0o600);
    expect(dockerCalls()).toEqual([`compose -p postal -f ${P}/install/docker-compose.yml restart smtp`]);
    expect(observe()).toEqual({ caddycert: 'present', smtpcert: 'caddy' });

    expect(bash(syncScript(prelude(root))).stdout).toContain('unchanged');
    expect(dockerCalls()).toHaveLength(1);

    caddyIssues('2');
    expect(bash(syncScript(prelude(root))).stdout).toContain('installed');
    expect(dockerCalls()).toHaveLength(2);
  });
});
