/**
 * The world runs SpamAssassin and Dovecot, and its tests drive it with dig and swaks — Debian packages,
 * not npm ones (sqlite3 writes the MailGoat inbox databases); the report's web UI screenshots use Debian's headless-capable chromium. `ensureSystemPackages` installs what is missing when it may (root with apt-get), so the
 * quick start stays two commands on a fresh machine; otherwise it says in one line what to install.
 */
import { spawnSync } from 'node:child_process';

export const SYSTEM_PACKAGES = ['spamassassin', 'spamc', 'dovecot-imapd', 'swaks', 'bind9-dnsutils', 'chromium', 'sqlite3'];

function installed(name: string): boolean {
  return spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout.includes('install ok installed');
}

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
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  const install = update.status === 0 ? spawnSync('sh', ['-c', `${command} -qq`], { stdio: ['ignore', 'inherit', 'inherit'], env }) : update;
  return install.status === 0 ? undefined : `could not install ${missing.join(', ')}; run: ${command}`;
}
