/**
 * npm run world -- [--deployment=fixtures/deployment.json] [--zone-file=PATH] [--stale-zone-file=PATH] [--describe-to=FILE]
 *                  [--out=.postal-qa/world-<net>] [--net=127.0.0] [--dns-port=53] [--fault=a,b] [--log-dns] [--log]
 *                  [--live-env=FILE] [--empty [--provision-env=FILE]] [--seed-from=artifacts] [--postal-worker-poll=on|off]
 *                  [--postal-spamd=on|off|outside] [--postal-rspamd=on]
 *                  [--postal=external --postal-address=IP [--postal-web-port=5000] --api-keys=FILE]
 * Provisions the deployment like a real setup would (zone file, DKIM and install keys, accounts
 * manifest, postal-api-keys.txt — all in --out, a folder of the world's net reused across runs, never
 * provisioning's `artifacts/`; made anew when what is there cannot be read), starts the whole world on
 * loopback, prints every endpoint a person can poke with dig, curl, swaks or an IMAP client, and
 * stays up until Ctrl-C / SIGTERM / SIGHUP, then stops everything it started (spamd and Dovecot included).
 * With --live-env it also writes every live setting pointed at itself (mode 600: it holds the world's
 * throwaway passwords), so `npm test -- --env=live --env-file=FILE` tests the world through the live path.
 * With --postal=external the world runs no Postal: its DNS, providers, inboxes and sender are set around a
 * Postal at --postal-address (a real one, provisioned with the world's inbox endpoints and asking the world's
 * DNS), with a TLS front on its address when its web server is plain HTTP on --postal-web-port; --api-keys
 * names the postal-api-keys.txt its provisioning wrote (postal-state.json beside it is read too).
 *
 * With --ipc (how the harness's embedded target starts it) the world is a child process: it sends its
 * description over the IPC channel once ready, and stops when told to, when the channel closes, or
 * when its launcher dies — a SIGKILLed harness never leaves a world behind.
 *
 * The last line printed at start is READY_LINE; scripts wait for it. Exit codes: 0 stopped on a
 * signal, 1 the world failed to start, 2 usage or configuration error.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/config-error.ts';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { provisionAccounts, type ProvisionAccountsResult } from '../provisioning/accounts/provision-accounts.ts';
import { provisionDns, type ProvisionDnsResult } from '../provisioning/dns/provision-dns.ts';
import { ZoneFileError } from '../core/artifacts/zone-file.ts';
import { watchLaunchers } from '../core/process/watch-launchers.ts';
import { ensureSystemPackages } from './system-packages.ts';
import { applyZoneFaults, FAULTS, findFault, type WorldFault } from './faults.ts';
import { describeWorld, type WorldDescription, type WorldMessage } from './world-description.ts';
import { formatEnvFile, liveEnvFor } from './live-env.ts';
import { writeDescription } from './write-description.ts';
import { seedWorldFiles, worldFolderForNet } from './world-files.ts';
import { renderPostalState } from '../core/artifacts/postal-state.ts';
import { startWorld, type World, type WorldMail } from './world.ts';
import type { PostalFaultOptions } from './postal/postal-faults.ts';
import { provisioningEnvLines, type ServerHost } from './server-host/server-host.ts';

/** Printed once everything answers; the e2e tests and scripts/bench-world.ts wait for it. */
const READY_LINE = 'World ready.';
/**
 * Each world makes its own CA; worlds on other nets (the fault matrix runs several) share the artifacts
 * folder, so each writes its CA under its net's name and none reads another's.
 */
const worldCaFileName = (net: string): string => (net === '127.0.0' ? 'world-ca.pem' : `world-ca-${net}.pem`);

/** Stop signals: a terminal's Ctrl-C (and Ctrl-\, SIGQUIT: no core dump), a supervisor's TERM, a closed terminal's HUP. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

interface Args {
  deployment: string;
  zoneFile?: string;
  staleZoneFile?: string;
  out: string;
  net: string;
  dnsPort: number;
  logDns: boolean;
  log: boolean;
  postalSpamd: boolean | 'outside';
  postalRspamd: boolean;
  /** --dnssec=on: the world signs the domain's zone (a fault may sign it broken) */
  dnssec: boolean;
  /** --postal-worker-poll=on: the stand-in picks messages up as Postal's worker polls (timings as a real server's) */
  postalWorkerPoll: boolean;
  faults: WorldFault[];
  ipc: boolean;
  liveEnv?: string;
  /** Postal holds nothing and the server host (sshd) is started: provision it with npm run provision */
  empty: boolean;
  /** with --empty: write provisioning's settings (PROVISION_*, POSTAL_API_URL) to this env file */
  provisionEnv?: string;
  /** Where a world in a container writes its description (JSON, mode 600) once ready: the local target reads it. */
  describeTo?: string;
  /** provisioning's output folder, read (never written) for an accounts manifest and DKIM keys to reuse */
  seedFrom?: string;
  /** --out was not given: the world's own folder of its net, which it may wipe and make anew */
  ownFolder: boolean;
  /** --temporary-out: --out is the run's own folder, removed when the world exits (however its launcher ended) */
  temporaryOut: boolean;
  /** --postal=external: the Postal the world is set around, and its provisioning's keys file */
  externalPostal?: { address: string; webPort?: number; apiKeys: string };
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      deployment: { type: 'string', default: 'fixtures/deployment.json' },
      'zone-file': { type: 'string' },
      'stale-zone-file': { type: 'string' },
      out: { type: 'string' },
      net: { type: 'string', default: process.env.POSTAL_QA_WORLD_NET || '127.0.0' },
      'dns-port': { type: 'string', default: '53' },
      'log-dns': { type: 'boolean', default: false },
      log: { type: 'boolean', default: false },
      // on: Postal inspects every incoming message; off: none (Postal's default); outside: all but mail between agents.
      'postal-spamd': { type: 'string', default: 'outside' },
      'postal-rspamd': { type: 'string', default: 'off' },
      dnssec: { type: 'string', default: 'off' },
      'postal-worker-poll': { type: 'string', default: 'off' },
      fault: { type: 'string', default: '' },
      ipc: { type: 'boolean', default: false },
      'live-env': { type: 'string' },
      empty: { type: 'boolean', default: false },
      'provision-env': { type: 'string' },
      'describe-to': { type: 'string' },
      'seed-from': { type: 'string', default: 'artifacts' },
      'temporary-out': { type: 'boolean', default: false },
      postal: { type: 'string', default: 'stand-in' },
      'postal-address': { type: 'string' },
      'postal-web-port': { type: 'string' },
      'api-keys': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  // A canonical dotted quad (127.0.040 is octal 32 to some tools): the same rule as the harness's POSTAL_QA_WORLD_NET.
  const octets = /^127\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/.exec(values.net);
  if (!octets || Number(octets[1]) > 255 || Number(octets[2]) > 255) {
    throw new ConfigError(
      `--net (or POSTAL_QA_WORLD_NET): expected the first three octets of a loopback /24 like 127.0.16 (no leading zeros), found ${JSON.stringify(values.net)}`,
    );
  }
  const dnsPort = Number(values['dns-port']);
  if (!Number.isInteger(dnsPort) || dnsPort < 1 || dnsPort > 65535) {
    throw new ConfigError(`--dns-port must be a port number (got "${values['dns-port']}")`);
  }
  if (values['provision-env'] !== undefined && !values.empty)
    throw new ConfigError('--provision-env needs --empty (only an empty world starts the server host provisioning reaches)');
  if (!['on', 'off', 'outside'].includes(values['postal-spamd']))
    throw new ConfigError(`--postal-spamd must be on, off or outside (got "${values['postal-spamd']}")`);
  if (!['on', 'off'].includes(values['postal-rspamd']))
    throw new ConfigError(`--postal-rspamd must be on or off (got "${values['postal-rspamd']}")`);
  if (!['on', 'off'].includes(values.dnssec)) throw new ConfigError(`--dnssec must be on or off (got "${values.dnssec}")`);
  if (!['on', 'off'].includes(values['postal-worker-poll']))
    throw new ConfigError(`--postal-worker-poll must be on or off (got "${values['postal-worker-poll']}")`);
  if (!['stand-in', 'external'].includes(values.postal))
    throw new ConfigError(`--postal must be stand-in or external (got "${values.postal}")`);
  let externalPostal: Args['externalPostal'];
  if (values.postal === 'external') {
    const address = values['postal-address'] ?? '';
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(address))
      throw new ConfigError(`--postal=external needs --postal-address=<the Postal's IPv4 address> (got "${address}")`);
    if (!values['api-keys'])
      throw new ConfigError("--postal=external needs --api-keys=<the postal-api-keys.txt that Postal's provisioning wrote>");
    const webPort = values['postal-web-port'] === undefined ? undefined : Number(values['postal-web-port']);
    if (webPort !== undefined && (!Number.isInteger(webPort) || webPort < 1 || webPort > 65535))
      throw new ConfigError(`--postal-web-port must be a port number (got "${values['postal-web-port']}")`);
    if (values.empty || values.fault)
      throw new ConfigError('--postal=external takes no --empty or --fault: the world does not run that Postal');
    externalPostal = { address, ...(webPort ? { webPort } : {}), apiKeys: resolve(values['api-keys']) };
  } else if (values['postal-address'] || values['postal-web-port'] || values['api-keys']) {
    throw new ConfigError('--postal-address, --postal-web-port and --api-keys go with --postal=external');
  }
  const faults = values.fault
    .split(',')
    .filter(Boolean)
    .map((name) => {
      const fault = findFault(name);
      if (!fault) throw new ConfigError(`--fault=${name}: no such fault; --list-faults shows the ${FAULTS.length} there are`);
      return fault;
    });
  return {
    ...(externalPostal ? { externalPostal } : {}),
    empty: values.empty,
    provisionEnv: values['provision-env'],
    faults,
    ipc: values.ipc,
    liveEnv: values['live-env'],
    describeTo: values['describe-to'],
    seedFrom: values['seed-from'] || undefined,
    // --temporary-out names the run's own folder (the harness's per-run folder): the world's as much as its default one.
    ownFolder: values.out === undefined || values['temporary-out'],
    temporaryOut: values['temporary-out'],
    postalSpamd: values['postal-spamd'] === 'outside' ? 'outside' : values['postal-spamd'] === 'on',
    postalRspamd: values['postal-rspamd'] === 'on',
    dnssec: values.dnssec === 'on',
    postalWorkerPoll: values['postal-worker-poll'] === 'on',
    deployment: values.deployment,
    zoneFile: values['zone-file'],
    staleZoneFile: values['stale-zone-file'],
    // The world's own files, by net: provisioning's deliverables (artifacts/) are the user's, never the world's.
    out: values.out ?? worldFolderForNet(values.net),
    net: values.net,
    dnsPort,
    logDns: values['log-dns'],
    log: values.log,
  };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The world's generated files, reused from an earlier start. Files an older or failed start left in the
 * world's own folder that cannot be used are throwaway: the folder is made anew (saying so), never a
 * reason to refuse every later start. A folder the user named with --out is only regenerated where the
 * world wrote it; a file provisioning did not write there is refused (one line), never overwritten.
 */
function provisionWorldFiles(
  deployment: Deployment,
  out: string,
  ownFolder: boolean,
  seedFrom: string | undefined,
): { dns: ProvisionDnsResult; accounts: ProvisionAccountsResult } {
  seedWorldFiles(seedFrom, out);
  // In its own folder the world owns every file, the copies it seeded from provisioning's folder included.
  const force = ownFolder;
  try {
    return { dns: provisionDns(deployment, out, { force }), accounts: provisionAccounts(deployment, out, { force }) };
  } catch (error) {
    if (!(error instanceof ConfigError) || !error.message.includes(out)) throw error;
    if (!ownFolder && error.message.includes('not written by provisioning')) throw error;
    console.error(
      `world: ${error.message.replace(/; fix it or provision again with --fresh$/, '')}: the world's files in ${out} are made anew`,
    );
    // Made anew from nothing: what was copied from provisioning's folder may be what could not be read.
    if (ownFolder) rmSync(out, { recursive: true, force: true });
    return {
      dns: provisionDns(deployment, out, { fresh: true, force }),
      accounts: provisionAccounts(deployment, out, { fresh: true, force }),
    };
  }
}

/** A wrapper (npm, its `sh -c`) may pass the same signal on after the terminal sent it to the whole group. */
const DUPLICATE_SIGNAL_MS = 500;

/**
 * Resolves with the reason to stop: the first stop signal, or the launcher's death. Installed before
 * the world starts, so a Ctrl-C during boot still stops whatever had started; a second signal
 * forces the exit (the daemons' process groups are SIGKILLed by their exit handler).
 */
function stopRequested(ipc: boolean): Promise<string> {
  return new Promise((resolve) => {
    if (ipc) {
      // The launcher decides when a run ends: a terminal's Ctrl-C reaches this process too, and the
      // harness must still be able to finish its report. It says stop, or its channel closes with it.
      process.on('message', (message: { type?: string }) => message?.type === 'stop' && resolve('the launcher asked to stop'));
      process.on('disconnect', () => resolve('the launcher is gone'));
      process.on('SIGINT', () => undefined);
      // The harness stops at once on SIGQUIT; the world then sees its channel close and stops cleanly.
      process.on('SIGQUIT', () => undefined);
    }
    let first: { signal: NodeJS.Signals; at: number } | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (first) {
        if (signal === first.signal && Date.now() - first.at < DUPLICATE_SIGNAL_MS) return;
        console.error(`\n${signal} again: exiting now`);
        process.exit(130);
      }
      first = { signal, at: Date.now() };
      resolve(signal);
    };
    for (const signal of STOP_SIGNALS) if (!(ipc && (signal === 'SIGINT' || signal === 'SIGQUIT'))) process.on(signal, onSignal);
    watchLaunchers((launcher) => resolve(`${launcher} exited`));
  });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function printEndpoints(
  args: Args,
  deployment: Deployment,
  world: World,
  files: { zone: string; dns: ProvisionDnsResult; accounts: ProvisionAccountsResult; ca: string; apiKeys: string },
): void {
  const a = world.addresses;
  const { dns, dnsSecondary } = world.endpoints;
  const mail = world.mail as WorldMail;
  const p = dns.port === 53 ? '' : ` -p ${dns.port}`;
  const { domain } = deployment;
  const { mailHost } = deployment.server;
  const selector = deployment.dns.dkim.selector;
  const keys = files.apiKeys;
  const ceo = deployment.agents[0]!.address;
  const qa = deployment.agents.find((agent) => agent.id === 'qa')?.address ?? deployment.agents.at(-1)!.address;
  const web = mail.postal.web;
  const curl = `curl --cacert ${files.ca} --resolve ${web.host}:${web.port}:${web.address}`;
  const keyOf = (who: string): string => `$(awk '$1=="${who}"{print $2}' ${keys})`;
  const gmail = mail.providers[0]!;
  const seed = gmail.seeds[0]!;
  const pad = (label: string): string => `  ${label.padEnd(16)}`;

  console.log(`World for ${deployment.name} (${domain}) — net ${a.net}.0/24`);
  console.log('Files:');
  console.log(`${pad('zone file')}${files.zone}${args.zoneFile ? '' : ' (provisioned)'}`);
  if (args.staleZoneFile) console.log(`${pad('stale zone')}${args.staleZoneFile} (served by the secondary)`);
  console.log(`${pad('DKIM key')}${files.dns.dkimPrivateKeyPath}`);
  console.log(`${pad('accounts')}${files.accounts.manifestPath}`);
  console.log(`${pad('API keys')}${keys} (secret, mode 600: "<address> <key>" per agent, "smtp <key>" for SMTP AUTH)`);
  console.log(`${pad('world CA')}${files.ca} (trust it with curl --cacert / swaks --tls-ca-path / NODE_EXTRA_CA_CERTS)`);

  console.log('DNS:');
  console.log(`${pad('primary')}${dns.address}:${dns.port} udp+tcp   ns1.world.test`);
  console.log(
    `${pad('secondary')}${dnsSecondary.address}:${dnsSecondary.port} udp+tcp   ns2.world.test${args.staleZoneFile ? ' (stale)' : ''}`,
  );
  console.log(`    dig @${dns.address}${p} ${domain} MX +short`);
  console.log(`    dig @${dns.address}${p} ${domain} TXT +short`);
  console.log(`    dig @${dns.address}${p} ${selector}._domainkey.${domain} TXT +short`);
  console.log(`    dig @${dns.address}${p} _dmarc.${domain} TXT +short`);
  console.log(`    dig @${dns.address}${p} -x ${a.postal} +short`);
  console.log(`    dig @${dnsSecondary.address}${p} ${domain} TXT +short +tcp`);
  console.log(
    `${pad('provider API')}${world.endpoints.dnsProviderApi}/records   (publish records: curl --data-binary @postal-dns-records.txt …/records)`,
  );

  console.log(
    args.externalPostal
      ? `Postal (external, at ${args.externalPostal.address}, stands for ${deployment.server.ip}; not run by the world):`
      : `Postal (${a.postal}, stands for ${deployment.server.ip}, Postal ${deployment.postal.version}):`,
  );
  console.log(`${pad('web + API')}${web.url}   (${web.address}:${web.port})`);
  console.log(`    ${curl} ${web.url}/login`);
  console.log(`    ${curl} ${web.url}/.well-known/jwks.json`);
  console.log(
    `    ${curl} ${web.url}/api/v1/send/message -H "X-Server-API-Key: ${keyOf(ceo)}" -H 'Content-Type: application/json' ` +
      `-d '{"from":"${ceo}","to":["${seed.address}"],"subject":"Hello from the world","plain_body":"Hi!"}'`,
  );
  console.log(
    `${pad('SMTP')}${mail.postal.smtp.address}:${mail.postal.smtp.port}   ${mailHost} (STARTTLS, AUTH PLAIN/LOGIN with the smtp key)`,
  );
  console.log(
    `    swaks --server ${mail.postal.smtp.address} --to ${qa} --from someone@outside.test --tls --tls-verify --tls-ca-path ${files.ca} --tls-sni ${mailHost}`,
  );
  console.log(
    `    swaks --server ${mail.postal.smtp.address} --to ${seed.address} --from ${ceo} --tls --tls-ca-path ${files.ca} --auth PLAIN --auth-user smtp --auth-password "${keyOf('smtp')}"`,
  );
  console.log(`${pad('worker health')}${mail.postal.workerHealth.url}/health   ${mail.postal.workerHealth.url}/metrics`);
  console.log(`${pad('smtp health')}${mail.postal.smtpHealth.url}/health   ${mail.postal.smtpHealth.url}/metrics`);
  if (mail.postal.ops) console.log(`${pad('services')}${mail.postal.ops.composePs}   (like docker compose ps --format json)`);

  console.log(`Agent inboxes (${a.inboxes}; GET …/messages lists what the agent received):`);
  const width = Math.max(...mail.inboxes.map((i) => i.address.length));
  for (const inbox of mail.inboxes)
    console.log(`  ${inbox.address.padEnd(width)}  ${inbox.baseUrl}/messages   (Postal POSTs to ${inbox.url})`);
  // The MailGoat CLI as an agent runs it: its own `inbox serve` on the agents' host takes Postal's POSTs for that agent.
  const qaPort = new URL(mail.inboxes.find((i) => i.address === qa)?.baseUrl ?? 'http://x:3007').port;
  console.log(
    `  an agent's own inbox: HOME=<its home> NODE_EXTRA_CA_CERTS=${files.ca} <mailgoat> inbox serve --host ${a.agentHost} --port ${qaPort}   (receives ${qa}'s mail; config "server": "https://${web.address}")`,
  );

  console.log('Mailbox providers (seed logins are throwaway world credentials):');
  for (const provider of mail.providers) {
    console.log(
      `${pad(provider.displayName)}${provider.mxHost}   SMTP ${provider.smtp.address}:${provider.smtp.port} (STARTTLS)   IMAP ${provider.imap.address}:${provider.imap.port} (STARTTLS)`,
    );
    for (const s of provider.seeds) console.log(`    seed ${s.address}   login ${s.user}   password ${s.password}`);
  }
  console.log(`    curl --user '${seed.user}:${seed.password}' imap://${gmail.imap.address}:${gmail.imap.port}/INBOX -X 'SEARCH ALL'`);

  const sender = mail.sender;
  console.log(`Outside sender (${sender.domain}, mail from the Internet into ${domain}):`);
  console.log(
    `${pad('submission')}${sender.submission.address}:${sender.submission.port} (STARTTLS, AUTH)   login ${sender.user}   password ${sender.password}`,
  );
  console.log(
    `    swaks --server ${sender.submission.address}:${sender.submission.port} --tls --tls-ca-path ${files.ca} ` +
      `--auth PLAIN --auth-user ${sender.user} --auth-password '${sender.password}' --from ${sender.from} --to ${qa}`,
  );
  const tester = mail.mailTester;
  const testerHost = new URL(tester.webUrl).hostname;
  console.log(`mail-tester stand-in (${tester.domain}: any local part is a test id; FN-05 reads its report):`);
  console.log(`${pad('MX')}mx.${tester.domain} ${tester.smtp.address}:${tester.smtp.port}   reports ${tester.webUrl}/<id>&format=json`);
  console.log(
    `    swaks --server ${mail.postal.smtp.address} --to me-1@${tester.domain} --from ${ceo} --tls --tls-ca-path ${files.ca} --auth PLAIN --auth-user smtp --auth-password "${keyOf('smtp')}"`,
  );
  console.log(
    `    curl --cacert ${files.ca} --resolve ${testerHost}:${new URL(tester.webUrl).port || 443}:${tester.smtp.address} '${tester.webUrl}/me-1&format=json'`,
  );
  console.log(
    `SpamAssassin: spamd ${mail.spamd.version} at ${mail.spamd.address}:${mail.spamd.port}   (spamc -d ${mail.spamd.address} -p ${mail.spamd.port} -R < message.eml)`,
  );
  console.log(`Postal inspects incoming mail with: ${mail.postalInspection}`);
}

/** The live settings file: written whole, then renamed, so a reader never sees half of it. */
function writeLiveEnv(path: string, description: WorldDescription, deployment: Deployment, empty: boolean): void {
  const header = [
    `Live settings pointing at the world on ${description.net}.0/24, written by npm run world at ${new Date().toISOString()}.`,
    "Valid while that world runs. The passwords are the world's throwaway credentials.",
  ];
  const temporary = `${path}.${process.pid}.tmp`;
  const values = liveEnvFor(description, deployment);
  if (empty) {
    // An empty Postal holds none of provisioning's artifacts yet: the keys and the DKIM record are what `npm run provision` writes.
    delete values.POSTAL_API_KEYS_FILE;
    delete values.POSTAL_DKIM_RECORD;
    header.push('--empty: add POSTAL_API_KEYS_FILE (the postal-api-keys.txt npm run provision writes) once the server is provisioned.');
  }
  writeFileSync(temporary, formatEnvFile(values, header), { mode: 0o600 });
  renameSync(temporary, path);
}

/** --empty: how to provision the empty Postal through the server host (settings as provisioning reads them). */
function printServerHost(
  host: ServerHost,
  caPath: string,
  envFile: string | undefined,
  dns: { resolver: string; providerApi: string },
): void {
  console.log(`Server host (--empty: Postal holds nothing yet): sshd ${host.address}:${host.port}, host key pinned in ${host.knownHosts}`);
  // Postal makes the domain's selector and key itself; phase 2 waits for them in the world's DNS.
  const lines = provisioningEnvLines(host, { apiUrl: `https://${host.address}`, dnsResolver: dns.resolver });
  if (envFile) {
    writeFileSync(envFile, lines.join('\n') + '\n', { mode: 0o600 });
    console.log(
      `    NODE_EXTRA_CA_CERTS=${caPath} npm run provision -- --env-file=${envFile} [--dry-run]     # phase 1: --out=<dir> holds the deliverables`,
    );
    console.log(
      `    curl --data-binary @<dir>/postal-dns-records.txt ${dns.providerApi}/records               # publish Postal's records (the DNS provider's API)`,
    );
    console.log(
      `    NODE_EXTRA_CA_CERTS=${caPath} npm run provision -- --env-file=${envFile} --phase=2          # wait for DNS, then Postal's DNS check`,
    );
  } else {
    for (const line of lines) console.log(`  ${line}`);
    console.log('    (put these lines in a file, or pass --provision-env=<file>, then: npm run provision -- --env-file=<file>)');
  }
}

/** In --ipc mode every outcome goes to the launcher as a message; people read the console. */
function tell(message: WorldMessage): void {
  if (process.send) process.send(message);
}

async function main(argv: string[]): Promise<number> {
  // Whoever read our output may be gone (a killed launcher's pipe): the world must still stop cleanly.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const ipc = argv.includes('--ipc');
  let stopReason: string | undefined;
  const stop = stopRequested(ipc).then((reason) => (stopReason = reason));
  const began = performance.now();
  let args: Args;
  let deployment: Deployment;
  let zonePath: string;
  let zoneText: string;
  let staleZoneText: string | undefined;
  let dns: ProvisionDnsResult;
  let accounts: ProvisionAccountsResult;
  try {
    args = parse(argv);
    // A run's own folder goes with the world, also when the run that made it was stopped hard or killed.
    if (args.temporaryOut) process.once('exit', () => rmSync(args.out, { recursive: true, force: true }));
    deployment = loadDeployment(args.deployment);
    // Started by the harness (--ipc), the world needs its own programs only; by hand, also the tools it names for trying it.
    const missingPackages = ensureSystemPackages([
      'suite',
      ...(args.ipc ? [] : ['world-tools' as const]),
      ...(args.postalRspamd ? ['rspamd' as const] : []),
      ...(args.empty ? ['server-host' as const] : []),
    ]);
    if (missingPackages) throw new ConfigError(missingPackages);
    ({ dns, accounts } = provisionWorldFiles(deployment, args.out, args.ownFolder, args.seedFrom));
    zonePath = args.zoneFile ?? dns.zoneFilePath;
    // The generated zone comes from memory: parallel worlds rewrite the file and must never read half of it.
    zoneText = args.zoneFile ? readText(zonePath, 'zone file') : dns.zoneText;
    staleZoneText = args.staleZoneFile === undefined ? undefined : readText(args.staleZoneFile, 'stale zone file');
  } catch (error) {
    if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      tell({ type: 'error', kind: 'config', message: (error as Error).message });
      console.error(`world: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
  const provisionedMs = performance.now() - began;

  const faultContext = { deployment };
  let manifest = accounts.manifest;
  for (const fault of args.faults) if (fault.manifest) manifest = fault.manifest(manifest, faultContext);
  const startedAt = performance.now();
  let world: World;
  try {
    world = await startWorld({
      deployment,
      zoneText: applyZoneFaults(zoneText, args.faults, faultContext, 'zone') ?? zoneText,
      staleZoneText: staleZoneText ?? applyZoneFaults(zoneText, args.faults, faultContext, 'staleZone'),
      net: args.net,
      dnsPort: args.dnsPort,
      postalSpamd: args.postalSpamd,
      postalRspamd: args.postalRspamd,
      postalWorkerPoll: args.postalWorkerPoll,
      postalFaults: Object.assign({}, ...args.faults.map((f) => f.postal ?? {})) as PostalFaultOptions,
      dnssec: [...args.faults].reverse().find((f) => f.dnssec)?.dnssec ?? (args.dnssec ? 'signed' : undefined),
      accounts: {
        manifest,
        domainDkimPrivateKeyPem: readText(dns.dkimPrivateKeyPath, 'DKIM private key'),
        installSigningKeyPem: readText(dns.installSigningKeyPath, 'install signing key'),
      },
      onDnsQuery: args.logDns
        ? (q) => console.log(`dns ${q.transport} ${q.name} ${q.type} → rcode ${q.rcode}, ${q.answers} answer(s)`)
        : undefined,
      onLog: args.log ? (line) => console.log(line) : undefined,
      empty: args.empty,
      serverHost: args.empty,
      ...(args.externalPostal
        ? {
            externalPostal: {
              address: args.externalPostal.address,
              ...(args.externalPostal.webPort ? { webPort: args.externalPostal.webPort } : {}),
            },
          }
        : {}),
    });
    for (const fault of args.faults) await fault.afterStart?.(world, faultContext);
  } catch (error) {
    const message = error instanceof ZoneFileError ? `${zonePath}: ${error.message}` : (error as Error).message;
    tell({ type: 'error', kind: error instanceof ZoneFileError ? 'config' : 'start', message });
    console.error(`world: ${message}`);
    return error instanceof ZoneFileError ? 2 : 1;
  }
  const startMs = performance.now() - startedAt;

  try {
    if (stopReason) {
      console.log(`${stopReason} while starting: stopping the world…`);
      return 0;
    }
    const caPath = resolve(args.out, worldCaFileName(args.net));
    writeFileSync(caPath, world.mail!.ca.certificatePem);
    // What the world's Postal generated, as provisioning's postal-state.json says it (an empty Postal's comes from provisioning).
    const postalState = args.empty ? undefined : world.handles.postal?.state();
    const stateFile = postalState
      ? resolve(
          args.out,
          worldCaFileName(args.net)
            .replace(/^world-ca/, 'postal-state')
            .replace(/\.pem$/, '.json'),
        )
      : undefined;
    if (stateFile && postalState) writeFileSync(stateFile, renderPostalState(postalState));
    const faults = args.faults.map((f) => ({ name: f.name, description: f.description }));
    const apiKeysFile = args.externalPostal?.apiKeys ?? resolve(accounts.apiKeysPath);
    const description = describeWorld(world, deployment, accounts.manifest, faults, {
      caFile: caPath,
      apiKeysFile,
      ...(stateFile ? { stateFile } : {}),
    });
    if (args.liveEnv) {
      try {
        writeLiveEnv(args.liveEnv, description, deployment, args.empty);
      } catch (error) {
        const message = `--live-env=${args.liveEnv}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); name a file in a folder that exists and takes writes`;
        tell({ type: 'error', kind: 'config', message });
        console.error(`world: ${message}`);
        return 2;
      }
    }
    if (args.ipc) {
      tell({ type: 'ready', description, startedMs: Math.round(startMs) });
    } else {
      if (args.describeTo) writeDescription(args.describeTo, description);
      printEndpoints(args, deployment, world, { zone: zonePath, dns, accounts, ca: caPath, apiKeys: apiKeysFile });
      if (args.liveEnv)
        console.log(`Live settings: ${args.liveEnv} (mode 600)   npm test -- --env=live --env-file=${args.liveEnv} --allow-load`);
      if (world.serverHost)
        printServerHost(world.serverHost, caPath, args.provisionEnv, {
          resolver: `${world.endpoints.dns.address}:${world.endpoints.dns.port}`,
          providerApi: world.endpoints.dnsProviderApi,
        });
      console.log(`Started in ${seconds(startMs)} (spamd and Dovecot included; provisioning ${seconds(provisionedMs)} before).`);
      console.log(`${READY_LINE} Ctrl-C to stop.`);
    }
    console.log(`\n${await stop}: stopping the world…`);
  } finally {
    await world.stop();
  }
  console.log('World stopped.');
  return 0;
}

main(process.argv.slice(2)).then(
  // Explicit exit: a straggling socket or timer in some stand-in must not keep a stopped world's process alive.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
