/**
 * What `npm run provision` needs, from flags or from an env file (`--env-file`, the file
 * `npm run world -- --live-env=<file>` writes, or one an operator keeps): flags win over the file.
 * Every mistake is one ConfigError line naming the flag or key and what to do.
 *
 * Keys of the env file provisioning reads (the world writes them with `provisioningEnvLines`):
 *   PROVISION_HOST         user@host[:port] of the server
 *   PROVISION_IDENTITY     private key file for SSH (optional: the agent and default keys otherwise)
 *   PROVISION_KNOWN_HOSTS  the pinned host key(s), known_hosts format (default ~/.ssh/known_hosts)
 *   PROVISION_ROOT         optional: a prefix for every absolute path on the server (the world's server
 *                          host keeps its /opt/postal in a folder of its own); empty on a real server
 *   POSTAL_API_URL         Postal's web/API base URL, for the internal test (default https://<webHost>)
 *   PROVISION_IMPORT_DKIM_KEY  optional: a PEM file; the domain gets this DKIM key instead of the one Postal made
 *                          (flag --import-dkim-key); the world names provisioning's key, which its DNS publishes
 */
import { parseEnvFile } from '../../core/env-file.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../core/config-error.ts';
import { readUserFile } from '../../core/read-user-file.ts';
import { parseHostSpec, type HostSpec } from './host-spec.ts';

export interface ProvisionSettings {
  target: HostSpec;
  identity?: string;
  knownHosts: string;
  root: string;
  apiUrl?: string;
  dryRun: boolean;
  /** --force: overwrite a file in `out` that provisioning did not write (refused otherwise) */
  force: boolean;
  deployment: string;
  out: string;
  importDkimKey?: string;
}

export const PROVISION_ENV_KEYS = ['PROVISION_HOST', 'PROVISION_IDENTITY', 'PROVISION_KNOWN_HOSTS', 'PROVISION_ROOT', 'PROVISION_IMPORT_DKIM_KEY', 'POSTAL_API_URL'] as const;

export const PROVISION_USAGE =
  'npm run provision -- --host=<user@host[:port]> [--identity=<key file>] [--known-hosts=<file>] [--dry-run] [--env-file=<file>] [--deployment=<file>] [--out=<dir>] [--import-dkim-key=<pem>] [--submission] [--force]';


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
        identity: { type: 'string' },
        'known-hosts': { type: 'string' },
        'env-file': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'import-dkim-key': { type: 'string' },
        deployment: { type: 'string', default: 'fixtures/deployment.json' },
        out: { type: 'string', default: 'artifacts' },
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
    const isPath = key !== 'PROVISION_HOST' && key !== 'POSTAL_API_URL' && key !== 'PROVISION_ROOT';
    return { value: isPath && envFile && !isAbsolute(value) ? resolve(dirname(envFile), value) : value, namedBy: `${key} (${envFile})` };
  };
  const pick = (flag: string, key: string): { value?: string; namedBy: string } => {
    const flagValue = values[flag] as string | undefined;
    return flagValue !== undefined ? { value: flagValue, namedBy: `--${flag}` } : fromFile(key);
  };

  const host = pick('host', 'PROVISION_HOST');
  if (!host.value) throw new ConfigError(`--host: the server is missing; pass --host=<user@host[:port]> or --env-file=<file> with PROVISION_HOST. Usage: ${PROVISION_USAGE}`);
  const target = parseHostSpec(host.value, host.namedBy);

  const identity = pick('identity', 'PROVISION_IDENTITY');
  const knownHosts = pick('known-hosts', 'PROVISION_KNOWN_HOSTS');
  const knownHostsPath = knownHosts.value ?? join(env.HOME ?? homedir(), '.ssh', 'known_hosts');
  if (!existsSync(knownHostsPath)) {
    throw new ConfigError(
      `${knownHosts.value ? knownHosts.namedBy : 'PROVISION_KNOWN_HOSTS'}=${knownHostsPath}: no pinned host key; the server's host key must be pinned before provisioning ` +
        `(compare its fingerprint out of band, then: ssh-keyscan -p ${target.port} ${target.host} > known_hosts and pass --known-hosts=known_hosts)`,
    );
  }
  const apiUrl = fromFile('POSTAL_API_URL');
  if (apiUrl.value && !/^https?:\/\/[^\s/]+/.test(apiUrl.value)) throw new ConfigError(`${apiUrl.namedBy}: expected an http(s) URL, found "${apiUrl.value}"`);
  const root = fromFile('PROVISION_ROOT').value ?? '';
  const importDkim = pick('import-dkim-key', 'PROVISION_IMPORT_DKIM_KEY');
  if (root && !isAbsolute(root)) throw new ConfigError(`PROVISION_ROOT: expected an absolute path (or nothing on a real server), found "${root}"`);

  return {
    target,
    ...(identity.value ? { identity: keyFile(identity.value, identity.namedBy, 'an SSH private key file') } : {}),
    knownHosts: keyFile(knownHostsPath, knownHosts.namedBy, 'a known_hosts file'),
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
