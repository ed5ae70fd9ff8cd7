/** The plans and postconditions of steps 1 and 2, fed observations (no server needed): each can fail. */
import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import type { RemoteSession } from '../remote/ssh-session.ts';
import { postalInstallStep, requiredPorts, serverPreparationStep, type PostalObservation, type ServerObservation } from './server-steps.ts';

const deployment = loadDeployment('fixtures/deployment.json');
const noSession: RemoteSession = { describe: 'none', run: () => Promise.reject(new Error('not reached')), close: () => undefined };
const env = { session: noSession, root: '', deployment };

describe('server preparation', () => {
  const step = serverPreparationStep(env, { sshPort: 22, submission: false });
  const ready: ServerObservation = { docker: '27.3.1', compose: '2.29.7', ufwPresent: true, firewall: { active: true, ports: [22, 25, 80, 443] } };

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
    expect(step.plan(fresh).map((c) => c.what)).toEqual([expect.stringContaining('install Docker Engine'), 'configure the firewall: allow 22, 25, 80, 443, enable']);
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
  const files = (present: boolean) => new Map(['config/postal.yml', 'config/signing.key', 'config/Caddyfile', 'config/mariadb.env', 'install/docker-compose.yml', 'config/postal-qa-initialized'].map((f) => [f, present]));
  const installed: PostalObservation = {
    files: files(true),
    containers: new Map([['postal-mariadb', 'running'], ['postal-caddy', 'running']]),
    services: new Map([['web', 'running'], ['smtp', 'running'], ['worker', 'running']]),
    initialized: true,
  };

  it('plans nothing on an installed Postal', () => {
    expect(step.plan(installed)).toEqual([]);
    expect(step.postcondition(installed)).toEqual([]);
  });

  it('plans the whole install on an empty server, in the install order', () => {
    const empty: PostalObservation = { files: files(false), containers: new Map(), services: new Map(), initialized: false };
    expect(step.plan(empty).map((c) => c.what)).toEqual([
      'write /opt/postal/config/postal.yml (mode 600)',
      'write /opt/postal/config/mariadb.env (mode 600)',
      'write /opt/postal/config/Caddyfile (mode 644)',
      'write /opt/postal/install/docker-compose.yml (mode 644)',
      'make /opt/postal/config/signing.key (openssl genrsa 1024, on the server)',
      'start MariaDB as container postal-mariadb (127.0.0.1:3306)',
      'run postal initialize (create and load the database schema)',
      'start web, smtp, worker (docker compose -p postal up -d)',
      `start Caddy for TLS on ${deployment.server.webHost}`,
    ]);
  });

  it('a stopped worker is restarted and fails the postcondition until it runs', () => {
    const stopped = { ...installed, services: new Map([...installed.services, ['worker', 'exited']]) };
    expect(step.plan(stopped).map((c) => c.what)).toEqual(['start web, smtp, worker (docker compose -p postal up -d)']);
    expect(step.postcondition(stopped)).toEqual(['service worker is exited']);
  });

  it('a lost signing.key or a missing database is named', () => {
    const broken = { ...installed, files: new Map([...installed.files, ['config/signing.key', false]]), containers: new Map([['postal-caddy', 'running']]) };
    expect(step.postcondition(broken)).toEqual(['/opt/postal/config/signing.key is missing', 'container postal-mariadb is absent']);
  });
});
