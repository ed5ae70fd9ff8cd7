/**
 * tsx provisioning/accounts/main.ts [--deployment=fixtures/deployment.json] [--out=artifacts] [--fresh] [--force]
 * Writes <out>/accounts-manifest.json and <out>/postal-api-keys.txt (mode 600). Keys are kept
 * across runs unless --fresh; they are never printed.
 */
import { runProvisioningCommand } from '../provisioning-command.ts';
import { provisionAccounts } from './provision-accounts.ts';

process.exitCode = runProvisioningCommand('provision:accounts', (deployment, out, fresh, force) => {
  const result = provisionAccounts(deployment, out, { fresh, force });
  const { manifest } = result;
  const api = manifest.credentials.filter((c) => c.type === 'API').length;
  const smtp = manifest.credentials.length - api;
  const catchAll = manifest.routes.find((r) => r.name === '*');
  console.log(`Accounts manifest: ${result.manifestPath} (mode 600)`);
  console.log(
    `API keys:          ${result.apiKeysPath} (mode 600; ${api} API + ${smtp} SMTP credentials, ${result.reusedCredentials} kept from the previous run)`,
  );
  console.log(
    `Routes:            ${manifest.routes.length} (catch-all * → ${catchAll?.agentId ?? 'none'}), ${manifest.endpoints.length} HTTP endpoints, server token ${manifest.server.token}`,
  );
  console.log(`DKIM private key:  ${result.dkimPrivateKeyPath}`);
});
