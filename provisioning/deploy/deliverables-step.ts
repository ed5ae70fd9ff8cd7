/** Step 4 as a step: Postal's read-back (accounts result, `postal default-dkim-record`) → the deliverable files. */
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { AccountsResult } from './accounts-plan.ts';
import { buildDeliverables, deliverableChanges, deliverableProblems, type Deliverable } from './deliverables.ts';
import { defaultDkimRecordScript } from './remote-scripts.ts';
import type { Step } from './run-steps.ts';
import { runScript, type StepEnv } from './server-steps.ts';

export type DeliverablesObservation = { ready: false } | { ready: true; files: Deliverable[] };

export function deliverablesStep(
  env: StepEnv,
  deployment: Deployment,
  out: string,
  apiUrl: string,
  accounts: () => AccountsResult | undefined,
  force = false,
): Step<DeliverablesObservation> {
  return {
    id: 'deliverables',
    title: `deliverables in ${out}: postal-api-keys.txt, postal-dns-records.txt (Postal's DKIM record), postal-state.json (Postal's selector and records), ${deployment.agents.length} CLI configs and AGENTS.md sections`,
    async observe() {
      const result = accounts();
      if (!result?.dkim_record) return { ready: false };
      const installRecord = (await runScript(env, 'postal default-dkim-record', defaultDkimRecordScript(env.root)))
        .split('\n')
        .find((l) => l.startsWith('v=DKIM1'));
      if (!installRecord) throw new Error('postal default-dkim-record printed no v=DKIM1 record');
      return { ready: true, files: buildDeliverables(deployment, result, installRecord.trim(), out, apiUrl) };
    },
    plan: (o) => (o.ready ? deliverableChanges(o.files, out, force) : []),
    dryRunNote: (o) => (o.ready ? undefined : 'after step 3: write the deliverables from what Postal generated'),
    postcondition: (o) => (o.ready ? deliverableProblems(o.files) : ['Postal gave no accounts to write deliverables from']),
  };
}
