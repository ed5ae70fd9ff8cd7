/**
 * The bash the server runs, one small script per action, sent on stdin to `bash -s` (so no secret is
 * ever on a command line). Every absolute path starts with "$R" (PROVISION_ROOT): empty on a real
 * server, a folder of its own for the world's server host — the same script runs in both.
 * Observation scripts print `key=value` lines and change nothing.
 *
 * Followed: postalserver/install — prerequisites/install-ubuntu.v3.sh (Docker's apt repository,
 * docker-ce + compose plugin, MariaDB as the separate `postal-mariadb` container), bin/postal
 * (bootstrap: postal.yml, Caddyfile, `openssl genrsa … signing.key 1024`; `docker compose -p postal`,
 * `run --rm runner postal initialize`), templates/docker-compose.v3.yml.
 */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export const prelude = (root: string): string => `set -eu\nR=${quote(root)}\nP="$R/opt/postal"\nexport R P\n`;

/** The compose command the install helper runs (bin/postal run-docker-compose), with our file. */
const COMPOSE = 'docker compose -p postal -f "$P/install/docker-compose.yml"';

export function observeServerScript(root: string): string {
  return `${prelude(root)}set +e
v=$(docker version --format '{{.Server.Version}}' 2>/dev/null); echo "docker=\${v:-missing}"
c=$(docker compose version --short 2>/dev/null); echo "compose=\${c:-missing}"
if ufw version >/dev/null 2>&1; then echo "ufw=present"; ufw status 2>/dev/null | sed 's/^/ufw: /'; else echo "ufw=missing"; fi
exit 0
`;
}

export function installDockerScript(root: string): string {
  return `${prelude(root)}export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq ca-certificates curl ufw
install -m 0755 -d "$R/etc/apt/keyrings"
curl -fsSL https://download.docker.com/linux/ubuntu/gpg -o "$R/etc/apt/keyrings/docker.asc"
chmod a+r "$R/etc/apt/keyrings/docker.asc"
codename=$(. "$R/etc/os-release" 2>/dev/null && echo "\${VERSION_CODENAME:-noble}" || echo noble)
echo "deb [arch=$(dpkg --print-architecture 2>/dev/null || echo amd64) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu $codename stable" > "$R/etc/apt/sources.list.d/docker.list"
apt-get update -qq
apt-get install -y -qq docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin
`;
}

export function firewallScript(root: string, allow: number[], remove: number[]): string {
  return `${prelude(root)}${allow.map((p) => `ufw allow ${p}/tcp\n`).join('')}${remove.map((p) => `ufw delete allow ${p}/tcp\n`).join('')}ufw --force enable\n`;
}

/** Files under /opt/postal whose content provisioning owns and rewrites when it changes: their sha256. */
export const MANAGED_FILES = ['bin/postal-smtp-tls-sync'] as const;
/** The same, outside /opt/postal (relative to the server's root). */
export const MANAGED_SYSTEM_FILES = ['etc/cron.d/postal-smtp-tls'] as const;

export function observePostalScript(root: string, extra = ''): string {
  return `${prelude(root)}set +e
for f in config/postal.yml config/signing.key config/Caddyfile config/mariadb.env install/docker-compose.yml config/postal-qa-initialized config/smtp.cert config/smtp.key; do
  if [ -f "$P/$f" ]; then echo "file:$f=present"; else echo "file:$f=missing"; fi
done
for f in ${MANAGED_FILES.join(' ')}; do
  if [ -f "$P/$f" ]; then echo "sha:$f=$(sha256sum "$P/$f" | cut -d' ' -f1)"; else echo "sha:$f=missing"; fi
done
for f in ${MANAGED_SYSTEM_FILES.join(' ')}; do
  if [ -f "$R/$f" ]; then echo "sha:/$f=$(sha256sum "$R/$f" | cut -d' ' -f1)"; else echo "sha:/$f=missing"; fi
done
${extra}
if command -v docker >/dev/null 2>&1; then
  docker ps -a --format '{{.Names}} {{.State}}' 2>/dev/null | while read -r name state; do echo "container:$name=$state"; done
  if [ -f "$P/install/docker-compose.yml" ]; then ${COMPOSE} ps --format '{{.Service}} {{.State}}' 2>/dev/null | while read -r s st; do echo "service:$s=$st"; done; fi
fi
exit 0
`;
}

/**
 * Writes a file from stdin with a mode and an owner, atomically, only if it is absent — or, with `replace`,
 * whatever is there. `relative` is under /opt/postal, or under the server's root when it starts with "/".
 */
export function writeFileScript(root: string, relative: string, mode: string, owner?: string, options: { replace?: boolean } = {}): string {
  const path = relative.startsWith('/') ? `$R${relative}` : `$P/${relative}`;
  return `${prelude(root)}f="${path}"
install -d -m 0755 "$(dirname "$f")"
${options.replace ? '' : '[ -f "$f" ] && { echo "exists: $f"; exit 0; }\n'}umask 077
cat > "$f.tmp"
chmod ${mode} "$f.tmp"
${owner ? `chown ${owner} "$f.tmp" 2>/dev/null || true\n` : ''}mv "$f.tmp" "$f"
`;
}

export function signingKeyScript(root: string): string {
  return `${prelude(root)}install -d -m 0755 "$P/config"
[ -f "$P/config/signing.key" ] && exit 0
openssl genrsa -out "$P/config/signing.key" 1024 2>/dev/null
chmod 644 "$P/config/signing.key"
`;
}

export function mariadbScript(root: string, name: string): string {
  return `${prelude(root)}if docker ps -a --format '{{.Names}}' | grep -qx ${quote(name)}; then docker start ${quote(name)} >/dev/null; exit 0; fi
docker run -d --name ${quote(name)} -p 127.0.0.1:3306:3306 --restart always --env-file "$P/config/mariadb.env" mariadb >/dev/null
`;
}

export function initializeScript(root: string): string {
  return `${prelude(root)}${COMPOSE} run --rm -T runner postal initialize
touch "$P/config/postal-qa-initialized"
`;
}

export function composeUpScript(root: string): string {
  return `${prelude(root)}${COMPOSE} up -d\n`;
}

/** Postal's processes read postal.yml when they start: after it changed, they are restarted. */
export function composeRestartScript(root: string): string {
  return `${prelude(root)}${COMPOSE} restart\n`;
}

/** postal.yml as it is on the server (it holds the database password: read into memory, never printed). */
export function readPostalYmlScript(root: string): string {
  return `${prelude(root)}cat "$P/config/postal.yml"\n`;
}

export function caddyScript(root: string): string {
  return `${prelude(root)}if docker ps -a --format '{{.Names}}' | grep -qx postal-caddy; then docker start postal-caddy >/dev/null; exit 0; fi
docker run -d --name postal-caddy --restart always --network host -v "$P/config/Caddyfile:/etc/caddy/Caddyfile" -v "$P/caddy-data:/data" caddy >/dev/null
`;
}

/**
 * Runs the accounts script in Postal's runner container. Script and plan arrive on stdin (the script's
 * base64 on the first line, then the plan, which holds the admin password and maybe a DKIM key), are
 * kept mode 600 in /opt/postal/config (mounted at /config) for the one run, and removed whatever
 * happens: a dry run leaves nothing behind on the server.
 */
export function accountsScript(root: string, runnerName: string, dryRun: boolean, options: { checkDns?: boolean } = {}): string {
  return `${prelude(root)}umask 077
rb="$P/config/${runnerName}"
plan="$P/config/postal-qa-plan.json"
trap 'rm -f "$rb" "$plan"' EXIT
IFS= read -r script
printf '%s' "$script" | base64 -d > "$rb"
cat > "$plan"
chown 999 "$rb" "$plan" 2>/dev/null || true
${COMPOSE} run --rm -T -e POSTAL_QA_PLAN=/config/postal-qa-plan.json -e POSTAL_QA_DRY_RUN=${dryRun ? 1 : 0}${options.checkDns ? ' -e POSTAL_QA_CHECK_DNS=1' : ''} runner bundle exec rails runner /config/${runnerName}
`;
}

/** What the accounts script reads on stdin: the Ruby script (base64, one line), then the plan. */
export const accountsInput = (rubyScript: string, planJson: string): string => `${Buffer.from(rubyScript).toString('base64')}\n${planJson}`;

export function defaultDkimRecordScript(root: string): string {
  return `${prelude(root)}${COMPOSE} run --rm -T runner postal default-dkim-record\n`;
}

/** `key=value` lines (repeated keys kept in order) and `ufw: …` lines. */
export function parseObservation(stdout: string): { values: Map<string, string>; ufw: string[] } {
  const values = new Map<string, string>();
  const ufw: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('ufw: ')) ufw.push(line.slice(5));
    else {
      const eq = line.indexOf('=');
      if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
    }
  }
  return { values, ufw };
}

/** TCP ports `ufw status` shows as ALLOW (v4 and v6 lines counted once), and whether it is active. */
export function parseUfwStatus(lines: string[]): { active: boolean; ports: number[] } {
  const active = lines.some((l) => /^Status:\s*active/i.test(l));
  const ports = new Set<number>();
  for (const line of lines) {
    const match = /^(\d{1,5})(?:\/tcp)?(?:\s+\(v6\))?\s+ALLOW/i.exec(line.trim());
    if (match) ports.add(Number(match[1]));
  }
  return { active, ports: [...ports].sort((a, b) => a - b) };
}
