/**
 * The world's sshd_config: one address and port of its own (never :22 of every address, where a
 * system sshd would listen), keys only, root only, and every session forced through the server
 * shell, which puts the server host's stand-in tools (docker, ufw, apt-get, curl) first on PATH.
 */
export interface SshdConfigOptions {
  address: string;
  port: number;
  hostKey: string;
  authorizedKeys: string;
  pidFile: string;
  forceCommand: string;
}

export function renderSshdConfig(o: SshdConfigOptions): string {
  return [
    `ListenAddress ${o.address}:${o.port}`,
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'AllowUsers root',
    'UsePAM no',
    // the world's folders live under /tmp, whose modes StrictModes would refuse
    'StrictModes no',
    'PermitUserEnvironment no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    `ForceCommand ${o.forceCommand}`,
    'LogLevel ERROR',
    '',
  ].join('\n');
}
