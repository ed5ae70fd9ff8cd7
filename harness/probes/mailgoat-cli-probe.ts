/**
 * The MailGoat CLI as an agent runs it (FN-06): per-agent configs, send → arrival → inbox listing → read,
 * and a send with a wrong key. The command comes from MAILGOAT_CLI (the inbox database from the target, else MAILGOAT_INBOX_DB); arrival is read by the mail-flow probe.
 */
import type { CliContractInput } from '../checks/cli-contract-check.ts';
import { runMailgoatContract } from '../clients/mailgoat-cli.ts';
import type { MailFlowProbe } from './mail-flow-probe.ts';
import type { ProbeContext } from './probe-context.ts';

export interface MailgoatCliProbe {
  runContract(): Promise<CliContractInput>;
}

export function mailgoatCliProbe(context: ProbeContext, mail: MailFlowProbe): MailgoatCliProbe {
  return {
    runContract: () => {
      if (context.target.mailgoatCli) context.willSend(1, 'one message through the MailGoat CLI');
      return runMailgoatContract({
        command: context.target.mailgoatCli,
        inboxDbTemplate: context.target.mailgoatInboxDbTemplate,
        target: context.target,
        deployment: context.run.deployment,
        runToken: context.run.runToken,
        waitForArrival: (agentId, subject) => mail.waitForSubject(agentId, subject),
      });
    },
  };
}
