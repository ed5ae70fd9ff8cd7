/**
 * Steps 1 and 2 of phase 1: the server prepared (Docker Engine, the compose plugin, the firewall open
 * on exactly the ports the deployment needs) and Postal installed the official way.
 */
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { RemoteSession } from '../remote/ssh-session.ts';
import type { InstallSecrets } from './install-secrets.ts';
import { renderCaddyfile, renderComposeFile, renderMariadbEnv, renderPostalYml } from './postal-files.ts';
import {
  caddyScript,
  composeUpScript,
  firewallScript,
  initializeScript,
  installDockerScript,
  mariadbScript,
  observePostalScript,
  observeServerScript,
  parseObservation,
  parseUfwStatus,
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
  if (result.code !== 0) throw new Error(`${action} failed on ${env.session.describe} (exit ${result.code}): ${lastLine(result.stderr || result.stdout)}`);
  return result.stdout;
}

/**
 * Runs a script that reads data on stdin (a file's text, the accounts plan). The script holds no
 * secret, so it goes on the command line (`bash -c '…'`); the data, which may, goes on stdin.
 */
export async function runScriptWithInput(env: StepEnv, action: string, script: string, input: string): Promise<string> {
  const result = await env.session.run(`bash -c ${shellQuote(script)}`, { stdin: input });
  if (result.code !== 0) throw new Error(`${action} failed on ${env.session.describe} (exit ${result.code}): ${lastLine(result.stderr || result.stdout)}`);
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
      return { docker: values.get('docker') ?? 'missing', compose: values.get('compose') ?? 'missing', ufwPresent: values.get('ufw') === 'present', firewall: parseUfwStatus(ufw) };
    },
    plan(o) {
      const changes: Change[] = [];
      if (o.docker === 'missing' || o.compose === 'missing' || !o.ufwPresent) {
        changes.push({ what: "install Docker Engine, the compose plugin and ufw (Docker's apt repository, as postalserver/install does)", apply: () => runScript(env, 'installing Docker', installDockerScript(env.root)).then(() => undefined) });
      }
      const allow = wanted.filter((p) => !o.firewall.ports.includes(p));
      const remove = o.firewall.ports.filter((p) => !wanted.includes(p));
      if (allow.length || remove.length || !o.firewall.active) {
        const words = [allow.length ? `allow ${allow.join(', ')}` : '', remove.length ? `close ${remove.join(', ')}` : '', o.firewall.active ? '' : 'enable'].filter(Boolean).join(', ');
        changes.push({ what: `configure the firewall: ${words}`, apply: () => runScript(env, 'configuring the firewall', firewallScript(env.root, allow, remove)).then(() => undefined) });
      }
      return changes;
    },
    postcondition(o) {
      const problems: string[] = [];
      if (o.docker === 'missing') problems.push('docker does not answer (docker version)');
      if (o.compose === 'missing') problems.push('the compose plugin does not answer (docker compose version)');
      if (!o.firewall.active) problems.push('ufw is not active');
      if (o.firewall.ports.join(',') !== wanted.join(',')) problems.push(`the firewall allows ${o.firewall.ports.join(', ') || 'nothing'}; expected exactly ${wanted.join(', ')}`);
      return problems;
    },
  };
}

export interface PostalObservation {
  files: Map<string, boolean>;
  containers: Map<string, string>;
  services: Map<string, string>;
  initialized: boolean;
}

const CONFIG_FILES = ['config/postal.yml', 'config/mariadb.env', 'config/Caddyfile', 'install/docker-compose.yml'] as const;

export function postalInstallStep(env: StepEnv, secrets: () => InstallSecrets): Step<PostalObservation> {
  const database = env.deployment.postal.containers[0] ?? 'postal-mariadb';
  const services = env.deployment.postal.services;
  const render: Record<(typeof CONFIG_FILES)[number], { text: () => string; mode: string; owner?: string }> = {
    // Postal's containers run as uid 999 (user postal) and must read postal.yml; nobody else may.
    'config/postal.yml': { text: () => renderPostalYml(env.deployment, secrets()), mode: '600', owner: '999:999' },
    'config/mariadb.env': { text: () => renderMariadbEnv(secrets()), mode: '600' },
    'config/Caddyfile': { text: () => renderCaddyfile(env.deployment), mode: '644' },
    'install/docker-compose.yml': { text: () => renderComposeFile(env.deployment), mode: '644' },
  };
  return {
    id: 'postal-install',
    title: `Postal ${env.deployment.postal.version} installed (/opt/postal: postal.yml, signing.key, ${database}, compose project "postal", Caddy)`,
    async observe() {
      const { values } = parseObservation(await runScript(env, 'observing Postal', observePostalScript(env.root)));
      const pick = (prefix: string): Map<string, string> => new Map([...values].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
      const files = new Map([...pick('file:')].map(([k, v]) => [k, v === 'present']));
      return { files, containers: pick('container:'), services: pick('service:'), initialized: files.get('config/postal-qa-initialized') === true };
    },
    plan(o) {
      const changes: Change[] = [];
      for (const file of CONFIG_FILES) {
        if (o.files.get(file)) continue;
        const spec = render[file];
        changes.push({ what: `write /opt/postal/${file} (mode ${spec.mode})`, apply: () => runScriptWithInput(env, `writing ${file}`, writeFileScript(env.root, file, spec.mode, spec.owner), spec.text()).then(() => undefined) });
      }
      if (!o.files.get('config/signing.key')) changes.push({ what: 'make /opt/postal/config/signing.key (openssl genrsa 1024, on the server)', apply: () => runScript(env, 'making signing.key', signingKeyScript(env.root)).then(() => undefined) });
      if (o.containers.get(database) !== 'running') changes.push({ what: `start MariaDB as container ${database} (127.0.0.1:3306)`, apply: () => runScript(env, 'starting MariaDB', mariadbScript(env.root, database)).then(() => undefined) });
      if (!o.initialized) changes.push({ what: 'run postal initialize (create and load the database schema)', apply: () => runScript(env, 'postal initialize', initializeScript(env.root)).then(() => undefined) });
      if (services.some((s) => o.services.get(s) !== 'running')) changes.push({ what: `start ${services.join(', ')} (docker compose -p postal up -d)`, apply: () => runScript(env, 'starting Postal', composeUpScript(env.root)).then(() => undefined) });
      if (o.containers.get('postal-caddy') !== 'running') changes.push({ what: `start Caddy for TLS on ${env.deployment.server.webHost}`, apply: () => runScript(env, 'starting Caddy', caddyScript(env.root)).then(() => undefined) });
      return changes;
    },
    postcondition(o) {
      const problems: string[] = [];
      for (const file of [...CONFIG_FILES, 'config/signing.key']) if (!o.files.get(file)) problems.push(`/opt/postal/${file} is missing`);
      if (o.containers.get(database) !== 'running') problems.push(`container ${database} is ${o.containers.get(database) ?? 'absent'}`);
      if (!o.initialized) problems.push('postal initialize has not completed');
      for (const service of services) if (o.services.get(service) !== 'running') problems.push(`service ${service} is ${o.services.get(service) ?? 'absent'}`);
      if (o.containers.get('postal-caddy') !== 'running') problems.push(`container postal-caddy is ${o.containers.get('postal-caddy') ?? 'absent'}`);
      return problems;
    },
  };
}
