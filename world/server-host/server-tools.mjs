// The server host's stand-ins for the programs provisioning's scripts call on a real Ubuntu server:
// apt-get, curl, ufw and docker (with its compose plugin). The scripts themselves run in real bash
// over a real sshd; only these programs are stood in for. They keep the host's state in
// "$R/var/lib/postal-qa-world/state.json" (R is PROVISION_ROOT, which every script exports) and
// act on the Postal stand-in through its ops API (POSTAL_QA_OPS_URL): `postal initialize`,
// `postal default-dkim-record`, the accounts script run by `rails runner`, the services reading postal.yml
// when compose starts or restarts them, and Caddy's certificates (from the world CA).
// Run as: node server-tools.mjs <program> <args…>
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const [program, ...args] = process.argv.slice(2);
const R = process.env.R ?? '';
const OPS = process.env.POSTAL_QA_OPS_URL ?? '';
const out = (line) => process.stdout.write(`${line}\n`);
const fail = (line, code = 1) => {
  process.stderr.write(`${line}\n`);
  process.exit(code);
};
if (!R) fail(`${program}: the world's server tools act only under PROVISION_ROOT (R is empty)`, 2);

const statePath = join(R, 'var/lib/postal-qa-world/state.json');
const load = () =>
  existsSync(statePath)
    ? JSON.parse(readFileSync(statePath, 'utf8'))
    : { packages: [], ufw: { active: false, ports: [] }, containers: {}, services: {}, initialized: false };
const save = (state) => {
  mkdirSync(dirname(statePath), { recursive: true });
  writeFileSync(`${statePath}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${statePath}.tmp`, statePath);
};
const state = load();
const has = (pkg) => state.packages.includes(pkg);

async function ops(method, path, body) {
  if (!OPS) fail('the server host has no ops URL for Postal (POSTAL_QA_OPS_URL)');
  const response = await fetch(`${OPS}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) fail(`postal: ${text.trim() || `HTTP ${response.status}`}`);
  return text;
}

function aptGet() {
  const [command, ...rest] = args;
  if (command === 'update') return out('Reading package lists... Done');
  if (command === 'install') {
    const packages = rest.filter((a) => !a.startsWith('-'));
    for (const pkg of packages) if (!has(pkg)) state.packages.push(pkg);
    save(state);
    for (const pkg of packages) out(`Setting up ${pkg} ...`);
    return;
  }
  fail(`apt-get: ${command}: not stood in for by the world's server host`, 100);
}

function curl() {
  const url = args.find((a) => /^https?:\/\//.test(a));
  const output = args[args.indexOf('-o') + 1];
  if (url !== 'https://download.docker.com/linux/ubuntu/gpg')
    fail(`curl: (6) Could not resolve host: ${url ? new URL(url).host : '?'} (the world has no Internet)`, 6);
  if (args.includes('-o') && output) writeFileSync(output, "# the world's stand-in for Docker's apt signing key\n");
}

function ufw() {
  if (!has('ufw')) fail('ufw: command not found', 127);
  const [command, ...rest] = args;
  if (command === 'version') return out('ufw 0.36.2');
  if (command === 'status') {
    if (!state.ufw.active) return out('Status: inactive');
    out('Status: active\n\nTo                         Action      From\n--                         ------      ----');
    for (const port of state.ufw.ports) out(`${`${port}/tcp`.padEnd(27)}ALLOW       Anywhere`);
    for (const port of state.ufw.ports) out(`${`${port}/tcp (v6)`.padEnd(27)}ALLOW       Anywhere (v6)`);
    return;
  }
  const portOf = (rule) => Number(/^(\d+)(\/tcp)?$/.exec(rule ?? '')?.[1]) || fail(`ERROR: Bad port '${rule}'`);
  if (command === 'allow') {
    const port = portOf(rest[0]);
    if (!state.ufw.ports.includes(port)) state.ufw.ports.push(port);
    state.ufw.ports.sort((a, b) => a - b);
    save(state);
    return out('Rule added\nRule added (v6)');
  }
  if (command === 'delete' && rest[0] === 'allow') {
    const port = portOf(rest[1]);
    state.ufw.ports = state.ufw.ports.filter((p) => p !== port);
    save(state);
    return out('Rule deleted\nRule deleted (v6)');
  }
  if (command === '--force' && rest[0] === 'enable') {
    state.ufw.active = true;
    save(state);
    return out('Firewall is active and enabled on system startup');
  }
  fail(`ufw: ${args.join(' ')}: not stood in for`);
}

/** `{{.Names}} {{.State}}`-style templates over one row. */
const format = (template, row) => template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, key) => String(row[key] ?? ''));

/** The path on the host of a path inside Postal's containers (/opt/postal/config is mounted at /config). */
const hostPath = (path) => (path.startsWith('/config/') ? join(R, 'opt/postal/config', path.slice('/config/'.length)) : path);

async function composeRun(rest) {
  const env = {};
  let i = 0;
  for (; i < rest.length; i++) {
    if (rest[i] === '--rm' || rest[i] === '-T') continue;
    if (rest[i] === '-e') {
      const [key, ...value] = rest[++i].split('=');
      env[key] = value.join('=');
      continue;
    }
    break;
  }
  const service = rest[i];
  const command = rest.slice(i + 1);
  if (service !== 'runner') fail(`docker compose run: service "${service}" is not stood in for`);
  if (!existsSync(join(R, 'opt/postal/config/postal.yml'))) fail('postal: /config/postal.yml not found');
  if (state.containers['postal-mariadb']?.state !== 'running')
    fail("Mysql2::Error::ConnectionError: Can't connect to MySQL server on '127.0.0.1:3306'");
  const line = command.join(' ');
  if (line === 'postal initialize') {
    out('Initializing database');
    await ops('POST', '/runner/initialize', {});
    state.initialized = true;
    save(state);
    return;
  }
  if (!state.initialized) fail("ActiveRecord::NoDatabaseError: Unknown database 'postal' (run postal initialize)");
  if (line === 'postal default-dkim-record') return out((await ops('GET', '/runner/default-dkim-record')).trim());
  const runner = /^bundle exec rails runner (\/config\/[\w.-]+\.rb)$/.exec(line);
  if (runner) {
    if (!existsSync(hostPath(runner[1]))) fail(`rails runner: file ${runner[1]} not found`);
    // The script that arrived must at least parse (Debian's ruby; Postal's image runs Ruby 3.2).
    const syntax = spawnSync('ruby', ['-c', hostPath(runner[1])], { encoding: 'utf8', timeout: 30_000 });
    if (syntax.status !== 0) fail(`rails runner: ${runner[1]}: ${(syntax.stderr || syntax.stdout || 'ruby -c failed').trim()}`);
    if (!env.POSTAL_QA_PLAN) fail('rails runner: POSTAL_QA_PLAN is not set');
    const plan = JSON.parse(readFileSync(hostPath(env.POSTAL_QA_PLAN), 'utf8'));
    // The stand-in applies the plan as accounts-runner.rb does in Postal (the script itself is checked statically).
    const result = await ops('POST', '/runner/accounts', {
      plan,
      dryRun: env.POSTAL_QA_DRY_RUN === '1',
      checkDns: env.POSTAL_QA_CHECK_DNS === '1',
    });
    return out(`POSTAL_QA_RESULT ${result.trim()}`);
  }
  fail(`docker compose run runner ${line}: not stood in for by the world's server host`);
}

async function docker() {
  if (!has('docker-ce')) fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  const [command, ...rest] = args;
  if (command === 'version') return out('27.3.1');
  if (command === 'ps') {
    const template = rest[rest.indexOf('--format') + 1] ?? '{{.Names}}';
    const rows = [
      ...Object.entries(state.containers).map(([Names, c]) => ({ Names, State: c.state, Image: c.image })),
      ...Object.entries(state.services).map(([service, s]) => ({
        Names: `postal-${service}-1`,
        State: s,
        Image: 'ghcr.io/postalserver/postal',
      })),
    ];
    for (const row of rows) out(format(template, row));
    return;
  }
  if (command === 'run') {
    const name = rest[rest.indexOf('--name') + 1];
    if (rest.at(-1) === 'caddy') await caddyCertificates(rest);
    const envFile = rest.includes('--env-file') ? rest[rest.indexOf('--env-file') + 1] : undefined;
    if (envFile && !existsSync(envFile)) fail(`docker: open ${envFile}: no such file or directory`, 125);
    if (state.containers[name]) fail(`docker: Error response from daemon: Conflict. The container name "/${name}" is already in use`, 125);
    state.containers[name] = { image: rest.at(-1), state: 'running' };
    save(state);
    return out('0123456789ab');
  }
  if (command === 'start') {
    if (!state.containers[rest[0]]) fail(`Error response from daemon: No such container: ${rest[0]}`);
    state.containers[rest[0]].state = 'running';
    save(state);
    return out(rest[0]);
  }
  if (command === 'compose') {
    if (!has('docker-compose-plugin')) fail("docker: 'compose' is not a docker command.");
    let i = 0;
    while (rest[i] === '-p' || rest[i] === '-f') i += 2;
    const [sub, ...more] = rest.slice(i);
    if (sub === 'version') return out('2.29.7');
    if (sub === 'ps') {
      const template = more[more.indexOf('--format') + 1] ?? '{{.Service}} {{.State}}';
      for (const [Service, State] of Object.entries(state.services)) out(format(template, { Service, State }));
      return;
    }
    if (sub === 'up') {
      if (!state.initialized) fail('postal-web-1 exited: database not initialized');
      for (const service of ['web', 'smtp', 'worker']) state.services[service] = 'running';
      save(state);
      await startServices(['web', 'smtp', 'worker']);
      return out(' ✔ Container postal-web-1     Started\n ✔ Container postal-smtp-1    Started\n ✔ Container postal-worker-1  Started');
    }
    if (sub === 'restart') {
      const named = more.filter((a) => !a.startsWith('-'));
      const services = named.length ? named : Object.keys(state.services);
      for (const service of services) if (state.services[service] !== 'running') fail(`service "${service}" is not running`);
      await startServices(services);
      return services.forEach((service) => out(` ✔ Container postal-${service}-1  Started`));
    }
    if (sub === 'run') return composeRun(more);
    fail(`docker compose ${sub}: not stood in for`);
  }
  fail(`docker ${command}: not stood in for`);
}

/**
 * Postal's processes (re)started: they read /config/postal.yml and the files it names (the stand-in reads
 * smtp_server's TLS settings from it). Every regular file of /config goes along, keyed by its path in the container.
 */
async function startServices(services) {
  const config = join(R, 'opt/postal/config');
  const postalYml = readFileSync(join(config, 'postal.yml'), 'utf8');
  const files = {};
  for (const name of readdirSync(config)) {
    const path = join(config, name);
    if (statSync(path).isFile() && statSync(path).size < 65536) files[`/config/${name}`] = readFileSync(path, 'utf8');
  }
  const said = await ops('POST', '/runner/services', { postalYml, files, restart: services });
  if (said.trim()) process.stderr.write(`${said.trim()}\n`);
}

/**
 * Caddy obtains a certificate for every site of its Caddyfile (here from the world CA, standing in for an
 * ACME CA) and keeps it where the caddy image keeps its data: /data/caddy/certificates/<issuer>/<host>/.
 */
async function caddyCertificates(args) {
  const mounts = new Map();
  for (let i = 0; i < args.length; i++)
    if (args[i] === '-v') {
      const [host, inside] = args[++i].split(':');
      mounts.set(inside, host);
    }
  const caddyfile = mounts.get('/etc/caddy/Caddyfile');
  const data = mounts.get('/data');
  if (!caddyfile || !data || !existsSync(caddyfile)) return;
  // Site blocks: a line of addresses opening a block at the top level (the global options block has none).
  const sites = readFileSync(caddyfile, 'utf8')
    .split('\n')
    .filter((l) => /^[a-z0-9.-]+(\s*,\s*[a-z0-9.-]+)*\s*\{\s*$/i.test(l))
    .flatMap((l) =>
      l
        .replace('{', '')
        .split(',')
        .map((h) => h.trim().toLowerCase()),
    );
  for (const host of sites) {
    const issued = JSON.parse(await ops('POST', '/caddy/certificate', { names: [host] }));
    const folder = join(data, 'caddy/certificates/acme-v02.api.letsencrypt.org-directory', host);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(join(folder, `${host}.crt`), issued.certificatePem, { mode: 0o600 });
    writeFileSync(join(folder, `${host}.key`), issued.privateKeyPem, { mode: 0o600 });
  }
}

const tools = { 'apt-get': aptGet, curl, ufw, docker };
if (!tools[program]) fail(`server-tools: unknown program ${program}`, 2);
await tools[program]();
