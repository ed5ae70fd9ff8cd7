import { describe, expect, it } from 'vitest';
import { type CliContractResult, type CliContractRuns, checkCliContract } from './cli-contract-check.ts';
import type { Verdict } from './verdict.ts';

const WRONG_KEY = 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2';
const SUBJECT = 'FN-06 run-7f3a2c';
const RCPT = 'dev1@mailgoat.ai';

const good: CliContractRuns = {
  configured: true,
  recipient: RCPT,
  subject: SUBJECT,
  send: { exitCode: 0, stdout: JSON.stringify({ message_id: 'a1b2@psrp.mailgoat.ai', messages: { [RCPT]: { id: 4711, token: 'AbCdEfGh12345678' } } }) },
  arrived: true,
  inboxList: { exitCode: 0, stdout: JSON.stringify([{ id: '4711', from: 'ceo@mailgoat.ai', to: [RCPT], subject: SUBJECT, timestamp: 1, read: false, snippet: 'hello' }]) },
  read: { exitCode: 0, stdout: `From: ceo@mailgoat.ai\nSubject: ${SUBJECT}\n\nhello`, ref: '4711' },
  badKeySend: { exitCode: 2, stdout: '', stderr: 'Error: invalid API key (InvalidServerAPIKey)' },
};

/** What MailGoat 1.2.0 does: inbox ids are Message-IDs that read cannot open, and a refused key exits 0. */
const mailgoat120: CliContractRuns = {
  ...good,
  inboxList: { exitCode: 0, stdout: JSON.stringify([{ id: '<a1b2@psrp.mailgoat.ai>', from: 'ceo@mailgoat.ai', to: [RCPT], subject: SUBJECT, timestamp: 1, read: false, snippet: 'hello' }]) },
  read: { exitCode: 4, stdout: '', stderr: 'Error: MessageNotFound', ref: '<a1b2@psrp.mailgoat.ai>' },
  badKeySend: {
    exitCode: 0,
    stdout: JSON.stringify({ status: 'error', time: 0.01, flags: {}, data: { code: 'InvalidServerAPIKey', message: 'The API token provided in X-Server-API-Key was not valid.', token: WRONG_KEY } }),
  },
};

const verdictOf = (result: CliContractResult): Verdict => {
  if (result.skipped) throw new Error(`unexpectedly skipped: ${result.reason}`);
  return result.verdict;
};

describe('checkCliContract', () => {
  it('is skipped, with the reason, when no CLI is configured — never passed', () => {
    expect(checkCliContract({ configured: false })).toEqual({ skipped: true, reason: 'no MailGoat CLI configured (set MAILGOAT_CLI to the command that runs it)' });
    expect(checkCliContract({ configured: false, reason: 'MAILGOAT_CLI is empty' })).toEqual({ skipped: true, reason: 'MAILGOAT_CLI is empty' });
  });

  it('passes a CLI that honours the contract', () => {
    const verdict = verdictOf(checkCliContract(good));
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('send (id 4711) → arrived → inbox list → read 4711 all work; a wrong key exits 2');
  });

  it('fails MailGoat 1.2.0 on both known defects, explaining each, without printing the wrong key', () => {
    const verdict = verdictOf(checkCliContract(mailgoat120));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain("`read <a1b2@psrp.mailgoat.ai>` exited 4: the id `inbox list` shows is the Message-ID header, but Postal's messages/message only accepts the numeric message id");
    expect(verdict.summary).toContain("`send` with a wrong API key exited 0 while printing Postal's error (error InvalidServerAPIKey): MailGoat 1.2.0 never checks the `status` field");
    expect(verdict.remediation).toMatch(/store Postal's numeric id/);
    expect(verdict.remediation).toMatch(/exit non-zero/);
    expect(JSON.stringify(verdict)).not.toContain(WRONG_KEY);
  });

  it('fails a send that printed Postal\'s error with exit 0, or gave no numeric id', () => {
    const refused = verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: '{"status":"error","data":{"code":"UnauthenticatedFromAddress"}}' }, arrived: false }));
    expect(refused.summary).toContain("exited 0 but printed Postal's error (error UnauthenticatedFromAddress)");
    expect(refused.summary).toContain("did not reach dev1@mailgoat.ai's inbox");
    const noId = verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: '{"message_id":"x","messages":{}}' } }));
    expect(noId.summary).toMatch(/gave no numeric id for dev1@mailgoat\.ai/);
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 3, stdout: '' } })).summary).toMatch(/`send --json` exited 3/);
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: 'Sent!' } })).summary).toMatch(/printed no JSON/);
  });

  it('fails when inbox list does not show the message, and when read exits 0 without it', () => {
    const notListed = verdictOf(checkCliContract({ ...good, inboxList: { exitCode: 0, stdout: '[]' } }));
    expect(notListed.summary).toBe('`inbox list --json` does not show the message "FN-06 run-7f3a2c" (0 entries)');
    const silentRead = verdictOf(checkCliContract({ ...good, read: { exitCode: 0, stdout: '{"status":"error","data":{"code":"MessageNotFound"}}', ref: '4711' } }));
    expect(silentRead.summary).toBe("`read 4711` exited 0 but printed Postal's error (error MessageNotFound)");
    expect(verdictOf(checkCliContract({ ...good, inboxList: { exitCode: null, stdout: '' } })).summary).toMatch(/was killed \(timeout\)/);
  });
});
