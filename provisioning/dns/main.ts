/**
 * npm run provision:dns -- [--deployment=fixtures/deployment.json] [--out=artifacts] [--force]
 * Writes <out>/postal-dns-records.txt: every record the deployment needs. Postal's own DKIM records (its
 * random selector and key for the domain, its install key) are written as Postal made them when
 * `npm run provision` has read them back into <out>/postal-state.json; until then they are commented
 * placeholders. No key is made here: a key Postal does not hold would only make DNS-04 pass for nothing.
 */
import { runProvisioningCommand } from '../provisioning-command.ts';
import { provisionDnsRecords } from './provision-dns.ts';

process.exitCode = runProvisioningCommand('provision:dns', (deployment, out, _fresh, force) => {
  const result = provisionDnsRecords(deployment, out, { force });
  console.log(`DNS records: ${result.zoneFilePath} (${result.records.length} records)`);
  console.log(
    result.postalSelector
      ? `DKIM:        Postal's records, selector ${result.postalSelector} (read back by npm run provision)`
      : "DKIM:        placeholders only: Postal makes the domain's selector and key; npm run provision writes the real records here",
  );
});
