/** The plans and postconditions of steps 1 and 2, fed observations (no server needed): each can fail. */
import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import type { RemoteSession } from '../remote/ssh-session.ts';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { postalInstallStep, requiredPorts, serverPreparationStep, type PostalObservation, type ServerObservation } from './server-steps.ts';
import { renderCaddyfile, renderPostalYml } from './postal-files.ts';
import { postalYmlUpdates, renderSmtpTlsCron, renderSmtpTlsSync, type StartTlsObservation } from './smtp-tls.ts';

const deployment = loadDeployment('fixtures/deployment.json');
const noSession: RemoteSession = { describe: 'none', run: () => Promise.reject(new Error('not reached')), close: () => undefined };
const env = { session: noSession, root: '', deployment };

describe('server preparation', () => {
  const step = serverPreparationStep(env, { sshPort: 22, submission: false });
  const ready: ServerObservation = {
    docker: '27.3.1',
    compose: '2.29.7',
    ufwPresent: true,
    firewall: { active: true, ports: [22, 25, 80, 443] },
  };

  it('opens exactly 22, 25, 80, 443, and 587 only with submission; the real SSH port', () => {
    expect(requiredPorts(22, false)).toEqual([22, 25, 80, 443]);
    expect(requiredPorts(22, true)).toEqual([22, 25, 80, 443, 587]);
    expect(requiredPorts(2222, false)).toEqual([25, 80, 443, 2222]);
  });

  it('plans nothing and holds on a prepared server', () => {
    expect(step.plan(ready)).toEqual([]);
    expect(step.postcondition(ready)).toEqual([]);
  });

  it('a fresh server: install Docker, then open the firewall', () => {
    const fresh: ServerObservation = { docker: 'missing', compose: 'missing', ufwPresent: false, firewall: { active: false, ports: [] } };
    expect(step.plan(fresh).map((c) => c.what)).toEqual([
      expect.stringContaining('install Docker Engine'),
      'configure the firewall: allow 22, 25, 80, 443, enable',
    ]);
    expect(step.postcondition(fresh)).toEqual(expect.arrayContaining(['docker does not answer (docker version)', 'ufw is not active']));
  });

  it('an extra open port (MariaDB 3306) is closed, and fails the postcondition while open', () => {
    const extra = { ...ready, firewall: { active: true, ports: [22, 25, 80, 443, 3306] } };
    expect(step.plan(extra).map((c) => c.what)).toEqual(['configure the firewall: close 3306']);
    expect(step.postcondition(extra)).toEqual(['the firewall allows 22, 25, 80, 443, 3306; expected exactly 22, 25, 80, 443']);
  });

  it('a missing compose plugin alone is caught', () => {
    expect(step.postcondition({ ...ready, compose: 'missing' })).toEqual(['the compose plugin does not answer (docker compose version)']);
  });
});

describe('Postal installed', () => {
  const step = postalInstallStep(env, () => ({ mariadbRootPassword: 'p', railsSecretKey: 'k', adminEmail: 'a@b.c', adminPassword: 'x' }));
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const ALL = [
    'config/postal.yml',
    'config/signing.key',
    'config/Caddyfile',
    'config/mariadb.env',
    'install/docker-compose.yml',
    'config/postal-qa-initialized',
    'config/smtp.cert',
    'config/smtp.key',
  ];
  const files = (present: boolean) => new Map(ALL.map((f) => [f, present]));
  const managedOk = new Map([
    ['bin/postal-smtp-tls-sync', sha(renderSmtpTlsSync(deployment))],
    ['/etc/cron.d/postal-smtp-tls', sha(renderSmtpTlsCron())],
  ]);
  const tlsOk: StartTlsObservation = {
    offered: true,
    reply: '220 Ready to start TLS',
    tls: { ok: true, authorized: true, protocol: 'TLSv1.3', subjectAltNames: ['mail.mailgoat.ai'] },
  };
  const installed: PostalObservation = {
    files: files(true),
    containers: new Map([
      ['postal-mariadb', 'running'],
      ['postal-caddy', 'running'],
    ]),
    services: new Map([
      ['web', 'running'],
      ['smtp', 'running'],
      ['worker', 'running'],
    ]),
    initialized: true,
    managed: managedOk,
    postalYml: { changes: [], updated: '' },
    certificates: { caddy: true, smtp: 'caddy' },
    startTls: tlsOk,
  };

  it('plans nothing on an installed Postal', () => {
    expect(step.plan(installed)).toEqual([]);
    expect(step.postcondition(installed)).toEqual([]);
    expect(step.notes?.(installed)).toEqual(["SMTP STARTTLS with Caddy's certificate for mail.mailgoat.ai"]);
  });

  it('plans the whole install on an empty server, in the install order', () => {
    const empty: PostalObservation = {
      files: files(false),
      containers: new Map(),
      services: new Map(),
      initialized: false,
      managed: new Map(),
      certificates: { caddy: false, smtp: 'missing' },
    };
    expect(step.plan(empty).map((c) => c.what)).toEqual([
      'write /opt/postal/config/postal.yml (mode 600)',
      'write /opt/postal/config/mariadb.env (mode 600)',
      'write /opt/postal/config/Caddyfile (mode 644)',
      'write /opt/postal/install/docker-compose.yml (mode 644)',
      'write /opt/postal/bin/postal-smtp-tls-sync (mode 755)',
      'write /etc/cron.d/postal-smtp-tls (mode 644)',
      'make /opt/postal/config/signing.key (openssl genrsa 1024, on the server)',
      "make /opt/postal/config/smtp.cert and smtp.key for mail.mailgoat.ai (self-signed, until Caddy's certificate replaces it)",
      'start MariaDB as container postal-mariadb (127.0.0.1:3306)',
      'run postal initialize (create and load the database schema)',
      'start web, smtp, worker (docker compose -p postal up -d)',
      `start Caddy for TLS on ${deployment.server.webHost} and ${deployment.server.mailHost}`,
      "install Caddy's certificate for mail.mailgoat.ai as Postal's SMTP certificate (bin/postal-smtp-tls-sync, restarts smtp)",
    ]);
  });

  it('a stopped worker is restarted and fails the postcondition until it runs', () => {
    const stopped = { ...installed, services: new Map([...installed.services, ['worker', 'exited']]) };
    expect(step.plan(stopped).map((c) => c.what)).toEqual(['start web, smtp, worker (docker compose -p postal up -d)']);
    expect(step.postcondition(stopped)).toEqual(['service worker is exited']);
  });

  it('a lost signing.key or a missing database is named', () => {
    const broken = {
      ...installed,
      files: new Map([...installed.files, ['config/signing.key', false]]),
      containers: new Map([['postal-caddy', 'running']]),
    };
    expect(step.postcondition(broken)).toEqual(['/opt/postal/config/signing.key is missing', 'container postal-mariadb is absent']);
  });

  it('an older postal.yml (no SMTP TLS, message_db.prefix) is updated and the services restarted; the postcondition names what is left', () => {
    const old = { ...installed, postalYml: { changes: ['smtp_server.tls_enabled: true (STARTTLS; off by default)'], updated: 'x' } };
    expect(step.plan(old).map((c) => c.what)).toEqual([
      'update /opt/postal/config/postal.yml: smtp_server.tls_enabled: true (STARTTLS; off by default)',
      'restart web, smtp, worker to read the updated postal.yml',
    ]);
    expect(step.postcondition(old)).toEqual(['postal.yml still needs smtp_server.tls_enabled: true (STARTTLS; off by default)']);
  });

  it("installs Caddy's certificate when Caddy has one that smtp does not use; a changed sync script is rewritten", () => {
    const placeholder = {
      ...installed,
      certificates: { caddy: true, smtp: 'other' as const },
      managed: new Map([...managedOk, ['bin/postal-smtp-tls-sync', 'f00']]),
    };
    expect(step.plan(placeholder).map((c) => c.what)).toEqual([
      'write /opt/postal/bin/postal-smtp-tls-sync (mode 755)',
      "install Caddy's certificate for mail.mailgoat.ai as Postal's SMTP certificate (bin/postal-smtp-tls-sync, restarts smtp)",
    ]);
    // Without a certificate from Caddy yet, the placeholder serves and nothing is planned: the cron job installs it later.
    const waiting = { ...installed, certificates: { caddy: false, smtp: 'other' as const } };
    expect(step.plan(waiting)).toEqual([]);
    expect(step.notes?.(waiting)[0]).toMatch(
      /self-signed certificate for mail\.mailgoat\.ai: Caddy has none for it yet .* \/etc\/cron\.d\/postal-smtp-tls installs/,
    );
  });

  it('fails when STARTTLS is not offered on port 25, or its handshake fails, or port 25 does not answer', () => {
    expect(step.postcondition({ ...installed, startTls: { offered: false } })).toEqual([
      "EHLO on port 25 lists no STARTTLS: Postal's smtp_server.tls_enabled is off or smtp has not restarted since postal.yml changed",
    ]);
    expect(
      step.postcondition({
        ...installed,
        startTls: {
          offered: true,
          reply: '220 Ready to start TLS',
          tls: { ok: false, authorized: false, error: 'socket hang up', subjectAltNames: [] },
        },
      })[0],
    ).toMatch(/^STARTTLS on port 25 \(220 Ready to start TLS\) did not complete a TLS handshake: socket hang up/);
    expect(step.postcondition({ ...installed, startTls: { offered: false, error: 'cannot connect to 1.2.3.4:25: ECONNREFUSED' } })).toEqual(
      ['STARTTLS could not be checked from outside on port 25: cannot connect to 1.2.3.4:25: ECONNREFUSED'],
    );
  });
});

describe('postal.yml', () => {
  const secrets = { mariadbRootPassword: 'p', railsSecretKey: 'k', adminEmail: 'a@b.c', adminPassword: 'x' };
  it('is written with SMTP TLS on and the 3.3.2 key database_name_prefix', () => {
    const yml = parse(renderPostalYml(deployment, secrets));
    expect(yml.smtp_server).toMatchObject({
      tls_enabled: true,
      tls_certificate_path: '/config/smtp.cert',
      tls_private_key_path: '/config/smtp.key',
    });
    expect(yml.message_db.database_name_prefix).toBe('postal');
    expect(yml.message_db).not.toHaveProperty('prefix');
    expect(postalYmlUpdates(renderPostalYml(deployment, secrets)).changes).toEqual([]);
  });

  it('an older one is brought up to date, keeping its comments and other keys', () => {
    const older = '# mine\nversion: 2\nmessage_db:\n  host: 127.0.0.1\n  prefix: postal\nsmtp_server:\n  default_bind_address: "::"\n';
    const { text, changes } = postalYmlUpdates(older);
    expect(changes).toEqual([
      'smtp_server.tls_enabled: true (STARTTLS; off by default)',
      'message_db.prefix renamed database_name_prefix (the 3.3.2 key)',
    ]);
    expect(text).toContain('# mine');
    expect(parse(text)).toEqual({
      version: 2,
      message_db: { host: '127.0.0.1', database_name_prefix: 'postal' },
      smtp_server: {
        default_bind_address: '::',
        tls_enabled: true,
        tls_certificate_path: '/config/smtp.cert',
        tls_private_key_path: '/config/smtp.key',
      },
    });
    expect(postalYmlUpdates(text).changes).toEqual([]);
    expect(postalYmlUpdates('a: [').changes).toEqual(['postal.yml does not parse as YAML: fix it by hand']);
  });

  it("the Caddyfile names the mail host too, so Caddy keeps a certificate for Postal's SMTP", () => {
    expect(renderCaddyfile(deployment)).toMatch(
      /^postal\.mailgoat\.ai \{\n {2}reverse_proxy 127\.0\.0\.1:5000\n\}\n[\s\S]*^mail\.mailgoat\.ai \{$/m,
    );
  });
});
