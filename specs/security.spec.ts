/** Security — "Server secured: no open relay, API keys enforced, TLS offered". */
import { describe } from 'vitest';
import { checkOpenRelay } from '../harness/checks/open-relay-check.ts';
import { checkStarttls } from '../harness/checks/starttls-check.ts';
import { checkWrongKey } from '../harness/checks/wrong-key-check.ts';
import { control } from '../harness/controls/control.ts';

describe('Security', () => {
  control('SEC-01', async ({ probes, deployment, run }) => {
    // The classic relay probes, unauthenticated: an outsider to an outsider, a forged local sender to an outsider.
    const senders = [`relay-probe-${run.runToken}@outside.invalid`, `${deployment.catchAll}@${deployment.domain}`];
    // A second recipient on a domain nobody can have configured tells relaying from a foreign domain taken as local.
    const recipients = [probes.target.relayProbeRecipient, `relay-probe-${run.runToken}@unrouted-${run.runToken}.invalid`];
    return { verdicts: [checkOpenRelay({ attempts: await probes.smtp.relayAttempts(senders, recipients) })] };
  });

  control('SEC-02', async ({ probes }) => {
    const { status, code, message, httpStatus, error } = await probes.credentials.wrongKey();
    return { verdicts: [checkWrongKey({ status, code, message, httpStatus, error })] };
  });

  control('SEC-03', async ({ probes }) => {
    const { capabilities, handshake, transcript } = await probes.smtp.startTls();
    return { verdicts: [checkStarttls({ ehloCapabilities: capabilities, handshake, host: probes.target.mailHost })], facts: { transcript } };
  });
});
