/**
 * The package table is true to the machine and to the code: every program on it belongs (dpkg -S) to
 * the package it names, and every program the code starts by name is on it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/harness-command.ts';
import {
  ALWAYS_PRESENT_PROGRAMS,
  APT_LOG,
  ensureSystemPackages,
  packagesFor,
  SYSTEM_PACKAGES,
  SYSTEM_PROGRAMS,
} from './system-packages.ts';

const hasDpkg = spawnSync('dpkg', ['--version']).status === 0;

/** Where a program lives: its absolute path as given, or the first match on PATH. */
function locate(program: string): string | undefined {
  if (program.startsWith('/')) return program;
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}

/**
 * The packages `dpkg -S` names for a path. With merged /usr, dpkg may know /usr/bin/x as /bin/x (or
 * the reverse), and a PATH entry may be a symlink (alternatives): each spelling is asked in turn.
 */
function owners(path: string): string[] {
  const spellings = new Set([path, path.replace(/^\/usr\//, '/'), path.replace(/^\/(bin|sbin|lib)\//, '/usr/$1/')]);
  try {
    spellings.add(realpathSync(path));
  } catch {
    // not there: dpkg will say so for the other spellings
  }
  for (const spelling of spellings) {
    const result = spawnSync('dpkg', ['-S', spelling], { encoding: 'utf8' });
    if (result.status !== 0) continue;
    // "pkg1, pkg2:amd64: /path" — one line per match; diversions start with "diversion by".
    const line = result.stdout.split('\n').find((l) => l.endsWith(`: ${spelling}`) && !l.startsWith('diversion'));
    if (line)
      return line
        .slice(0, line.lastIndexOf(': '))
        .split(', ')
        .map((p) => p.replace(/:[a-z0-9]+$/, ''));
  }
  return [];
}

describe.skipIf(!hasDpkg)('Debian packages (skipped: no dpkg on this machine, so no Debian package to check against)', () => {
  it.each(SYSTEM_PROGRAMS.map((p) => [p.program, p.package, p.usedBy] as const))('%s is shipped by %s', (program, pkg, usedBy) => {
    const path = locate(program);
    expect(path, `${program} (${usedBy}) is not installed; run npm run test:unit as root, or apt-get install ${pkg}`).toBeDefined();
    expect(owners(path!), `dpkg -S ${path}`).toContain(pkg);
  });
});

/** Every source file of the project (not node_modules), for the scan below. */
function sourceFiles(dir = PROJECT_ROOT): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'reports' || entry.name === 'artifacts') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|mjs)$/.test(entry.name)) files.push(path);
  }
  return files;
}

describe('the table covers what the code starts', () => {
  it('lists every program started by name (spawn, execFile, runTool, a daemon command)', () => {
    // `spawn('x'`, `execFileSync('x'`, `runProcess('x'` (core/process), `promisify(execFile)('x'`, `runTool('x'`, `command: options.command ?? 'x'`.
    const patterns = [
      /\b(?:spawn|spawnSync|execFile|execFileSync|runTool|runProcess|runForOutput)\)?\(\s*'([^'\s]+)'/g,
      /\bcommand:\s*(?:options\.command\s*\?\?\s*)?'([^'\s]+)'/g,
    ];
    const started = new Map<string, string>();
    for (const file of sourceFiles()) {
      if (file.endsWith('system-packages.test.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) started.set(match[1]!, relative(PROJECT_ROOT, file));
    }
    // The scan must see the programs we know are started, or it proves nothing.
    expect([...started.keys()]).toEqual(expect.arrayContaining(['spamd', 'dovecot', 'dig', 'swaks', 'curl', 'openssl']));
    const listed = new Set([...SYSTEM_PROGRAMS.map((p) => p.program), ...ALWAYS_PRESENT_PROGRAMS]);
    const unlisted = [...started]
      .filter(([program]) => !program.startsWith('/') && !listed.has(program))
      .map(([program, file]) => `${program} (${file})`);
    expect(unlisted, 'programs started by name but missing from SYSTEM_PROGRAMS in world/system-packages.ts').toEqual([]);
  });

  it('installs each package once, spamd among them (Debian 12 ships the daemon apart from spamassassin)', () => {
    expect(new Set(SYSTEM_PACKAGES).size).toBe(SYSTEM_PACKAGES.length);
    expect(SYSTEM_PACKAGES).toEqual(expect.arrayContaining(['spamd', 'spamassassin', 'dovecot-imapd']));
  });
});

describe('each command installs only what it needs', () => {
  it("the embedded run needs the world's daemons, not the container engine, the SMTP benchmark, rspamd or the tests' tools", () => {
    const suite = packagesFor(['suite']);
    expect(suite).toEqual(expect.arrayContaining(['spamd', 'spamassassin', 'dovecot-core', 'dovecot-imapd']));
    for (const other of ['podman', 'runc', 'docker-compose', 'mmdebstrap', 'postfix', 'rspamd', 'ruby', 'openssh-server', 'swaks'])
      expect(suite, other).not.toContain(other);
  });

  it('the local target, the SMTP benchmark and rspamd bring their own', () => {
    expect(packagesFor(['local'])).toEqual(['podman', 'runc', 'docker-compose', 'mmdebstrap']);
    expect(packagesFor(['smtp-bench'])).toEqual(['postfix']);
    expect(packagesFor(['rspamd'])).toEqual(['rspamd']);
  });

  it("every program is needed by some command, and the whole list is every command's", () => {
    for (const p of SYSTEM_PROGRAMS) expect(p.neededBy.length, p.program).toBeGreaterThan(0);
    expect(SYSTEM_PACKAGES).toEqual([...new Set(SYSTEM_PROGRAMS.map((p) => p.package))]);
  });
});

describe.skipIf(process.getuid?.() !== 0)('installing (as root, with apt-get and dpkg-query stubbed on PATH)', () => {
  it("prints one line per step, keeps apt's own output in the log file, and installs only what is missing", () => {
    const bin = mkdtempSync(join(tmpdir(), 'postal-qa-fake-apt-'));
    const calls = join(bin, 'calls');
    const stub = (name: string, body: string): void => {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${calls}\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    // spamd is "installed"; everything else is not. apt-get prints a screenful, as it does.
    stub('dpkg-query', 'case "$*" in *--version*) exit 0;; *" spamd"*) echo "spamd install ok installed";; esac; exit 0');
    stub('apt-get', 'i=0; while [ $i -lt 50 ]; do echo "Unpacking package $i ..."; i=$((i+1)); done; exit 0');
    stub('debconf-set-selections', 'cat > /dev/null; exit 0');
    const path = process.env.PATH;
    const lines: string[] = [];
    process.env.PATH = `${bin}:${path}`;
    try {
      expect(ensureSystemPackages(['suite'], (line) => lines.push(line))).toBeUndefined();
    } finally {
      process.env.PATH = path;
    }
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/installing the Debian packages the embedded world needs: spamassassin, dovecot-core/);
    expect(lines.join('\n')).not.toContain('Unpacking');
    expect(readFileSync(APT_LOG, 'utf8')).toContain('Unpacking package 49');
    const install = readFileSync(calls, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('apt-get install'))!;
    expect(install).not.toMatch(/\bspamd\b/);
    expect(install).not.toMatch(/podman|postfix|rspamd/);
  });

  it("a failed install is one line naming the packages and the log, never apt's output", () => {
    const bin = mkdtempSync(join(tmpdir(), 'postal-qa-fake-apt-'));
    writeFileSync(join(bin, 'dpkg-query'), '#!/bin/sh\nexit 0\n');
    writeFileSync(join(bin, 'apt-get'), '#!/bin/sh\necho "E: Unable to locate package"; exit 100\n');
    writeFileSync(join(bin, 'debconf-set-selections'), '#!/bin/sh\ncat >/dev/null\n');
    for (const f of ['dpkg-query', 'apt-get', 'debconf-set-selections']) chmodSync(join(bin, f), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const problem = ensureSystemPackages(['smtp-bench'], () => undefined);
      expect(problem).toBe(`could not install postfix (see ${APT_LOG}); run: apt-get install -y --no-install-recommends postfix`);
    } finally {
      process.env.PATH = path;
    }
  });

  it('a dpkg-query or apt-get stopped by a signal is named as stopped, never as a missing dpkg or a failed install', () => {
    const bin = mkdtempSync(join(tmpdir(), 'postal-qa-fake-apt-'));
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    const stub = (name: string, body: string): void => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    try {
      // A Ctrl-C to the whole job reaches dpkg-query too.
      stub('dpkg-query', 'kill -INT $$');
      expect(ensureSystemPackages(['suite'], () => undefined)).toMatch(/^dpkg-query was stopped by SIGINT .*run again$/);
      stub('dpkg-query', 'case "$*" in *--version*) exit 0;; esac; kill -TERM $$');
      expect(ensureSystemPackages(['suite'], () => undefined)).toMatch(/^dpkg-query was stopped by a signal/);
      stub('dpkg-query', 'exit 0');
      stub('debconf-set-selections', 'cat > /dev/null');
      stub('apt-get', 'kill -TERM $$');
      expect(ensureSystemPackages(['smtp-bench'], () => undefined)).toBe(
        'apt-get was stopped by SIGTERM; run again, or run: apt-get install -y --no-install-recommends postfix',
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
