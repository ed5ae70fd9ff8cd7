/**
 * tsx provisioning/accounts/main.ts [--deployment=fixtures/deployment.json] [--out=artifacts] [--fresh]
 * Writes <out>/accounts-manifest.json and <out>/postal-api-keys.txt (mode 600). Keys are kept
 * across runs unless --fresh; they are never printed.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../harness/config/config-error.ts';
import { loadDeployment } from '../../harness/config/load-deployment.ts';
import { provisionAccounts } from './provision-accounts.ts';

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
    console.error(`provision:accounts: ${(error as Error).message}. Usage: provision:accounts [--deployment=FILE] [--out=DIR] [--fresh]`);
    return 2;
  }

  try {
    const deployment = loadDeployment(values.deployment);
    const result = provisionAccounts(deployment, values.out, { fresh: values.fresh });
    const { manifest } = result;
    const api = manifest.credentials.filter((c) => c.type === 'API').length;
    const smtp = manifest.credentials.length - api;
    const catchAll = manifest.routes.find((r) => r.name === '*');
    console.log(`Accounts manifest: ${result.manifestPath} (mode 600)`);
    console.log(`API keys:          ${result.apiKeysPath} (mode 600; ${api} API + ${smtp} SMTP credentials, ${result.reusedCredentials} kept from the previous run)`);
    console.log(`Routes:            ${manifest.routes.length} (catch-all * → ${catchAll?.agentId ?? 'none'}), ${manifest.endpoints.length} HTTP endpoints, server token ${manifest.server.token}`);
    console.log(`DKIM private key:  ${result.dkimPrivateKeyPath}`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

process.exitCode = main();
