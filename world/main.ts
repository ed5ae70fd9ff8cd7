/**
 * npm run world -- [--deployment=fixtures/deployment.json] [--zone-file=PATH] [--stale-zone-file=PATH]
 *                  [--out=artifacts] [--net=127.0.0] [--dns-port=53] [--log-dns]
 * Provisions the DNS records into artifacts/ (reusing the DKIM key), starts the world on loopback
 * and stays up until Ctrl-C / SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../harness/config/config-error.ts';
import { loadDeployment } from '../harness/config/load-deployment.ts';
import { provisionDns } from '../provisioning/dns/provision-dns.ts';
import { ZoneFileError } from '../provisioning/dns/zone-file.ts';
import { startWorld } from './world.ts';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        deployment: { type: 'string', default: 'fixtures/deployment.json' },
        'zone-file': { type: 'string' },
        'stale-zone-file': { type: 'string' },
        out: { type: 'string', default: 'artifacts' },
        net: { type: 'string', default: '127.0.0' },
        'dns-port': { type: 'string', default: '53' },
        'log-dns': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`world: ${(error as Error).message}`);
    return 2;
  }
  const dnsPort = Number(values['dns-port']);
  if (!Number.isInteger(dnsPort) || dnsPort < 1 || dnsPort > 65535) {
    console.error(`world: --dns-port must be a port number (got "${values['dns-port']}")`);
    return 2;
  }

  let deployment;
  try {
    deployment = loadDeployment(values.deployment);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }

  const provisioned = provisionDns(deployment, values.out);
  const zonePath = values['zone-file'] ?? provisioned.zoneFilePath;
  const stalePath = values['stale-zone-file'];
  let zoneText: string;
  let staleZoneText: string | undefined;
  try {
    zoneText = readFileSync(zonePath, 'utf8');
    staleZoneText = stalePath === undefined ? undefined : readFileSync(stalePath, 'utf8');
  } catch (error) {
    console.error(`world: cannot read zone file: ${(error as Error).message}`);
    return 2;
  }

  let world;
  try {
    world = await startWorld({
      deployment,
      zoneText,
      staleZoneText,
      net: values.net,
      dnsPort,
      onDnsQuery: values['log-dns'] ? (q) => console.log(`dns ${q.transport} ${q.name} ${q.type} → rcode ${q.rcode}, ${q.answers} answer(s)`) : undefined,
    });
  } catch (error) {
    if (error instanceof ZoneFileError) console.error(`world: ${zonePath}: ${error.message}`);
    else console.error(`world: ${(error as Error).message}`);
    return 1;
  }

  const a = world.addresses;
  const { dns, dnsSecondary } = world.endpoints;
  const p = dns.port === 53 ? '' : ` -p ${dns.port}`;
  const domain = deployment.domain;
  const selector = deployment.dns.dkim.selector;
  console.log(`World for ${deployment.name} (${domain}) — net ${a.net}.0/24`);
  console.log(`  zone file:      ${zonePath}${values['zone-file'] ? '' : ' (provisioned)'}; DKIM key ${provisioned.dkimPrivateKeyPath}`);
  if (stalePath) console.log(`  stale zone:     ${stalePath} (served by the secondary)`);
  console.log(`  dns (primary):  ${dns.address}:${dns.port} udp+tcp   ns1.world.test`);
  console.log(`  dns (second.):  ${dnsSecondary.address}:${dnsSecondary.port} udp+tcp   ns2.world.test${stalePath ? ' (stale)' : ''}`);
  console.log(`  postal:         ${a.postal}   ${deployment.server.mailHost} / ${deployment.server.webHost} (stands for ${deployment.server.ip})`);
  console.log(`  gmail:          ${a.gmail}   mx.gmail.test`);
  console.log(`  outlook:        ${a.outlook}   mx.outlook.test`);
  console.log(`  sender:         ${a.sender}   mx.sender.test`);
  console.log(`  inboxes:        ${a.inboxes}   inboxes.world.test`);
  console.log('Try:');
  console.log(`  dig @${dns.address}${p} ${domain} MX +short`);
  console.log(`  dig @${dns.address}${p} ${domain} TXT +short`);
  console.log(`  dig @${dns.address}${p} ${selector}._domainkey.${domain} TXT +short`);
  console.log(`  dig @${dns.address}${p} _dmarc.${domain} TXT +short`);
  console.log(`  dig @${dns.address}${p} -x ${a.postal} +short`);
  console.log(`  dig @${dnsSecondary.address}${p} ${domain} TXT +short`);
  console.log('Ctrl-C to stop.');

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      console.log(`\n${signal}: stopping the world…`);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await world.stop();
  console.log('World stopped.');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
