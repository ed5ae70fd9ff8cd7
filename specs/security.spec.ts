/** Security — "Server secured: no open relay, API keys enforced, TLS offered". */
import { randomBytes } from 'node:crypto';
import { afterAll, describe } from 'vitest';
import { checkOpenRelay } from '../harness/checks/open-relay-check.ts';
import { checkStarttls } from '../harness/checks/starttls-check.ts';
import { checkWrongKey } from '../harness/checks/wrong-key-check.ts';
import { SmtpDialogue } from '../core/smtp/smtp-dialogue.ts';
import { control } from '../harness/controls/control.ts';
import { currentTarget } from '../harness/controls/run-context.ts';
import { clientsFor, requirePostal } from '../harness/controls/target-clients.ts';

const clients = clientsFor(currentTarget());
afterAll(() => clients.close());

describe('Security', () => {
  control('SEC-01', async ({ target, deployment, run }) => {
    // Two classic relay probes, unauthenticated: an outsider to an outsider, and a forged local sender to an outsider.
    const senders = [`relay-probe-${run.runToken}@outside.invalid`, `${deployment.catchAll}@${deployment.domain}`];
    const attempts = [];
    for (const from of senders) {
      const { dialogue } = await SmtpDialogue.open({ host: target.mailHost, port: 25, lookup: clients.lookup, timeoutMs: target.timeouts.connectMs });
      try {
        await dialogue.ehlo('relay-probe.postal-qa.invalid');
        const mail = await dialogue.command(`MAIL FROM:<${from}>`);
        const rcpt = mail.code < 400 ? await dialogue.command(`RCPT TO:<${target.relayProbeRecipient}>`) : mail;
        // Never send DATA: even on an open relay the probe must not become real mail.
        attempts.push({ from, to: target.relayProbeRecipient, stage: 'rcpt' as const, code: rcpt.code, reply: rcpt.text });
      } finally {
        dialogue.close();
      }
    }
    return { verdicts: [checkOpenRelay({ attempts })] };
  });

  control('SEC-02', async () => {
    const postal = requirePostal(clients);
    // A key that cannot exist: random, and never printed — the check keeps only status and code.
    const wrongKey = randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 24);
    const answer = await postal.call('messages/message', wrongKey, { id: 0 });
    return {
      verdicts: [
        checkWrongKey({ status: answer.status, code: String(answer.data.code ?? ''), message: String(answer.data.message ?? ''), httpStatus: answer.httpStatus }),
      ],
    };
  });

  control('SEC-03', async ({ target }) => {
    const { dialogue } = await SmtpDialogue.open({ host: target.mailHost, port: 25, lookup: clients.lookup, timeoutMs: target.timeouts.connectMs });
    try {
      const { capabilities } = await dialogue.ehlo('tls-probe.postal-qa.invalid');
      const handshake = capabilities.includes('STARTTLS')
        ? (await dialogue.startTls({ servername: target.mailHost, ca: target.trustedCaPem })).tls
        : undefined;
      return {
        verdicts: [checkStarttls({ ehloCapabilities: capabilities, handshake, host: target.mailHost })],
        facts: { transcript: dialogue.transcript },
      };
    } finally {
      dialogue.close();
    }
  });
});
