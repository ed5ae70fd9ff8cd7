import { describe, expect, it } from 'vitest';
import { type CliContractResult, type CliContractRuns, checkCliContract, postalErrorCode } from './cli-contract-check.ts';
import type { Verdict } from './verdict.ts';

const WRONG_KEY = 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2';
const SUBJECT = 'FN-06 run-7f3a2c';
const BODY = 'postal-qa probe run-7f3a2c';
const RCPT = 'dev1@mailgoat.ai';
const DB = '/tmp/world/mailgoat/dev1/.mailgoat/inbox/messages.db';
const MESSAGE_ID = 'a1b2c3d4-0000-4000-8000-000000000001@rp.mailgoat.ai';
const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const entry = (id: string) => ({ id, from: 'ceo@mailgoat.ai', to: [RCPT], subject: SUBJECT, snippet: BODY, timestamp: '2026-01-01T00:00:00.000Z', read: false });
const message = { id: 4711, token: 'AbCdEfGh', status: { status: 'Sent', held: false }, details: { subject: SUBJECT, message_id: MESSAGE_ID, rcpt_to: RCPT }, plain_body: `${BODY}\n` };

const good: CliContractRuns = {
  configured: true,
  recipient: RCPT,
  subject: SUBJECT,
  body: BODY,
  inboxDatabase: DB,
  send: { exitCode: 0, stdout: pretty({ message_id: MESSAGE_ID, messages: { [RCPT]: { id: 4711, token: 'AbCdEfGh12345678' } } }) },
  arrived: true,
  inboxList: { exitCode: 0, stdout: JSON.stringify([entry('4711')]), args: ['inbox', 'list', '--json', '--db-path', DB] },
  inboxBare: { exitCode: 0, stdout: JSON.stringify([entry('4711')]), args: ['inbox', '--json', '--db-path', DB] },
  read: { exitCode: 0, stdout: pretty(message), ref: '4711' },
  badKeySend: { exitCode: 4, stdout: '', stderr: '{"status":"error","message":"InvalidServerAPIKey: The API token provided in X-Server-API-Key was not valid."}' },
};

/** What MailGoat 1.2.0 prints and does (observed by running a build of its tag v1.2.0). */
const mailgoat120: CliContractRuns = {
  ...good,
  inboxList: { exitCode: 0, stdout: '\u001b[33mNo messages found in local cache.\u001b[39m\n', args: good.inboxList.args },
  inboxBare: { exitCode: 0, stdout: pretty([entry(MESSAGE_ID)]), args: good.inboxBare.args },
  read: { exitCode: 0, stdout: pretty({ message: 'No message found matching provided ID', id: MESSAGE_ID, code: 'MessageNotFound' }), ref: MESSAGE_ID },
  badKeySend: { exitCode: 0, stdout: pretty({ message: 'The API token provided in X-Server-API-Key was not valid.', token: WRONG_KEY, code: 'InvalidServerAPIKey' }) },
};

const verdictOf = (result: CliContractResult): Verdict => {
  if (result.skipped) throw new Error(`unexpectedly skipped: ${result.reason}`);
  return result.verdict;
};

describe('postalErrorCode', () => {
  it("finds Postal's error in its envelope or in the bare data object 1.2.0 prints, never in a message's status expansion", () => {
    expect(postalErrorCode({ status: 'error', data: { code: 'InvalidServerAPIKey' } })).toBe('InvalidServerAPIKey');
    expect(postalErrorCode({ message: 'The From address is not authorised', code: 'UnauthenticatedFromAddress' })).toBe('UnauthenticatedFromAddress');
    expect(postalErrorCode(message)).toBeUndefined();
    expect(postalErrorCode({ message_id: 'x', messages: {} })).toBeUndefined();
    expect(postalErrorCode([{ code: 'X', message: 'y' }])).toBeUndefined();
  });
});

describe('checkCliContract', () => {
  it('is skipped, with the reason, when no CLI is configured — never passed', () => {
    expect(checkCliContract({ configured: false })).toEqual({ skipped: true, reason: 'no MailGoat CLI configured (set MAILGOAT_CLI to the command that runs it)' });
    expect(checkCliContract({ configured: false, reason: 'MAILGOAT_CLI is empty' })).toEqual({ skipped: true, reason: 'MAILGOAT_CLI is empty' });
  });

  it('passes a CLI that honours the contract', () => {
    const verdict = verdictOf(checkCliContract(good));
    expect(verdict.outcome, verdict.summary).toBe('pass');
    expect(verdict.summary).toBe('send (id 4711) → arrived → the inbox lists it (id 4711) → read 4711 opens it; a wrong key exits 4');
  });

  it('fails MailGoat 1.2.0 naming the status, read and inbox-option defects apart, without printing the wrong key', () => {
    const verdict = verdictOf(checkCliContract(mailgoat120));
    expect(verdict.outcome).toBe('fail');
    const findings = verdict.summary.split('; ');
    expect(findings.filter((f) => f.startsWith('status defect: '))).toHaveLength(1);
    expect(verdict.summary).toContain(
      `status defect: \`read ${MESSAGE_ID} --json\` (MessageNotFound), \`send --json\` with a wrong API key (InvalidServerAPIKey) exited 0 while printing Postal's error (an agent would believe mail sent with a wrong key went out)`,
    );
    expect(verdict.summary).toContain('never checks the `status` field');
    expect(verdict.summary).toContain(`read defect: \`read ${MESSAGE_ID} --json\` answered Postal's MessageNotFound: the id the inbox lists is the Message-ID header`);
    expect(verdict.summary).toContain(`inbox-option defect: \`inbox list --json --db-path ${DB}\` printed no JSON list (No messages found in local cache.) while \`inbox --json --db-path ${DB}\` lists the message`);
    expect(verdict.remediation).toMatch(/store Postal's numeric id/);
    expect(verdict.remediation).toMatch(/exit non-zero/);
    expect(verdict.remediation).toMatch(/declare --json, --db-path/);
    expect(JSON.stringify(verdict)).not.toContain(WRONG_KEY);
  });

  it("fails a send that printed Postal's data with exit 0 (the status defect), or gave no numeric id", () => {
    const refused = verdictOf(
      checkCliContract({ ...good, send: { exitCode: 0, stdout: pretty({ message: 'The From address is not authorised to send mail from this server', code: 'UnauthenticatedFromAddress' }) }, arrived: false }),
    );
    expect(refused.summary).toMatch(/^status defect: `send --json` \(UnauthenticatedFromAddress\) exited 0 while printing Postal's error/);
    expect(refused.summary).toContain("did not reach dev1@mailgoat.ai's inbox");
    const noId = verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: '{"message_id":"x","messages":{}}' } }));
    expect(noId.summary).toMatch(/gave no numeric id for dev1@mailgoat\.ai/);
    const network = verdictOf(checkCliContract({ ...good, send: { exitCode: 3, stdout: '', stderr: '{"status":"error","message":"Network error: getaddrinfo ENOTFOUND"}' } }));
    expect(network.summary).toMatch(/`send --json` exited 3: \{"status":"error","message":"Network error/);
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: 'Sent!' } })).summary).toMatch(/printed no JSON/);
  });

  it("never reads with another id when no listing shows the message, and says what each listing printed", () => {
    const { read: _read, ...rest } = good;
    const verdict = verdictOf(checkCliContract({ ...rest, inboxList: { ...good.inboxList, stdout: '[]' }, inboxBare: { ...good.inboxBare, exitCode: 1, stdout: '' } }));
    expect(verdict.summary).toBe(`the inbox does not show the message "${SUBJECT}": \`inbox list --json --db-path ${DB}\` printed a JSON list of 0 without it, \`inbox --json --db-path ${DB}\` exited 1`);
    expect(verdict.evidence.find((e) => e.label === 'read')?.detail).toMatchObject({ ran: false });
  });

  it('fails a read that exits 0 without the message, or opened one only through Postal reading leading digits', () => {
    const empty = verdictOf(checkCliContract({ ...good, read: { exitCode: 0, stdout: 'Message Details\n\n', ref: '4711' } }));
    expect(empty.summary).toBe('`read 4711 --json` exited 0 but did not show the message (a JSON object with its subject and plain_body)');
    const otherKey = verdictOf(checkCliContract({ ...good, read: { exitCode: 0, stdout: pretty({ message: 'bad', code: 'InvalidServerAPIKey' }), ref: '4711' } }));
    expect(otherKey.summary).toContain("`read 4711 --json` printed Postal's error InvalidServerAPIKey instead of the message");
    const lucky = `12${MESSAGE_ID.slice(2)}`;
    const byLuck = verdictOf(
      checkCliContract({ ...good, inboxList: { ...good.inboxList, stdout: JSON.stringify([entry(lucky)]) }, read: { exitCode: 0, stdout: pretty({ ...message, id: 12 }), ref: lucky } }),
    );
    expect(byLuck.summary).toMatch(/^read defect: `read 12.+ --json` opened Postal message 12 only because Postal reads the id's leading digits/);
  });

  it('fails a wrong-key send that exits 0, or exits non-zero for another reason than the key', () => {
    expect(verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: 0, stdout: good.send.stdout } })).summary).toBe(
      '`send` with a wrong API key exited 0 and printed no error: an agent would believe the mail went out',
    );
    const network = verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: 3, stdout: '', stderr: '✗ Network error: connect ECONNREFUSED 127.0.0.10:443' } }));
    expect(network.summary).toMatch(/exited 3 without saying the key was refused \(✗ Network error.*\): the failure may have another cause/);
    expect(verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: 2, stdout: '', stderr: '✗ Configuration validation failed: Invalid API key' } })).outcome).toBe('pass');
    expect(verdictOf(checkCliContract({ ...good, inboxBare: { ...good.inboxBare, exitCode: null, stdout: '' }, inboxList: { ...good.inboxList, exitCode: null, stdout: '' } })).summary).toMatch(/was killed \(timeout\)/);
  });
});
