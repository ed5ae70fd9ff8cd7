/**
 * npm run provision:dns -- [--deployment=fixtures/deployment.json] [--out=artifacts] [--fresh]
 * Writes <out>/postal-dns-records.txt and <out>/dkim/<selector>.private.pem (kept and reused unless --fresh).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../harness/config/config-error.ts';
import { loadDeployment } from '../../harness/config/load-deployment.ts';
import { provisionDns } from './provision-dns.ts';

function main(): number {
  let values: { deployment: string; out: string; fresh: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        deployment: { type: 'string', default: 'fixtures/deployment.json' },
        out: { type: 'string', default: 'artifacts' },
        fresh: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: { deployment: string; out: string; fresh: boolean } });
  } catch (error) {
    console.error(`provision:dns: ${(error as Error).message}. Usage: provision:dns [--deployment=FILE] [--out=DIR] [--fresh]`);
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

  const result = provisionDns(deployment, values.out, { fresh: values.fresh });
  console.log(`DNS records:      ${result.zoneFilePath} (${result.records.length} records)`);
  console.log(`DKIM private key: ${result.dkimPrivateKeyPath} (${result.dkimKeyReused ? 'reused' : 'new'}, ${deployment.dns.dkim.keyBits}-bit, mode 600)`);
  return 0;
}

process.exitCode = main();
