/**
 * Keys of the world's server host, made per world with Debian's ssh-keygen: the host key sshd
 * presents, and the operator's client key provisioning logs in with. The known_hosts line pins the
 * host key for `[address]:port`, so provisioning is tested with pinning on, as it runs for real.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerHostKeys {
  hostKey: string;
  hostPublicKey: string;
  clientKey: string;
  clientPublicKey: string;
}

function keygen(path: string, comment: string): void {
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { encoding: 'utf8', timeout: 30_000 });
  if (made.status !== 0) throw new Error(`ssh-keygen could not make ${path}: ${made.stderr.trim() || made.error?.message}`);
}

export function makeServerHostKeys(dir: string): ServerHostKeys {
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientKey = join(dir, 'operator_ed25519');
  keygen(hostKey, 'postal-qa world server host');
  keygen(clientKey, 'postal-qa operator');
  return {
    hostKey,
    hostPublicKey: readFileSync(`${hostKey}.pub`, 'utf8').trim(),
    clientKey,
    clientPublicKey: readFileSync(`${clientKey}.pub`, 'utf8').trim(),
  };
}

/** One known_hosts line: `[address]:port <type> <key>` (the bracket form is what ssh looks up for a port other than 22). */
export function knownHostsLine(address: string, port: number, hostPublicKey: string): string {
  const [type, key] = hostPublicKey.split(/\s+/);
  return `${port === 22 ? address : `[${address}]:${port}`} ${type} ${key}`;
}
