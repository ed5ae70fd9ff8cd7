/**
 * Steps 1 and 2 of phase 1: the server prepared (Docker Engine, the compose plugin, the firewall open
 * on exactly the ports the deployment needs) and Postal installed the official way.
 */
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { RemoteSession } from '../remote/ssh-session.ts';
import type { InstallSecrets } from './install-secrets.ts';
import { renderCaddyfile, renderComposeFile, renderMariadbEnv, renderPostalYml } from './postal-files.ts';
import { createHash } from 'node:crypto';
import {
  CRON_FILE,
  certificateObservation,
  placeholderCertificateScript,
  postalYmlUpdates,
  renderSmtpTlsCron,
  renderSmtpTlsSync,
  SMTP_CERT,
  SMTP_KEY,
  type StartTlsObservation,
  SYNC_SCRIPT,
  syncScript,
} from './smtp-tls.ts';
import {
  caddyScript,
  composeRestartScript,
  composeUpScript,
  firewallScript,
  initializeScript,
  installDockerScript,
  mariadbScript,
  observePostalScript,
  observeServerScript,
  parseObservation,
  parseUfwStatus,
  prelude,
  readPostalYmlScript,
  signingKeyScript,
  writeFileScript,
} from './remote-scripts.ts';
import type { Change, Step } from './run-steps.ts';

export interface StepEnv {
  session: RemoteSession;
  root: string;
  deployment: Deployment;
}

/** Runs a script (sent on stdin to `bash -s`); a non-zero exit is an error naming the action and the output's last line. */
export async function runScript(env: StepEnv, action: string, script: string): Promise<string> {
  const result = await env.session.run('bash -s', { stdin: script });
  if (result.code !== 0)
    throw new Error(`${action} failed on ${env.session.describe} (exit ${result.code}): ${lastLine(result.stderr || result.stdout)}`);
  return result.stdout;
}

/**
 * Runs a script that reads data on stdin (a file's text, the accounts plan). The script holds no
 * secret, so it goes on the command line (`bash -c '…'`); the data, which may, goes on stdin.
 */
export async function runScriptWithInput(env: StepEnv, action: string, script: string, input: string): Promise<string> {
  const result = await env.session.run(`bash -c ${shellQuote(script)}`, { stdin: input });
  if (result.code !== 0)
    throw new Error(`${action} failed on ${env.session.describe} (exit ${result.code}): ${lastLine(result.stderr || result.stdout)}`);
  return result.stdout;
}

export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '(no output)';

export interface ServerObservation {
  docker: string;
  compose: string;
  ufwPresent: boolean;
  firewall: { active: boolean; ports: number[] };
}

/** The ports the deployment needs open: SSH (its real port), SMTP, HTTP (Caddy's ACME), HTTPS; 587 only with submission. */
export function requiredPorts(sshPort: number, submission: boolean): number[] {
  return [...new Set([sshPort, 25, 80, 443, ...(submission ? [587] : [])])].sort((a, b) => a - b);
}

export function serverPreparationStep(env: StepEnv, options: { sshPort: number; submission: boolean }): Step<ServerObservation> {
  const wanted = requiredPorts(options.sshPort, options.submission);
  return {
    id: 'server-preparation',
    title: `server preparation: Docker Engine, compose plugin, firewall (${wanted.join(', ')})`,
    async observe() {
      const { values, ufw } = parseObservation(await runScript(env, 'observing the server', observeServerScript(env.root)));
      return {
        docker: values.get('docker') ?? 'missing',
        compose: values.get('compose') ?? 'missing',
        ufwPresent: values.get('ufw') === 'present',
        firewall: parseUfwStatus(ufw),
      };
    },
    plan(o) {
      const changes: Change[] = [];
      if (o.docker === 'missing' || o.compose === 'missing' || !o.ufwPresent) {
        changes.push({
          what: "install Docker Engine, the compose plugin and ufw (Docker's apt repository, as postalserver/install does)",
          apply: () => runScript(env, 'installing Docker', installDockerScript(env.root)).then(() => undefined),
        });
      }
      const allow = wanted.filter((p) => !o.firewall.ports.includes(p));
      const remove = o.firewall.ports.filter((p) => !wanted.includes(p));
      if (allow.length || remove.length || !o.firewall.active) {
        const words = [
          allow.length ? `allow ${allow.join(', ')}` : '',
          remove.length ? `close ${remove.join(', ')}` : '',
          o.firewall.active ? '' : 'enable',
        ]
          .filter(Boolean)
          .join(', ');
        changes.push({
          what: `configure the firewall: ${words}`,
          apply: () => runScript(env, 'configuring the firewall', firewallScript(env.root, allow, remove)).then(() => undefined),
        });
      }
      return changes;
    },
    postcondition(o) {
      const problems: string[] = [];
      if (o.docker === 'missing') problems.push('docker does not answer (docker version)');
      if (o.compose === 'missing') problems.push('the compose plugin does not answer (docker compose version)');
      if (!o.firewall.active) problems.push('ufw is not active');
      if (o.firewall.ports.join(',') !== wanted.join(','))
        problems.push(`the firewall allows ${o.firewall.ports.join(', ') || 'nothing'}; expected exactly ${wanted.join(', ')}`);
      return problems;
    },
  };
}

export interface PostalObservation {
  files: Map<string, boolean>;
  containers: Map<string, string>;
  services: Map<string, string>;
  initialized: boolean;
  /** sha256 of each file provisioning owns and rewrites when it changes ("missing" when absent) */
  managed?: Map<string, string>;
  /** postal.yml's managed keys that differ from what this version writes (smtp-tls.ts postalYmlUpdates) */
  postalYml?: { changes: string[]; updated: string };
  /** Caddy holds a certificate for the mail host; smtp.cert is it, another one (the placeholder), or missing */
  certificates?: { caddy: boolean; smtp: 'caddy' | 'other' | 'missing' };
  /** STARTTLS on port 25 from outside, when the smtp service runs */
  startTls?: StartTlsObservation;
}

type ManagedFile = { path: string; text: () => string; mode: string; owner?: string };

const CONFIG_FILES = ['config/postal.yml', 'config/mariadb.env', 'config/Caddyfile', 'install/docker-compose.yml'] as const;

/** What postal.yml, the smtp certificate and STARTTLS look like (read-only; the probe connects from outside). */
export interface PostalInstallOptions {
  /** STARTTLS from outside on the server's port 25 */
  probeStartTls?: () => Promise<StartTlsObservation>;
}

export function postalInstallStep(
  env: StepEnv,
  secrets: () => InstallSecrets,
  options: PostalInstallOptions = {},
): Step<PostalObservation> {
  const database = env.deployment.postal.containers[0] ?? 'postal-mariadb';
  const services = env.deployment.postal.services;
  const { mailHost, webHost } = env.deployment.server;
  const render: Record<(typeof CONFIG_FILES)[number], { text: () => string; mode: string; owner?: string }> = {
    // Postal's containers run as uid 999 (user postal) and must read postal.yml; nobody else may.
    'config/postal.yml': { text: () => renderPostalYml(env.deployment, secrets()), mode: '600', owner: '999:999' },
    'config/mariadb.env': { text: () => renderMariadbEnv(secrets()), mode: '600' },
    'config/Caddyfile': { text: () => renderCaddyfile(env.deployment), mode: '644' },
    'install/docker-compose.yml': { text: () => renderComposeFile(env.deployment), mode: '644' },
  };
  // Written when missing and rewritten when their content changes (the script and its schedule are ours alone).
  const managed: ManagedFile[] = [
    { path: SYNC_SCRIPT, text: () => renderSmtpTlsSync(env.deployment), mode: '755' },
    { path: `/${CRON_FILE}`, text: renderSmtpTlsCron, mode: '644' },
  ];
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
  const write = (file: ManagedFile, replace: boolean): Change => ({
    what: `write ${file.path.startsWith('/') ? file.path : `/opt/postal/${file.path}`} (mode ${file.mode})`,
    apply: () =>
      runScriptWithInput(
        env,
        `writing ${file.path}`,
        writeFileScript(env.root, file.path, file.mode, file.owner, { replace }),
        file.text(),
      ).then(() => undefined),
  });
  return {
    id: 'postal-install',
    title: `Postal ${env.deployment.postal.version} installed (/opt/postal: postal.yml with SMTP TLS, signing.key, ${database}, compose project "postal", Caddy for ${webHost} and ${mailHost})`,
    async observe() {
      const { values } = parseObservation(
        await runScript(env, 'observing Postal', observePostalScript(env.root, certificateObservation(mailHost))),
      );
      const pick = (prefix: string): Map<string, string> =>
        new Map([...values].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
      const files = new Map([...pick('file:')].map(([k, v]) => [k, v === 'present']));
      const observed: PostalObservation = {
        files,
        containers: pick('container:'),
        services: pick('service:'),
        initialized: files.get('config/postal-qa-initialized') === true,
        managed: pick('sha:'),
        certificates: {
          caddy: values.get('caddycert') === 'present',
          smtp: (values.get('smtpcert') ?? 'missing') as 'caddy' | 'other' | 'missing',
        },
      };
      if (files.get('config/postal.yml')) {
        const { text, changes } = postalYmlUpdates(await runScript(env, 'reading postal.yml', readPostalYmlScript(env.root)));
        observed.postalYml = { changes, updated: text };
      }
      if (options.probeStartTls && observed.services.get('smtp') === 'running') observed.startTls = await options.probeStartTls();
      return observed;
    },
    plan(o) {
      const changes: Change[] = [];
      for (const file of CONFIG_FILES) {
        if (o.files.get(file)) continue;
        const spec = render[file];
        changes.push(write({ path: file, ...spec }, false));
      }
      for (const file of managed) {
        const seen = o.managed?.get(file.path) ?? 'missing';
        if (seen !== sha(file.text())) changes.push(write(file, seen !== 'missing'));
      }
      const ymlChanges = o.postalYml?.changes ?? [];
      if (ymlChanges.length) {
        const updated = o.postalYml!.updated;
        changes.push({
          what: `update /opt/postal/config/postal.yml: ${ymlChanges.join('; ')}`,
          apply: () =>
            runScriptWithInput(
              env,
              'updating postal.yml',
              writeFileScript(env.root, 'config/postal.yml', '600', '999:999', { replace: true }),
              updated,
            ).then(() => undefined),
        });
      }
      if (!o.files.get('config/signing.key'))
        changes.push({
          what: 'make /opt/postal/config/signing.key (openssl genrsa 1024, on the server)',
          apply: () => runScript(env, 'making signing.key', signingKeyScript(env.root)).then(() => undefined),
        });
      if (!o.files.get(SMTP_CERT) || !o.files.get(SMTP_KEY)) {
        changes.push({
          what: `make /opt/postal/${SMTP_CERT} and smtp.key for ${mailHost} (self-signed, until Caddy's certificate replaces it)`,
          apply: () =>
            runScript(env, 'making the SMTP placeholder certificate', placeholderCertificateScript(prelude(env.root), mailHost)).then(
              () => undefined,
            ),
        });
      }
      if (o.containers.get(database) !== 'running')
        changes.push({
          what: `start MariaDB as container ${database} (127.0.0.1:3306)`,
          apply: () => runScript(env, 'starting MariaDB', mariadbScript(env.root, database)).then(() => undefined),
        });
      if (!o.initialized)
        changes.push({
          what: 'run postal initialize (create and load the database schema)',
          apply: () => runScript(env, 'postal initialize', initializeScript(env.root)).then(() => undefined),
        });
      const allRunning = services.every((s) => o.services.get(s) === 'running');
      if (!allRunning)
        changes.push({
          what: `start ${services.join(', ')} (docker compose -p postal up -d)`,
          apply: () => runScript(env, 'starting Postal', composeUpScript(env.root)).then(() => undefined),
        });
      else if (ymlChanges.length)
        changes.push({
          what: `restart ${services.join(', ')} to read the updated postal.yml`,
          apply: () => runScript(env, 'restarting Postal', composeRestartScript(env.root)).then(() => undefined),
        });
      const caddyRunning = o.containers.get('postal-caddy') === 'running';
      if (!caddyRunning)
        changes.push({
          what: `start Caddy for TLS on ${webHost} and ${mailHost}`,
          apply: () => runScript(env, 'starting Caddy', caddyScript(env.root)).then(() => undefined),
        });
      // Caddy started now may hold the certificate at once (or only after its ACME order): try it either way.
      if (!caddyRunning || (o.certificates?.caddy && o.certificates.smtp !== 'caddy')) {
        changes.push({
          what: `install Caddy's certificate for ${mailHost} as Postal's SMTP certificate (${SYNC_SCRIPT}, restarts smtp)`,
          apply: () => runScript(env, 'installing the SMTP certificate', syncScript(prelude(env.root))).then(() => undefined),
        });
      }
      return changes;
    },
    postcondition(o) {
      const problems: string[] = [];
      for (const file of [...CONFIG_FILES, 'config/signing.key', SMTP_CERT, SMTP_KEY])
        if (!o.files.get(file)) problems.push(`/opt/postal/${file} is missing`);
      for (const file of managed)
        if ((o.managed?.get(file.path) ?? 'missing') !== sha(file.text()))
          problems.push(
            `${file.path.startsWith('/') ? file.path : `/opt/postal/${file.path}`} is missing or not the one provisioning writes`,
          );
      for (const change of o.postalYml?.changes ?? []) problems.push(`postal.yml still needs ${change}`);
      if (o.containers.get(database) !== 'running') problems.push(`container ${database} is ${o.containers.get(database) ?? 'absent'}`);
      if (!o.initialized) problems.push('postal initialize has not completed');
      for (const service of services)
        if (o.services.get(service) !== 'running') problems.push(`service ${service} is ${o.services.get(service) ?? 'absent'}`);
      if (o.containers.get('postal-caddy') !== 'running')
        problems.push(`container postal-caddy is ${o.containers.get('postal-caddy') ?? 'absent'}`);
      if (o.startTls) problems.push(...startTlsProblems(o.startTls, mailHost));
      return problems;
    },
    notes(o) {
      if (!o.startTls?.tls?.ok) return [];
      if (o.certificates?.smtp === 'caddy')
        return [
          `SMTP STARTTLS with Caddy's certificate for ${mailHost}${o.startTls.tls.validTo ? ` (valid to ${o.startTls.tls.validTo.slice(0, 10)})` : ''}`,
        ];
      return [
        `SMTP STARTTLS works with a self-signed certificate for ${mailHost}: Caddy has none for it yet (it needs the A record ${mailHost} → this server and port 80 open); ` +
          `/etc/${CRON_FILE.slice(4)} installs Caddy's certificate once there is one, or run provisioning again`,
      ];
    },
  };
}

/** What a sending server would meet on port 25: STARTTLS in EHLO and a completed handshake. */
export function startTlsProblems(o: StartTlsObservation, mailHost: string): string[] {
  if (o.error) return [`STARTTLS could not be checked from outside on port 25: ${o.error}`];
  if (!o.offered)
    return [
      `EHLO on port 25 lists no STARTTLS: Postal's smtp_server.tls_enabled is off or smtp has not restarted since postal.yml changed`,
    ];
  if (!o.tls?.ok)
    return [
      `STARTTLS on port 25 (${o.reply ?? 'no reply'}) did not complete a TLS handshake: ${o.tls?.error ?? 'no handshake'} (is /opt/postal/${SMTP_CERT} a certificate and key for ${mailHost} that Postal's user can read?)`,
    ];
  return [];
}
