/**
 * The world's server host: a real sshd (Debian's openssh-server) on the Postal stand-in's address and
 * a port of its own, with a host key and an operator key made per world. Logins run real bash; the
 * programs a fresh Ubuntu server would get from Docker and apt (docker + compose, ufw, apt-get, curl)
 * are the stand-ins in server-tools.mjs, which act on the Postal stand-in through its ops API.
 * Everything lives in one folder of the world's, removed on stop; sshd runs in its own process group,
 * registered with the reaper, so nothing is left running after any signal.
 *
 * The system sshd is never involved: this one reads only its own config (-f), listens only on its
 * address and port, and the Debian package was installed with /etc/ssh/sshd_not_to_be_run so it does
 * not start one on :22 of every address (world/system-packages.ts).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, waitUntilReady, type Daemon } from '../spam/daemon-process.ts';
import { reaperWatch } from '../process/reaper.ts';
import { renderSshdConfig } from './sshd-config.ts';
import { knownHostsLine, makeServerHostKeys } from './ssh-keys.ts';

export const SSHD_PROGRAM = '/usr/sbin/sshd';
export const DEFAULT_SERVER_HOST_SSH_PORT = 2222;
const TOOLS = fileURLToPath(new URL('./server-tools.mjs', import.meta.url));
const STOOD_IN = ['docker', 'ufw', 'apt-get', 'curl'] as const;

export interface ServerHost {
  address: string;
  port: number;
  user: string;
  /** the operator's private key (mode 600) */
  identity: string;
  /** known_hosts pinning this host's key for [address]:port */
  knownHosts: string;
  /** PROVISION_ROOT: the server's "/" for provisioning's scripts */
  root: string;
  /** the login shell: `<shell> '<command>'` runs a command as an SSH login does (the exec transport's PROVISION_EXEC) */
  shell: string;
  stop(): Promise<void>;
}

export interface StartServerHostOptions {
  address: string;
  port?: number;
  /** the Postal stand-in's ops API, which the stood-in docker acts on */
  opsUrl: string;
  onLine?: (line: string) => void;
}

function banner(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 2_000 });
    socket.setEncoding('utf8');
    socket.once('data', (data: string) => {
      socket.destroy();
      resolve(data.startsWith('SSH-2.0-'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startServerHost(options: StartServerHostOptions): Promise<ServerHost> {
  const port = options.port ?? DEFAULT_SERVER_HOST_SSH_PORT;
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-server-host-'));
  chmodSync(dir, 0o700);
  reaperWatch.folder(dir);
  const removeDir = (): void => {
    rmSync(dir, { recursive: true, force: true });
    reaperWatch.folderGone(dir);
  };
  let daemon: Daemon | undefined;
  try {
    const keys = makeServerHostKeys(dir);
    const authorizedKeys = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, `${keys.clientPublicKey}\n`, { mode: 0o600 });
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${knownHostsLine(options.address, port, keys.hostPublicKey)}\n`, { mode: 0o644 });
    const root = join(dir, 'root');
    for (const folder of ['etc/apt/keyrings', 'etc/apt/sources.list.d', 'opt/postal']) mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, 'etc/os-release'), 'NAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nID=ubuntu\n');

    // The stood-in programs, first on PATH for every login.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const program of STOOD_IN) {
      writeFileSync(join(bin, program), `#!/bin/sh\nexec '${process.execPath}' '${TOOLS}' ${program} "$@"\n`, { mode: 0o755 });
    }
    const shell = join(dir, 'server-shell');
    writeFileSync(
      shell,
      `#!/bin/sh\n# sshd's ForceCommand (the login's command in SSH_ORIGINAL_COMMAND), or the exec transport's shell (the command\n` +
        `# as its argument: PROVISION_EXEC): run by bash with the server host's programs first on PATH.\n` +
        `export PATH='${bin}':/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin POSTAL_QA_OPS_URL='${options.opsUrl}'\n` +
        `if [ $# -eq 0 ]; then exec /bin/bash -c "$SSH_ORIGINAL_COMMAND"; fi\n` +
        `exec /bin/bash -c "$1"\n`,
      { mode: 0o755 },
    );
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      renderSshdConfig({
        address: options.address,
        port,
        hostKey: keys.hostKey,
        authorizedKeys,
        pidFile: join(dir, 'sshd.pid'),
        forceCommand: shell,
      }),
    );
    // sshd's privilege-separation folder; Debian's service unit makes it, and we start sshd without the unit.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    daemon = startDaemon({
      name: `sshd ${options.address}:${port}`,
      command: SSHD_PROGRAM,
      args: ['-D', '-e', '-f', config],
      onLine: options.onLine,
      cleanupOnExit: removeDir,
    });
    await waitUntilReady(daemon, () => banner(options.address, port), { timeoutMs: 15_000, what: `sshd on ${options.address}:${port}` });
    const started = daemon;
    let stopping: Promise<void> | undefined;
    return {
      address: options.address,
      port,
      user: 'root',
      identity: keys.clientKey,
      knownHosts,
      root,
      shell,
      stop: () => (stopping ??= started.stop().finally(removeDir)),
    };
  } catch (error) {
    await daemon?.stop();
    removeDir();
    throw error;
  }
}

/**
 * The provisioning settings the world writes into its env file (keys provisioning reads:
 * provisioning/remote/provision-settings.ts). `importDkimKey`: the DKIM key the world's DNS publishes
 * (provisioning's), which the empty Postal must be given; `apiUrl`: Postal's API for the internal test.
 */
export function provisioningEnvLines(
  host: Pick<ServerHost, 'address' | 'port' | 'user' | 'identity' | 'knownHosts' | 'root'>,
  extra: { importDkimKey?: string; apiUrl?: string; dnsResolver?: string } = {},
): string[] {
  return [
    "# npm run provision -- --env-file=<this file>: the world's server host (a real sshd; host key pinned below)",
    `PROVISION_HOST=${host.user}@${host.address}:${host.port}`,
    `PROVISION_IDENTITY=${host.identity}`,
    `PROVISION_KNOWN_HOSTS=${host.knownHosts}`,
    `PROVISION_ROOT=${host.root}`,
    ...(extra.importDkimKey ? [`PROVISION_IMPORT_DKIM_KEY=${extra.importDkimKey}`] : []),
    ...(extra.apiUrl ? [`POSTAL_API_URL=${extra.apiUrl}`] : []),
    ...(extra.dnsResolver ? [`PROVISION_DNS_RESOLVER=${extra.dnsResolver}`] : []),
  ];
}
