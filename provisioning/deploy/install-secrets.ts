/**
 * The secrets of an install, made once on the operator's machine and kept in the deliverables
 * (postal-credentials.env, postal-admin.txt, mode 600) before anything reaches the server, so a run
 * that stops half-way resumes with the same passwords. Never printed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/config-error.ts';
import { recordDeliverable } from '../deliverable-ownership.ts';

export interface InstallSecrets {
  mariadbRootPassword: string;
  railsSecretKey: string;
  adminEmail: string;
  adminPassword: string;
}

export const CREDENTIALS_FILE_NAME = 'postal-credentials.env';
export const ADMIN_FILE_NAME = 'postal-admin.txt';

const password = (bytes: number): string => randomBytes(bytes).toString('base64url');

export function writeSecretFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function readKeyValues(path: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*[=:]\s*(.+)$/.exec(line.trim());
    if (match && !line.startsWith('#')) values.set(match[1]!.trim(), match[2]!.trim());
  }
  return values;
}

/** The install's secrets from `out`, made (and written, mode 600) the first time. */
export function ensureInstallSecrets(out: string, adminEmail: string): { secrets: InstallSecrets; made: boolean } {
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const credentialsPath = join(out, CREDENTIALS_FILE_NAME);
  const adminPath = join(out, ADMIN_FILE_NAME);
  const haveCredentials = existsSync(credentialsPath);
  const haveAdmin = existsSync(adminPath);
  if (haveCredentials !== haveAdmin) {
    const missing = haveCredentials ? adminPath : credentialsPath;
    throw new ConfigError(
      `${missing}: missing while its pair is present; restore it from the machine that provisioned first (new passwords would not match the server)`,
    );
  }
  if (haveCredentials) {
    const credentials = readKeyValues(credentialsPath);
    const admin = readKeyValues(adminPath);
    const need = (map: Map<string, string>, key: string, file: string): string => {
      const value = map.get(key);
      if (!value) throw new ConfigError(`${file}: ${key} is missing; restore the file from the machine that provisioned first`);
      return value;
    };
    return {
      made: false,
      secrets: {
        mariadbRootPassword: need(credentials, 'MARIADB_ROOT_PASSWORD', credentialsPath),
        railsSecretKey: need(credentials, 'RAILS_SECRET_KEY', credentialsPath),
        adminEmail: need(admin, 'email', adminPath),
        adminPassword: need(admin, 'password', adminPath),
      },
    };
  }
  const secrets: InstallSecrets = {
    mariadbRootPassword: password(24),
    railsSecretKey: randomBytes(64).toString('hex'),
    adminEmail,
    adminPassword: password(18),
  };
  writeSecretFile(
    credentialsPath,
    `# Postal's database and Rails secrets for this install (SECRET: mode 600; never commit or paste).\n` +
      `# The same values are in /opt/postal/config/postal.yml and mariadb.env on the server.\n` +
      `MARIADB_ROOT_PASSWORD=${secrets.mariadbRootPassword}\nRAILS_SECRET_KEY=${secrets.railsSecretKey}\n`,
  );
  writeSecretFile(
    adminPath,
    `# Postal web UI admin (SECRET: mode 600). Log in at the web host's /login.\nemail: ${secrets.adminEmail}\npassword: ${secrets.adminPassword}\n`,
  );
  recordDeliverable(out, credentialsPath);
  recordDeliverable(out, adminPath);
  return { secrets, made: true };
}
