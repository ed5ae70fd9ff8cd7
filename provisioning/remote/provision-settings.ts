/**
 * What `npm run provision` needs, from flags or from an env file (`--env-file`, the file
 * `npm run world -- --live-env=<file>` writes, or one an operator keeps): flags win over the file.
 * Every mistake is one ConfigError line naming the flag or key and what to do.
 *
 * Keys of the env file provisioning reads (the world writes them with `provisioningEnvLines`):
 *   PROVISION_HOST         user@host[:port] of the server
 *   PROVISION_EXEC         optional: an exec transport in place of SSH — a command that runs its last argument as a
 *                          shell command on the server (e.g. `docker exec -i postal-server /bin/bash -c`; flag --exec);
 *                          PROVISION_HOST then names where the server is reached from outside (STARTTLS is checked
 *                          there) and no host key is pinned
 *   PROVISION_IDENTITY     private key file for SSH (optional: the agent and default keys otherwise)
 *   PROVISION_KNOWN_HOSTS  the pinned host key(s), known_hosts format (default ~/.ssh/known_hosts)
 *   PROVISION_ROOT         optional: a prefix for every absolute path on the server (the world's server
 *                          host keeps its /opt/postal in a folder of its own); empty on a real server
 *   POSTAL_API_URL         Postal's web/API base URL, for the internal test (default https://<webHost>)
 *   PROVISION_IMPORT_DKIM_KEY  optional: a PEM file; the domain gets this DKIM key instead of the one Postal made
 *                          (flag --import-dkim-key); the selector stays Postal's
 *   PROVISION_DNS_RESOLVER optional: the DNS server (address[:port]) phase 2 asks whether Postal's records are
 *                          published (default: the system's resolver); the world names its own
 */
import { parseEnvFile } from '../../core/env-file.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../core/config-error.ts';
import { readUserFile } from '../../core/read-user-file.ts';
import { parseHostSpec, type HostSpec } from './host-spec.ts';
import { splitCommand } from './exec-session.ts';

export interface ProvisionSettings {
  target: HostSpec;
  /** the exec transport's command prefix (exec-session.ts), when the server is reached without SSH */
  exec?: string[];
  identity?: string;
  /** the pinned host keys for SSH ('' with the exec transport, which pins none) */
  knownHosts: string;
  root: string;
  apiUrl?: string;
  dryRun: boolean;
  /** --force: overwrite a file in `out` that provisioning did not write (refused otherwise) */
  force: boolean;
  deployment: string;
  out: string;
  importDkimKey?: string;
  /** 1: install and provision (default); 2: wait for Postal's records in DNS, then run Postal's DNS check */
  phase: 1 | 2;
  /** phase 2: how long to wait for the records (default 48 h, the plan's propagation time) */
  waitMs: number;
  /** phase 2: where DNS is asked ("address[:port]"), or "system" */
  dnsResolver: string;
}

export const PROVISION_ENV_KEYS = [
  'PROVISION_HOST',
  'PROVISION_EXEC',
  'PROVISION_IDENTITY',
  'PROVISION_KNOWN_HOSTS',
  'PROVISION_ROOT',
  'PROVISION_IMPORT_DKIM_KEY',
  'PROVISION_DNS_RESOLVER',
  'POSTAL_API_URL',
] as const;

export const PROVISION_USAGE =
  'npm run provision -- --host=<user@host[:port]> [--identity=<key file>] [--known-hosts=<file>] [--exec=<command>] [--dry-run] [--env-file=<file>] [--deployment=<file>] [--out=<dir>] [--import-dkim-key=<pem>] [--submission] [--force] [--phase=2 [--wait=48h]]';

/** "90s", "30m", "2h", "1d" → milliseconds. */
export function parseWait(text: string, namedBy: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new ConfigError(`${namedBy}: expected a duration like 90s, 30m, 2h or 1d, found "${text}"`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

function keyFile(path: string, namedBy: string, what: string): string {
  if (!existsSync(path)) throw new ConfigError(`${namedBy}=${path}: ${what} not found`);
  if (!statSync(path).isFile()) throw new ConfigError(`${namedBy}=${path}: is not a file; expected ${what}`);
  return path;
}

export function loadProvisionSettings(argv: string[], env: NodeJS.ProcessEnv = process.env): ProvisionSettings {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        exec: { type: 'string' },
        identity: { type: 'string' },
        'known-hosts': { type: 'string' },
        'env-file': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'import-dkim-key': { type: 'string' },
        deployment: { type: 'string', default: 'fixtures/deployment.json' },
        out: { type: 'string', default: 'artifacts' },
        phase: { type: 'string', default: '1' },
        wait: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Usage: ${PROVISION_USAGE}`);
  }
  const envFile = values['env-file'] as string | undefined;
  const file = envFile ? parseEnvFile(readUserFile({ path: envFile, namedBy: '--env-file', what: 'env file' }), envFile) : {};
  // Paths in the env file are relative to the file, as a reader of the file would expect.
  const fromFile = (key: string): { value?: string; namedBy: string } => {
    const value = file[key];
    if (value === undefined || value === '') return { namedBy: key };
    const isPath =
      key !== 'PROVISION_HOST' &&
      key !== 'PROVISION_EXEC' &&
      key !== 'POSTAL_API_URL' &&
      key !== 'PROVISION_ROOT' &&
      key !== 'PROVISION_DNS_RESOLVER';
    return { value: isPath && envFile && !isAbsolute(value) ? resolve(dirname(envFile), value) : value, namedBy: `${key} (${envFile})` };
  };
  const pick = (flag: string, key: string): { value?: string; namedBy: string } => {
    const flagValue = values[flag] as string | undefined;
    return flagValue !== undefined ? { value: flagValue, namedBy: `--${flag}` } : fromFile(key);
  };

  const host = pick('host', 'PROVISION_HOST');
  if (!host.value)
    throw new ConfigError(
      `--host: the server is missing; pass --host=<user@host[:port]> or --env-file=<file> with PROVISION_HOST. Usage: ${PROVISION_USAGE}`,
    );
  const target = parseHostSpec(host.value, host.namedBy);

  const execText = pick('exec', 'PROVISION_EXEC');
  const exec = execText.value === undefined ? undefined : splitCommand(execText.value, execText.namedBy);
  const identity = pick('identity', 'PROVISION_IDENTITY');
  const knownHosts = pick('known-hosts', 'PROVISION_KNOWN_HOSTS');
  if (exec && (identity.value !== undefined || knownHosts.value !== undefined)) {
    throw new ConfigError(
      `${execText.namedBy}: the exec transport takes no SSH key or known_hosts (${identity.value !== undefined ? identity.namedBy : knownHosts.namedBy}); give one transport`,
    );
  }
  const knownHostsPath = knownHosts.value ?? join(env.HOME ?? homedir(), '.ssh', 'known_hosts');
  if (!exec && !existsSync(knownHostsPath)) {
    throw new ConfigError(
      `${knownHosts.value ? knownHosts.namedBy : 'PROVISION_KNOWN_HOSTS'}=${knownHostsPath}: no pinned host key; the server's host key must be pinned before provisioning ` +
        `(compare its fingerprint out of band, then: ssh-keyscan -p ${target.port} ${target.host} > known_hosts and pass --known-hosts=known_hosts)`,
    );
  }
  const apiUrl = fromFile('POSTAL_API_URL');
  if (apiUrl.value && !/^https?:\/\/[^\s/]+/.test(apiUrl.value))
    throw new ConfigError(`${apiUrl.namedBy}: expected an http(s) URL, found "${apiUrl.value}"`);
  const root = fromFile('PROVISION_ROOT').value ?? '';
  const importDkim = pick('import-dkim-key', 'PROVISION_IMPORT_DKIM_KEY');
  if (root && !isAbsolute(root))
    throw new ConfigError(`PROVISION_ROOT: expected an absolute path (or nothing on a real server), found "${root}"`);

  const phase = values.phase as string;
  if (phase !== '1' && phase !== '2')
    throw new ConfigError(`--phase: expected 1 (install and provision) or 2 (wait for DNS, then Postal's DNS check), found "${phase}"`);
  if (values.wait !== undefined && phase !== '2') throw new ConfigError('--wait: only phase 2 waits (for the DNS records); add --phase=2');
  if (phase === '2' && values['dry-run'] === true)
    throw new ConfigError("--dry-run: phase 2 creates nothing (it waits for DNS, then runs Postal's DNS check); run it without --dry-run");
  if (phase === '2' && values['import-dkim-key'] !== undefined)
    throw new ConfigError('--import-dkim-key: a key is imported in phase 1; run --phase=2 without it');
  const waitMs = values.wait === undefined ? 48 * 3_600_000 : parseWait(values.wait as string, '--wait');
  const resolver = fromFile('PROVISION_DNS_RESOLVER');
  if (resolver.value && !/^(\d{1,3}\.){3}\d{1,3}(:\d{1,5})?$/.test(resolver.value))
    throw new ConfigError(`${resolver.namedBy}: expected an IPv4 address with an optional :port, found "${resolver.value}"`);

  return {
    target,
    phase: phase === '2' ? 2 : 1,
    waitMs,
    dnsResolver: resolver.value ?? 'system',
    ...(exec ? { exec } : {}),
    ...(identity.value ? { identity: keyFile(identity.value, identity.namedBy, 'an SSH private key file') } : {}),
    knownHosts: exec ? '' : keyFile(knownHostsPath, knownHosts.namedBy, 'a known_hosts file'),
    root,
    ...(apiUrl.value ? { apiUrl: apiUrl.value.replace(/\/+$/, '') } : {}),
    ...(importDkim.value ? { importDkimKey: keyFile(importDkim.value, importDkim.namedBy, 'a DKIM private key (PEM) file') } : {}),
    dryRun: values['dry-run'] === true,
    force: values.force === true,
    deployment: values.deployment as string,
    out: values.out as string,
  };
}

/** Read the env file's text (for tests and the world). */
export const readEnvFile = (path: string): Record<string, string> => parseEnvFile(readFileSync(path, 'utf8'), path);
