/**
 * The Debian packages the project needs, derived from what the world and the tests actually start:
 * one table of the programs (and the one data file) they use, each with the Debian package that
 * ships it. The install list is the table's packages — nothing is listed by hand twice — and
 * `system-packages.test.ts` checks with `dpkg -S` that each program belongs to the package named here
 * (Debian 12 ships spamd in a package of its own, `spamd`: a hand-made list once missed it).
 * `scripts/debian-packages.ts` prints the list for `.ci/run`.
 *
 * `ensureSystemPackages` installs what is missing when it may (root with apt-get), so the quick start
 * stays two commands on a fresh machine; otherwise it says in one line what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

export interface SystemProgram {
  /** the name looked up on PATH, or an absolute path for what is not on PATH (a helper, a data file) */
  program: string;
  /** the Debian package that ships it (Debian 12, bookworm) */
  package: string;
  /** who starts or reads it, and why */
  usedBy: string;
}

export const SYSTEM_PROGRAMS: readonly SystemProgram[] = [
  { program: 'spamd', package: 'spamd', usedBy: "world/spam/spamd.ts: the world's SpamAssassin daemon, which scores mail (FN-05) and Postal's inbound spam check" },
  { program: '/usr/share/spamassassin/10_default_prefs.cf', package: 'spamassassin', usedBy: "world/spam/spamd.ts: spamd's shipped rules (SHIPPED_RULES_DIR)" },
  { program: 'spamc', package: 'spamc', usedBy: "world/main.ts: the `spamc -R` line `npm run world` prints for scoring a message by hand (the harness speaks spamc's protocol itself)" },
  { program: 'dovecot', package: 'dovecot-core', usedBy: "world/imap/dovecot.ts: the seed providers' IMAP server (FN-02, FN-03)" },
  { program: '/usr/lib/dovecot/imap', package: 'dovecot-imapd', usedBy: 'world/imap/dovecot.ts: the IMAP process dovecot starts for each login' },
  { program: 'dig', package: 'bind9-dnsutils', usedBy: "world/dns-server.test.ts, world/world-dns.test.ts, e2e/npm-run-world.test.ts: the world's DNS asked from outside" },
  { program: 'swaks', package: 'swaks', usedBy: "e2e/npm-run-world.test.ts: mail sent to the world's Postal from outside; world/mail-tester: mail to the mail-tester stand-in" },
  { program: 'curl', package: 'curl', usedBy: "the OUTBOUND_SMTP_COMMAND the world's live settings give INF-07 (world/live-env.ts); e2e/npm-run-world.test.ts: the world's web UI fetched from outside; world/mail-tester: its JSON report fetched" },
  { program: 'openssl', package: 'openssl', usedBy: 'core/smtp/smtp-dialogue.test.ts, harness/report/web-screenshots.test.ts: throw-away TLS certificates' },
  { program: '/usr/bin/python3', package: 'python3-minimal', usedBy: 'world/postal/dkim-header.test.ts: runs dkimpy, an independent DKIM verifier, on the stand-in\'s Postal-style signatures' },
  { program: '/usr/lib/python3/dist-packages/dkim/__init__.py', package: 'python3-dkim', usedBy: 'world/postal/dkim-header.test.ts: dkimpy (the `dkim` module) verifies the signatures the stand-in makes as Postal\'s DKIMHeader does' },
  { program: 'ruby', package: 'ruby', usedBy: "world/server-host/server-tools.mjs: the server host's stand-in `rails runner` checks that the script which arrived parses (`ruby -c`), also inside --env=local's container; provisioning/postal/accounts-runner.test.ts: `ruby -c` parses the script provisioning runs inside Postal's container" },
  { program: 'git', package: 'git', usedBy: "provisioning/postal/accounts-runner.test.ts: re-reads the Postal 3.3.2 facts from a mirror of Postal's repository when one is present" },
  { program: 'ssh', package: 'openssh-client', usedBy: 'provisioning/remote/ssh-session.ts: `npm run provision` reaches the server over SSH (host key pinned by a known_hosts file)' },
  { program: 'ssh-keygen', package: 'openssh-client', usedBy: "world/server-host/ssh-keys.ts: the world's server host key and the operator's client key, made per world" },
  { program: '/usr/sbin/sshd', package: 'openssh-server', usedBy: "world/server-host/sshd.ts: the world's server host, a real sshd on the Postal stand-in's address (never the system sshd on :22)" },
  { program: 'rspamd', package: 'rspamd', usedBy: "world/spam/rspamd.ts: Postal's inbound inspection when the world runs with --postal-rspamd=on (bench:world, capacity): Postal 3 prefers rspamd to spamd" },
  { program: 'smtp-source', package: 'postfix', usedBy: "scripts/smtp-generator-vs-smtp-source.ts: Postfix's SMTP load generator, the yardstick for the project's own" },
  { program: 'smtp-sink', package: 'postfix', usedBy: 'scripts/smtp-generator-vs-smtp-source.ts: the SMTP sink both generators send to' },
  { program: 'podman', package: 'podman', usedBy: "harness/targets/local-engine.ts, scripts/build-images.ts: the container engine of --env=local (its Docker-compatible API service) and the image builds" },
  { program: 'runc', package: 'runc', usedBy: "harness/targets/local-engine.ts via world/images/podman-containers.conf: the OCI runtime Podman starts here (crun refuses this machine's cgroup v1 and rlimits)" },
  { program: 'docker-compose', package: 'docker-compose', usedBy: 'harness/targets/local.ts (through Testcontainers): brings the local target\'s compose project up and down' },
  { program: 'mmdebstrap', package: 'mmdebstrap', usedBy: 'scripts/build-images.ts: Debian root filesystems for the local images (no image registry is reached)' },
  { program: 'chromium', package: 'chromium', usedBy: "harness/report/web-screenshots.ts: headless screenshots of Postal's web UI for the report" },
];

/**
 * Programs the code starts that need no package of this list: Node itself (process.execPath), and the
 * installer's and shell's own tools, which every Debian system has (Essential: yes packages).
 */
export const ALWAYS_PRESENT_PROGRAMS: readonly string[] = ['sh', 'bash', 'which', 'dpkg-query', 'apt-get', 'debconf-set-selections'];

/** The install list: the table's packages, each once, in table order. */
export const SYSTEM_PACKAGES: readonly string[] = [...new Set(SYSTEM_PROGRAMS.map((p) => p.package))];

function installed(name: string): boolean {
  return spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout.includes('install ok installed');
}

/**
 * The world runs its own sshd (its own config, address and port); Debian's openssh-server would also
 * start the system sshd on :22 of every address. Debian's unit and init script skip it while
 * /etc/ssh/sshd_not_to_be_run exists (ssh.service ConditionPathExists), so the file is made before
 * the package is installed — only then, never removed from a machine that already had the package.
 */
export const SSHD_NOT_TO_BE_RUN = '/etc/ssh/sshd_not_to_be_run';

function preventSystemSshd(log: (line: string) => void): void {
  if (existsSync(SSHD_NOT_TO_BE_RUN)) return;
  mkdirSync('/etc/ssh', { recursive: true });
  writeFileSync(SSHD_NOT_TO_BE_RUN, 'postal-qa: the embedded world runs its own sshd; remove this file to let the system sshd start\n');
  log(`postal-qa: wrote ${SSHD_NOT_TO_BE_RUN} so openssh-server does not start a system sshd on :22`);
}

/**
 * Answers given to a package's install questions before it is installed. Postfix is installed for its
 * smtp-source and smtp-sink only: "No configuration" leaves it without a main.cf, so its init script never
 * starts a daemon that would hold port 25 on every address and keep the world's servers from binding theirs.
 */
export const DEBCONF_PRESELECTIONS: readonly string[] = ['postfix postfix/main_mailer_type select No configuration'];

/** Resolves to nothing when everything is there; otherwise the one line to show the user. */
export function ensureSystemPackages(log: (line: string) => void = (line) => console.error(line)): string | undefined {
  if (process.env.POSTAL_QA_SKIP_SYSTEM_PACKAGES === '1') return undefined;
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    return `the embedded world needs ${SYSTEM_PACKAGES.join(', ')} (Debian package names); install their equivalents, then set POSTAL_QA_SKIP_SYSTEM_PACKAGES=1`;
  }
  const missing = SYSTEM_PACKAGES.filter((name) => !installed(name));
  if (missing.length === 0) return undefined;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) return `the embedded world needs Debian packages ${missing.join(', ')}; run: sudo ${command}`;
  log(`postal-qa: installing the Debian packages the world needs: ${missing.join(', ')}`);
  if (missing.includes('openssh-server')) preventSystemSshd(log);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('debconf-set-selections', [], { input: `${DEBCONF_PRESELECTIONS.join('\n')}\n`, stdio: ['pipe', 'inherit', 'inherit'], env });
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  const install = update.status === 0 ? spawnSync('sh', ['-c', `${command} -qq`], { stdio: ['ignore', 'inherit', 'inherit'], env }) : update;
  return install.status === 0 ? undefined : `could not install ${missing.join(', ')}; run: ${command}`;
}
