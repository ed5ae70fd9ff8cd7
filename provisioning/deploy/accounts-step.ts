/**
 * Step 3: organization, Live mail server, the domain and its DNS check, one API credential per agent,
 * one SMTP credential, one HTTP endpoint and route per agent and the catch-all route — through Postal's
 * own Rails runner in its container (provisioning/postal/accounts-runner.rb). The admin user is made
 * there too: `postal make-user` prompts, a runner does not. Observing is the script's dry run, so the
 * plan shown is Postal's own answer to "what is missing".
 */
import { readFileSync } from 'node:fs';
import { ACCOUNTS_RUNNER_PATH, ACCOUNTS_RUNNER_REMOTE_NAME } from '../postal/accounts-runner-path.ts';
import type { AccountsPlan, AccountsResult } from './accounts-plan.ts';
import { parseAccountsResult } from './accounts-plan.ts';
import { accountsInput, accountsScript } from './remote-scripts.ts';
import type { Step } from './run-steps.ts';
import { runScriptWithInput, type StepEnv } from './server-steps.ts';

export type AccountsObservation = { available: false } | { available: true; result: AccountsResult };

export function accountsStep(
  env: StepEnv,
  plan: () => AccountsPlan,
  options: { postalReady: () => Promise<boolean> },
): Step<AccountsObservation> & { last?: AccountsResult } {
  const script = readFileSync(ACCOUNTS_RUNNER_PATH, 'utf8');
  const run = async (dryRun: boolean): Promise<AccountsResult> =>
    parseAccountsResult(
      await runScriptWithInput(
        env,
        dryRun ? "reading Postal's accounts" : "creating Postal's accounts",
        accountsScript(env.root, ACCOUNTS_RUNNER_REMOTE_NAME, dryRun),
        accountsInput(script, JSON.stringify(plan())),
      ),
    );

  const step: Step<AccountsObservation> & { last?: AccountsResult } = {
    id: 'postal-accounts',
    title:
      'Postal accounts: admin, organization, Live server, domain + DNS check, 1 API credential per agent, SMTP credential, endpoints and routes, catch-all',
    async observe() {
      if (!(await options.postalReady())) return { available: false };
      const result = await run(true);
      step.last = result;
      return { available: true, result };
    },
    plan(o) {
      if (!o.available || o.result.changes.length === 0) return [];
      return [
        {
          what: `create what Postal lacks (${o.result.changes.length} item${o.result.changes.length === 1 ? '' : 's'}) with the Rails runner`,
          details: o.result.changes,
          apply: async () => {
            step.last = await run(false);
          },
        },
      ];
    },
    dryRunNote(o) {
      return o.available
        ? undefined
        : 'Postal is not installed yet: after step 2 every account will be created (admin, organization, server, domain, credentials, endpoints, routes)';
    },
    postcondition(o) {
      if (!o.available) return ['Postal does not answer (the runner cannot start)'];
      const problems = o.result.changes.map((c) => `still missing: ${c}`);
      const wanted = plan().credentials.length;
      const withKeys = o.result.credentials.filter((c) => c.key).length;
      if (withKeys !== wanted) problems.push(`${withKeys} of ${wanted} credentials have a key`);
      if (!o.result.dkim_selector || !o.result.dkim_record) problems.push('the domain has no DKIM selector or record');
      return problems;
    },
  };
  return step;
}
