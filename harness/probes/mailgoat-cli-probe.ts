/**
 * The MailGoat CLI as an agent runs it (FN-06): per-agent configs, the recipient's own `inbox serve` as its
 * endpoint (MAILGOAT_INBOX_SERVE), send → arrival → inbox listing → read, and a send with a wrong key. The
 * command comes from MAILGOAT_CLI (without MAILGOAT_INBOX_SERVE, the inbox database from MAILGOAT_INBOX_DB);
 * arrival is read by the mail-flow probe; Postal is asked whether it has a listed numeric id.
 */
import type { CliContractInput } from '../checks/cli-contract-check.ts';
import { runMailgoatContract } from '../clients/mailgoat-cli.ts';
import type { MailFlowProbe } from './mail-flow-probe.ts';
import type { ProbeContext } from './probe-context.ts';
import { textOf } from '../../core/text-of.ts';

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
        ...(context.target.mailgoatInboxServe ? { inboxServe: context.target.mailgoatInboxServe } : {}),
        target: context.target,
        deployment: context.run.deployment,
        runToken: context.run.runToken,
        waitForArrival: (agentId, subject) => mail.waitForSubject(agentId, subject),
        lookup: async (id, apiKey) => {
          try {
            const answer = await context.postal().call('messages/message', apiKey, { id, _expansions: [] });
            if (answer.status === 'success') return 'found';
            return answer.data.code === 'MessageNotFound' ? 'not-found' : `${answer.status} ${textOf(answer.data.code)}`.trim();
          } catch (error) {
            return (error as Error).message;
          }
        },
      });
    },
  };
}
