// Each step of the CLI contract on both sides of its line, with the exact finding and fix.
import { describe, expect, it } from 'vitest';
import { type CliContractResult, type CliContractRuns, checkCliContract } from './cli-contract-check.ts';
import type { Verdict } from './verdict.ts';

const SUBJECT = 'FN-06 run-7f3a2c';
const RCPT = 'dev1@mailgoat.ai';
const sendOut = (id: unknown, rcpt = RCPT) => JSON.stringify({ message_id: 'a1b2@psrp.mailgoat.ai', messages: { [rcpt]: { id, token: 't' } } });
const good: CliContractRuns = {
  configured: true,
  recipient: RCPT,
  subject: SUBJECT,
  send: { exitCode: 0, stdout: sendOut(4711) },
  arrived: true,
  inboxList: { exitCode: 0, stdout: JSON.stringify([{ id: '1', subject: 'other' }, { id: '4711', subject: SUBJECT }]) },
  read: { exitCode: 0, stdout: `Subject: ${SUBJECT}`, ref: '4711' },
  badKeySend: { exitCode: 2, stdout: '', stderr: 'Error: invalid API key' },
};
const verdictOf = (result: CliContractResult): Verdict => {
  if (result.skipped) throw new Error(`unexpectedly skipped: ${result.reason}`);
  return result.verdict;
};
const run = (over: Partial<CliContractRuns>) => verdictOf(checkCliContract({ ...good, ...over }));
const STATUS_DEFECT =
  "MailGoat 1.2.0 never checks the `status` field of Postal's answer (Postal always answers HTTP 200), so a refused request looks like success";
const STATUS_FIX = 'Fix the MailGoat CLI: treat any Postal `status` other than "success" as an error and exit non-zero (2 for InvalidServerAPIKey, 4 for other API errors)';

describe('checkCliContract evidence', () => {
  it('passes with exact texts and evidence of every step', () => {
    expect(run({ recipient: 'DEV1@mailgoat.ai' })).toEqual({
      outcome: 'pass',
      summary: 'send (id 4711) → arrived → inbox list → read 4711 all work; a wrong key exits 2',
      expected: 'send --json gives a numeric id, the message arrives, inbox list shows it, read opens it, a wrong key exits non-zero',
      observed: 'send exit 0, arrived true, listed true, read exit 0 (shown), wrong key exit 2',
      evidence: [
        { label: 'send --json', detail: { exitCode: 0, stdout: sendOut(4711), postalId: 4711 } },
        { label: 'arrival', detail: { recipient: 'DEV1@mailgoat.ai', arrived: true } },
        { label: 'inbox list --json', detail: { exitCode: 0, stdout: good.inboxList.stdout, entries: 2, listedId: '4711' } },
        { label: 'read 4711', detail: { exitCode: 0, stdout: `Subject: ${SUBJECT}`, ref: '4711', showsMessage: true } },
        { label: 'send --json with a wrong key', detail: { exitCode: 2, stdout: '', stderr: 'Error: invalid API key', postalStatus: null } },
      ],
    });
  });

  it('shows nulls for what it could not read', () => {
    const verdict = run({ send: { exitCode: 0, stdout: '[]' }, inboxList: { exitCode: 0, stdout: '{}' }, read: { exitCode: 0, stdout: SUBJECT } });
    expect(verdict.evidence.map((e) => e.detail)).toMatchObject([{ postalId: null }, {}, { entries: null, listedId: null }, { ref: null }, {}]);
    expect(verdict.evidence[3]?.label).toBe('read');
    expect(verdict.observed).toBe('send exit 0, arrived true, listed false, read exit 0 (shown), wrong key exit 2');
  });
});

describe('checkCliContract send', () => {
  it('fails a non-zero or killed send with the exact fix', () => {
    const verdict = run({ send: { exitCode: 1, stdout: sendOut(4711) } });
    expect(verdict.summary).toBe('`send --json` exited 1');
    expect(verdict.remediation).toBe("Run the same command by hand with this agent's config; check its server URL and API key (`mailgoat config validate`)");
    expect(run({ send: { exitCode: null, stdout: '' } }).summary).toBe('`send --json` was killed (timeout)');
  });

  it('fails output that is not JSON, and Postal\'s error printed with exit 0', () => {
    const text = run({ send: { exitCode: 0, stdout: 'Sent!' } });
    expect(text.summary).toBe('`send --json` printed no JSON');
    expect(text.remediation).toBe('Make `send --json` print only the JSON answer on stdout (logs go to stderr)');
    const refused = run({ send: { exitCode: 0, stdout: '{"status":"error","data":"x"}' } });
    expect(refused.summary).toBe(`\`send --json\` exited 0 but printed Postal's error (error): ${STATUS_DEFECT}`);
    expect(refused.remediation).toBe(STATUS_FIX);
  });

  it('wants a whole-number id for the recipient', () => {
    for (const id of [4711.5, '4711', null]) {
      const verdict = run({ send: { exitCode: 0, stdout: sendOut(id) } });
      expect(verdict.summary).toBe(`\`send --json\` gave no numeric id for ${RCPT} (messages.${RCPT}.id is ${JSON.stringify(id)})`);
      expect(verdict.remediation).toBe('Print Postal\'s answer as is: {"message_id", "messages": {"<rcpt>": {"id": <int>, "token"}}}');
    }
    expect(run({ send: { exitCode: 0, stdout: sendOut(1, 'other@mailgoat.ai') } }).summary).toMatch(/is null\)$/);
    expect(run({ send: { exitCode: 0, stdout: '{"status":"success","messages":{"dev1@mailgoat.ai":{"id":7}}}' } }).outcome).toBe('pass');
  });
});

describe('checkCliContract arrival and inbox list', () => {
  it('fails a message that did not arrive', () => {
    const verdict = run({ arrived: false });
    expect(verdict.summary).toBe("the message sent with the CLI did not reach dev1@mailgoat.ai's inbox");
    expect(verdict.remediation).toBe('Look the Postal id up (messages/message, messages/deliveries) and check the route for the recipient (INF-05)');
  });

  it('fails inbox list when it exits non-zero, prints no array, or lacks the message', () => {
    const exited = run({ inboxList: { exitCode: 1, stdout: '' } });
    expect(exited.summary).toBe('`inbox list --json` exited 1');
    expect(exited.remediation).toBe('Check the inbox database path (`--db-path`, ~/.mailgoat/inbox/messages.db) and that `inbox serve` is the endpoint Postal posts to');
    const notArray = run({ inboxList: { exitCode: 0, stdout: '{"id":"4711"}' } });
    expect(notArray.summary).toBe('`inbox list --json` did not print a JSON array');
    expect(notArray.remediation).toBe('Make `inbox list --json` print [{id, from, to, subject, timestamp, read, snippet}]');
    const missing = run({ inboxList: { exitCode: 0, stdout: JSON.stringify([null, 'x', { subject: 'other' }]) } });
    expect(missing.summary).toBe(`\`inbox list --json\` does not show the message "${SUBJECT}" (3 entries)`);
    expect(missing.remediation).toBe("Check Postal's route for the recipient posts to this agent's `inbox serve` endpoint and that it stores what it receives");
  });
});

describe('checkCliContract read', () => {
  it('fails a read that does not show the message, suggesting to compare by hand', () => {
    const verdict = run({ read: { exitCode: 0, stdout: 'Subject: other', ref: '4711' } });
    expect(verdict.summary).toBe('`read 4711` did not show the message');
    expect(verdict.remediation).toBe('Run `read 4711` by hand and compare with messages/message for the same id');
    const noRef = run({ read: { exitCode: 5, stdout: '' } });
    expect(noRef.summary).toBe('`read ` exited 5');
    expect(noRef.remediation).toBe('Run `read <id>` by hand and compare with messages/message for the same id');
  });

  it('accepts MailGoat\'s own record, whose status is an object, and Postal\'s success', () => {
    expect(run({ read: { exitCode: 0, stdout: JSON.stringify({ status: { held: false }, subject: SUBJECT }), ref: '4711' } }).outcome).toBe('pass');
    expect(run({ read: { exitCode: 0, stdout: JSON.stringify({ status: 'success', data: { subject: SUBJECT } }), ref: '4711' } }).outcome).toBe('pass');
  });

  it('explains a Message-ID ref, which Postal cannot look up', () => {
    const verdict = run({ read: { exitCode: 0, stdout: '', ref: '<a1b2@psrp>' } });
    expect(verdict.summary).toBe(
      "`read <a1b2@psrp>` did not show the message: the id `inbox list` shows is the Message-ID header, but Postal's messages/message only accepts the numeric message id, so read cannot open what the inbox lists",
    );
    expect(verdict.remediation).toBe("Fix the MailGoat CLI: store Postal's numeric id (the `id` field of the endpoint POST) with each inbox entry and pass that to messages/message");
    expect(run({ read: { exitCode: 0, stdout: '', ref: '12a' } }).remediation).toMatch(/^Fix the MailGoat CLI/);
    expect(run({ read: { exitCode: 0, stdout: '', ref: 'a12' } }).remediation).toMatch(/^Fix the MailGoat CLI/);
  });
});

describe('checkCliContract wrong key', () => {
  it('fails a wrong key that exits 0, with or without Postal\'s error printed', () => {
    const plain = run({ badKeySend: { exitCode: 0, stdout: 'ok' } });
    expect(plain.summary).toBe(`\`send\` with a wrong API key exited 0: ${STATUS_DEFECT}; an agent would believe the mail went out`);
    expect(plain.remediation).toBe(STATUS_FIX);
    const printed = run({ badKeySend: { exitCode: 0, stdout: '{"status":"error","data":{"code":"InvalidServerAPIKey"}}' } });
    expect(printed.evidence[4]?.detail).toMatchObject({ postalStatus: 'error InvalidServerAPIKey' });
    expect(run({ badKeySend: { exitCode: 0, stdout: '{"status":"success"}' } }).summary).toMatch(/^`send` with a wrong API key exited 0: /);
  });
});
