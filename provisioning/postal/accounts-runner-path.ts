/** Where the accounts script lives: provisioning uploads this file to /opt/postal/config on the server. */
import { fileURLToPath } from 'node:url';

export const ACCOUNTS_RUNNER_PATH = fileURLToPath(new URL('./accounts-runner.rb', import.meta.url));
/** Its name on the server, inside /opt/postal/config (mounted at /config in Postal's containers). */
export const ACCOUNTS_RUNNER_REMOTE_NAME = 'postal-qa-accounts.rb';
