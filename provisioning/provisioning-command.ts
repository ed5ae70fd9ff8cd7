/**
 * What every provisioning command shares: `--deployment`, `--out`, `--fresh`, `--force` (overwrite a file in
 * `--out` that provisioning did not write); a bad flag, a broken
 * deployment file is one line and exit 2.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/config-error.ts';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import { loadDeployment } from '../core/deployment/load-deployment.ts';

export function runProvisioningCommand(
  name: string,
  provision: (deployment: Deployment, out: string, fresh: boolean, force: boolean) => void,
): number {
  let values: { deployment: string; out: string; fresh: boolean; force: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        deployment: { type: 'string', default: 'fixtures/deployment.json' },
        out: { type: 'string', default: 'artifacts' },
        fresh: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: { deployment: string; out: string; fresh: boolean; force: boolean } });
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}. Usage: ${name} [--deployment=FILE] [--out=DIR] [--fresh] [--force]`);
    return 2;
  }
  try {
    provision(loadDeployment(values.deployment), values.out, values.fresh, values.force);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
}
