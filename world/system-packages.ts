/**
 * The Debian packages the project needs, derived from what the world and the tests actually start:
 * one table of the programs (and the one data file) they use, each with the Debian package that
 * ships it. The install list is the table's packages — nothing is listed by hand twice — and
 * `system-packages.test.ts` checks with `dpkg -S` that each program belongs to the package named here
 * (Debian 12 ships spamd in a package of its own, `spamd`: a hand-made list once missed it).
 * `scripts/debian-packages.ts` prints the list for `.ci/run`.
 *
 * Each program says which command needs it (`neededBy`): `npm test` against the embedded world installs only
 * what the world's run starts, the local target, the image builds, the SMTP benchmark and rspamd install theirs
 * when first used, and the project's own tests install what they start.
 *
 * `ensureSystemPackages` installs what is missing when it may (root with apt-get), so the quick start
 * stays two commands on a fresh machine; otherwise it says in one line what to install. apt's own output goes
 * to a log file; the terminal gets one line per step.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What needs a program: `suite` the embedded world a run of `npm test` starts (and `npm run world`); `world-tools` the
 * extra tools `npm run world` names for trying the world by hand; `tests` the project's own tests; `server-host` the
 * world's SSH server host (`--empty`) and `npm run provision`; `rspamd` Postal's inspection with `--postal-rspamd=on`;
 * `smtp-bench` `npm run bench:smtp`; `local` `--env=local` and `npm run images:build`.
 */
export type PackageNeed = 'suite' | 'world-tools' | 'tests' | 'server-host' | 'rspamd' | 'smtp-bench' | 'local';
export const PACKAGE_NEEDS: readonly PackageNeed[] = ['suite', 'world-tools', 'tests', 'server-host', 'rspamd', 'smtp-bench', 'local'];

export interface SystemProgram {
  /** the name looked up on PATH, or an absolute path for what is not on PATH (a helper, a data file) */
  program: string;
  /** the Debian package that ships it (Debian 12, bookworm) */
  package: string;
  /** who starts or reads it, and why */
  usedBy: string;
  /** the commands that need it installed */
  neededBy: readonly PackageNeed[];
}

export const SYSTEM_PROGRAMS: readonly SystemProgram[] = [
  {
    program: 'spamd',
    package: 'spamd',
    usedBy: "world/spam/spamd.ts: the world's SpamAssassin daemon, which scores mail (FN-05) and Postal's inbound spam check",
    neededBy: ['suite'],
  },
  {
    program: '/usr/share/spamassassin/10_default_prefs.cf',
    package: 'spamassassin',
    usedBy: "world/spam/spamd.ts: spamd's shipped rules (SHIPPED_RULES_DIR)",
    neededBy: ['suite'],
  },
  {
    program: 'spamassassin',
    package: 'spamassassin',
    usedBy: "world/spam/spoof-rules.test.ts: SpamAssassin itself judges the world's inbound spoof rules (SEC-07)",
    neededBy: ['tests'],
  },
  {
    program: 'spamc',
    package: 'spamc',
    usedBy:
      "world/main.ts: the `spamc -R` line `npm run world` prints for scoring a message by hand (the harness speaks spamc's protocol itself)",
    neededBy: ['world-tools'],
  },
  {
    program: 'dovecot',
    package: 'dovecot-core',
    usedBy: "world/imap/dovecot.ts: the seed providers' IMAP server (FN-02, FN-03)",
    neededBy: ['suite'],
  },
  {
    program: '/usr/lib/dovecot/imap',
    package: 'dovecot-imapd',
    usedBy: 'world/imap/dovecot.ts: the IMAP process dovecot starts for each login',
    neededBy: ['suite'],
  },
  {
    program: 'dig',
    package: 'bind9-dnsutils',
    usedBy: "world/dns-server.test.ts, world/world-dns.test.ts, e2e/npm-run-world.test.ts: the world's DNS asked from outside",
    neededBy: ['world-tools', 'tests'],
  },
  {
    program: 'swaks',
    package: 'swaks',
    usedBy: "e2e/npm-run-world.test.ts: mail sent to the world's Postal from outside; world/mail-tester: mail to the mail-tester stand-in",
    neededBy: ['world-tools', 'tests'],
  },
  {
    program: 'curl',
    package: 'curl',
    usedBy:
      "the OUTBOUND_SMTP_COMMAND the world's live settings give INF-07 (world/live-env.ts); e2e/npm-run-world.test.ts: the world's web UI fetched from outside; world/mail-tester: its JSON report fetched",
    neededBy: ['suite', 'world-tools', 'tests'],
  },
  {
    program: 'openssl',
    package: 'openssl',
    usedBy:
      'core/smtp/smtp-dialogue.test.ts, harness/clients/tls-versions.test.ts, harness/report/web-screenshots.test.ts: throw-away TLS certificates',
    neededBy: ['tests'],
  },
  {
    program: '/usr/bin/python3',
    package: 'python3-minimal',
    usedBy: "world/postal/dkim-header.test.ts: runs dkimpy, an independent DKIM verifier, on the stand-in's Postal-style signatures",
    neededBy: ['tests'],
  },
  {
    program: '/usr/lib/python3/dist-packages/dkim/__init__.py',
    package: 'python3-dkim',
    usedBy:
      "world/postal/dkim-header.test.ts: dkimpy (the `dkim` module) verifies the signatures the stand-in makes as Postal's DKIMHeader does",
    neededBy: ['tests'],
  },
  {
    program: 'ruby',
    package: 'ruby',
    usedBy:
      "world/server-host/server-tools.mjs: the server host's stand-in `rails runner` checks that the script which arrived parses (`ruby -c`), also inside --env=local's container; provisioning/postal/accounts-runner.test.ts: `ruby -c` parses the script provisioning runs inside Postal's container",
    neededBy: ['server-host', 'tests'],
  },
  {
    program: 'git',
    package: 'git',
    usedBy:
      "provisioning/postal/accounts-runner.test.ts: re-reads the Postal 3.3.2 facts from a mirror of Postal's repository when one is present",
    neededBy: ['tests'],
  },
  {
    program: 'ssh',
    package: 'openssh-client',
    usedBy: 'provisioning/remote/ssh-session.ts: `npm run provision` reaches the server over SSH (host key pinned by a known_hosts file)',
    neededBy: ['server-host', 'tests'],
  },
  {
    program: 'ssh-keygen',
    package: 'openssh-client',
    usedBy: "world/server-host/ssh-keys.ts: the world's server host key and the operator's client key, made per world",
    neededBy: ['server-host', 'tests'],
  },
  {
    program: '/usr/sbin/sshd',
    package: 'openssh-server',
    usedBy:
      "world/server-host/sshd.ts: the world's server host, a real sshd on the Postal stand-in's address (never the system sshd on :22)",
    neededBy: ['server-host', 'tests'],
  },
  {
    program: 'rspamd',
    package: 'rspamd',
    usedBy:
      "world/spam/rspamd.ts: Postal's inbound inspection when the world runs with --postal-rspamd=on (bench:world, capacity): Postal 3 prefers rspamd to spamd",
    neededBy: ['rspamd', 'tests'],
  },
  {
    program: 'smtp-source',
    package: 'postfix',
    usedBy: "scripts/smtp-generator-vs-smtp-source.ts: Postfix's SMTP load generator, the yardstick for the project's own",
    neededBy: ['smtp-bench'],
  },
  {
    program: 'smtp-sink',
    package: 'postfix',
    usedBy: 'scripts/smtp-generator-vs-smtp-source.ts: the SMTP sink both generators send to',
    neededBy: ['smtp-bench'],
  },
  {
    program: 'podman',
    package: 'podman',
    usedBy:
      'harness/targets/local-engine.ts, scripts/build-images.ts: the container engine of --env=local (its Docker-compatible API service) and the image builds',
    neededBy: ['local'],
  },
  {
    program: 'runc',
    package: 'runc',
    usedBy:
      "harness/targets/local-engine.ts via world/images/podman-containers.conf: the OCI runtime Podman starts here (crun refuses this machine's cgroup v1 and rlimits)",
    neededBy: ['local'],
  },
  {
    program: 'docker-compose',
    package: 'docker-compose',
    usedBy: "harness/targets/local.ts (through Testcontainers): brings the local target's compose project up and down",
    neededBy: ['local'],
  },
  {
    program: 'mmdebstrap',
    package: 'mmdebstrap',
    usedBy: 'scripts/build-images.ts: Debian root filesystems for the local images (no image registry is reached)',
    neededBy: ['local'],
  },
  {
    program: 'chromium',
    package: 'chromium',
    usedBy: "harness/report/web-screenshots.ts: headless screenshots of Postal's web UI for the report",
    neededBy: ['suite'],
  },
];

/**
 * Programs the code starts that need no package of this list: Node itself (process.execPath) and the npm
 * and npx it ships with, and the installer's, shell's and `mount` package's own tools, which every Debian
 * system has (Essential: yes packages; e2e/disk-full.test.ts mounts a small tmpfs).
 */
export const ALWAYS_PRESENT_PROGRAMS: readonly string[] = [
  'sh',
  'bash',
  'which',
  'dpkg-query',
  'apt-get',
  'debconf-set-selections',
  'npm',
  'npx',
  'mount',
  'umount',
];

/** The install list of every command (what `.ci/run` installs): the table's packages, each once, in table order. */
export const SYSTEM_PACKAGES: readonly string[] = packagesFor(PACKAGE_NEEDS);

/** The packages the given commands need, each once, in table order. */
export function packagesFor(needs: readonly PackageNeed[]): string[] {
  return [...new Set(SYSTEM_PROGRAMS.filter((p) => p.neededBy.some((need) => needs.includes(need))).map((p) => p.package))];
}

const PURPOSE: Record<PackageNeed, string> = {
  suite: 'the embedded world',
  'world-tools': "the world's try-it-by-hand tools",
  tests: "the project's own tests",
  'server-host': "the world's server host and provisioning",
  rspamd: "rspamd as Postal's inspection",
  'smtp-bench': 'the SMTP benchmark',
  local: 'the local target (containers)',
};

/**
 * The packages dpkg has installed, asked once for all of them; undefined when the question was cut short
 * by a signal (a Ctrl-C while the run starts): never a reason to run apt-get.
 */
function installedPackages(names: readonly string[]): Set<string> | undefined {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...names], { encoding: 'utf8' });
  if (result.signal) return undefined;
  return new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]!.split(':')[0]!),
  );
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

/** Where apt's own output goes (the terminal gets one line per step). */
export const APT_LOG = join(tmpdir(), 'postal-qa-apt.log');

/**
 * Installs what `needs` lack. Resolves to nothing when everything is there (or was installed); otherwise the one
 * line to show the user.
 */
export function ensureSystemPackages(
  needs: readonly PackageNeed[],
  log: (line: string) => void = (line) => console.error(line),
): string | undefined {
  if (process.env.POSTAL_QA_SKIP_SYSTEM_PACKAGES === '1') return undefined;
  const wanted = packagesFor(needs);
  const purpose = needs.map((need) => PURPOSE[need]).join(', ');
  const dpkg = spawnSync('dpkg-query', ['--version']);
  // Cut short by a signal (a Ctrl-C to the whole job while the run starts): dpkg is not missing. The caller that
  // received the same signal reports the interruption instead of this line (harness/cli.ts waits for it).
  if (dpkg.signal) return `dpkg-query was stopped by ${dpkg.signal} before it said which packages are installed; run again`;
  if (dpkg.status !== 0) {
    return `${purpose} needs ${wanted.join(', ')} (Debian package names); install their equivalents, then set POSTAL_QA_SKIP_SYSTEM_PACKAGES=1`;
  }
  const installed = installedPackages(wanted);
  if (!installed) return `dpkg-query was stopped by a signal before it said which packages are installed; run again`;
  const missing = wanted.filter((name) => !installed.has(name));
  if (missing.length === 0) return undefined;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) return `${purpose} needs Debian packages ${missing.join(', ')}; run: sudo ${command}`;
  if (missing.includes('openssh-server')) preventSystemSshd(log);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let stoppedBy: NodeJS.Signals | undefined;
  const step = (what: string, file: string, args: string[], input?: string): boolean => {
    log(`postal-qa: ${what} (apt's output: ${APT_LOG})`);
    appendFileSync(APT_LOG, `\n$ ${[file, ...args].join(' ')}\n`);
    const result = spawnSync(file, args, { input, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    appendFileSync(APT_LOG, `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `${result.error.message}\n` : ''}`);
    if (result.signal) stoppedBy = result.signal;
    return result.status === 0;
  };
  const done =
    step('answering the install questions (debconf)', 'debconf-set-selections', [], `${DEBCONF_PRESELECTIONS.join('\n')}\n`) &&
    step('apt-get update', 'apt-get', ['update', '-q']) &&
    step(`installing the Debian packages ${purpose} needs: ${missing.join(', ')}`, 'apt-get', [
      'install',
      '-y',
      '-q',
      '--no-install-recommends',
      ...missing,
    ]);
  if (stoppedBy) return `apt-get was stopped by ${stoppedBy}; run again, or run: ${command}`;
  return done ? undefined : `could not install ${missing.join(', ')} (see ${APT_LOG}); run: ${command}`;
}
