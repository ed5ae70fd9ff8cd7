/**
 * Debian's Dovecot serving a world mailbox provider's seed mailboxes over IMAP (STARTTLS on 143),
 * so the harness reads them with imapflow exactly as it reads Gmail in live mode.
 * Each instance gets a private config and runtime folder; stop() kills it and removes that folder.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { reaperWatch } from '../process/reaper.ts';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startDaemon, waitUntilReady } from '../spam/daemon-process.ts';
import { renderDovecotConfig, renderPasswdFile } from './dovecot-config.ts';
import { ensureMaildirFolder, type MaildirOwner } from './maildir.ts';
import { lookupSystemUser, type SystemUser } from './system-user.ts';

export interface StartDovecotOptions {
  /** instance name, e.g. "gmail" (letters, digits, dashes) */
  name: string;
  address: string;
  port?: number;
  /** holds `<user>/Maildir/`; created if missing and handed to the mail user */
  maildirRoot: string;
  users: Array<{ user: string; password: string }>;
  tls: { certPem: string; keyPem: string };
  /** readiness deadline */
  timeoutMs?: number;
  onLog?: (line: string) => void;
  /** the dovecot binary; default `dovecot` from PATH */
  command?: string;
}

export interface DovecotEndpoint {
  address: string;
  port: number;
}

export interface Dovecot {
  endpoint: DovecotEndpoint;
  /** uid/gid that must own anything dropped into the Maildirs */
  mailOwner: MaildirOwner;
  /** `<maildirRoot>/<user>/Maildir` */
  maildirOf(user: string): string;
  pid: number;
  /** kills Dovecot and its children and removes its runtime folder; idempotent */
  stop(): Promise<void>;
}

/** The Debian accounts Dovecot's processes run as; `mail` owns the Maildirs. */
const MAIL_USER = 'mail';
const LOGIN_USER = 'dovenull';
const INTERNAL_USER = 'dovecot';

export async function startDovecot(options: StartDovecotOptions): Promise<Dovecot> {
  if (!/^[A-Za-z0-9-]+$/.test(options.name)) throw new Error(`Dovecot instance name "${options.name}" must be letters, digits and dashes`);
  if (process.getuid?.() !== 0) {
    throw new Error('startDovecot needs root: Dovecot switches to the mail, dovenull and dovecot users (and port 143 is privileged)');
  }
  const port = options.port ?? 143;
  const endpoint = { address: options.address, port };
  const what = `dovecot ${options.name} ${options.address}:${port}`;
  const mailUser: SystemUser = lookupSystemUser(MAIL_USER);
  const internal = lookupSystemUser(INTERNAL_USER);
  lookupSystemUser(LOGIN_USER);
  const mailOwner = { uid: mailUser.uid, gid: mailUser.gid };
  assertTraversable(options.maildirRoot, mailUser);

  const privateDir = mkdtempSync(join(tmpdir(), `postal-qa-dovecot-${options.name}-`));
  // Dovecot's unprivileged processes connect to sockets in base_dir, so it must be traversable.
  chmodSync(privateDir, 0o755);
  const baseDir = join(privateDir, 'run');
  const stateDir = join(privateDir, 'state');
  mkdirSync(baseDir, { mode: 0o755 });
  mkdirSync(stateDir, { mode: 0o750 });
  const passwdFile = join(privateDir, 'passwd');
  const certFile = join(privateDir, 'cert.pem');
  const keyFile = join(privateDir, 'key.pem');
  const configFile = join(privateDir, 'dovecot.conf');

  reaperWatch.folder(privateDir);
  const removePrivateDir = (): void => {
    rmSync(privateDir, { recursive: true, force: true });
    reaperWatch.folderGone(privateDir);
  };
  try {
    // The auth process runs as the dovecot user and reads the passwd-file; nobody else may.
    writeFileSync(passwdFile, renderPasswdFile(options.users), { mode: 0o640 });
    chownSync(passwdFile, 0, internal.gid);
    writeFileSync(certFile, options.tls.certPem, { mode: 0o644 });
    writeFileSync(keyFile, options.tls.keyPem, { mode: 0o600 });

    mkdirSync(options.maildirRoot, { recursive: true });
    chownSync(options.maildirRoot, mailOwner.uid, mailOwner.gid);
    chmodSync(options.maildirRoot, 0o700);
    for (const { user } of options.users) {
      const home = join(options.maildirRoot, user);
      mkdirSync(home, { recursive: true, mode: 0o700 });
      chownSync(home, mailOwner.uid, mailOwner.gid);
      ensureMaildirFolder(join(home, 'Maildir'), 'Junk', mailOwner);
    }

    writeFileSync(
      configFile,
      renderDovecotConfig({
        instanceName: `postal-qa-${options.name}`,
        address: options.address,
        port,
        baseDir,
        stateDir,
        passwdFile,
        certFile,
        keyFile,
        maildirRoot: options.maildirRoot,
        mailUser,
        loginUser: LOGIN_USER,
        internalUser: INTERNAL_USER,
      }),
    );
  } catch (error) {
    removePrivateDir();
    throw error;
  }

  const daemon = startDaemon({
    name: what,
    command: options.command ?? 'dovecot',
    args: ['-F', '-c', configFile],
    onLine: options.onLog,
    cleanupOnExit: removePrivateDir,
  });
  const stop = async (): Promise<void> => {
    await daemon.stop();
    removePrivateDir();
  };

  try {
    await waitUntilReady(daemon, () => imapGreets(endpoint, 500), { timeoutMs: options.timeoutMs ?? 15_000, what });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    endpoint,
    mailOwner,
    maildirOf: (user) => join(options.maildirRoot, user, 'Maildir'),
    pid: daemon.pid,
    stop,
  };
}

/**
 * Dovecot's mail processes run as the mail user and must reach the Maildirs: every existing folder
 * above maildirRoot needs search (x) permission for it. mkdtemp's 0700 is the usual culprit; we
 * report it rather than loosen permissions on folders we do not own.
 */
export function assertTraversable(path: string, user: SystemUser): void {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      const { mode, uid, gid } = statSync(dir);
      const ok = uid === user.uid ? (mode & 0o100) !== 0 : gid === user.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
      if (!ok) {
        throw new Error(
          `Dovecot's mail user ${user.name} (uid ${user.uid}) cannot reach ${path}: ${dir} is mode ${(mode & 0o777).toString(8)} ` +
            `owned by ${uid}:${gid}. Put the Maildirs under a folder others may traverse (chmod o+x ${dir}).`,
        );
      }
    }
    if (dir === dirname(dir)) return;
  }
}

/** true when the port answers with an IMAP `* OK` greeting */
export function imapGreets({ address, port }: DovecotEndpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let received = '';
    const socket = createConnection({ host: address, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n')) done(/^\* OK/.test(received));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
