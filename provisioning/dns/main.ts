/**
 * npm run provision:dns -- [--deployment=fixtures/deployment.json] [--out=artifacts] [--fresh] [--force]
 * Writes <out>/postal-dns-records.txt and <out>/dkim/<selector>.private.pem (kept and reused unless --fresh).
 */
import { runProvisioningCommand } from '../provisioning-command.ts';
import { provisionDns } from './provision-dns.ts';

process.exitCode = runProvisioningCommand('provision:dns', (deployment, out, fresh, force) => {
  const result = provisionDns(deployment, out, { fresh, force });
  console.log(`DNS records:      ${result.zoneFilePath} (${result.records.length} records)`);
  console.log(`DKIM private key: ${result.dkimPrivateKeyPath} (${result.dkimKeyReused ? 'reused' : 'new'}, ${deployment.dns.dkim.keyBits}-bit, mode 600)`);
});
