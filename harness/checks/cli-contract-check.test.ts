import { describe, expect, it } from 'vitest';
import { type CliContractResult, type CliContractRuns, checkCliContract, postalErrorCode } from './cli-contract-check.ts';
import type { Verdict } from './verdict.ts';

const WRONG_KEY = 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2';
const SUBJECT = 'FN-06 run-7f3a2c';
const BODY = 'postal-qa probe run-7f3a2c';
const RCPT = 'dev1@mailgoat.ai';
const DB = '/tmp/postal-qa-mailgoat-x/recipient/.mailgoat/inbox/messages.db';
const SERVE_ARGS = ['inbox', 'serve', '--host', '127.0.9.41', '--port', '3002', '--path', '/webhooks/postal', '--db-path', DB];
const MESSAGE_ID = 'a1b2c3d4-0000-4000-8000-000000000001@rp.mailgoat.ai';
const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const entry = (id: string) => ({
  id,
  from: 'ceo@mailgoat.ai',
  to: [RCPT],
  subject: SUBJECT,
  snippet: BODY,
  timestamp: '2026-01-01T00:00:00.000Z',
  read: false,
});
const message = {
  id: 4711,
  token: 'AbCdEfGh',
  status: { status: 'Sent', held: false },
  details: { subject: SUBJECT, message_id: MESSAGE_ID, rcpt_to: RCPT },
  plain_body: `${BODY}\n`,
};

const good: CliContractRuns = {
  configured: true,
  recipient: RCPT,
  subject: SUBJECT,
  body: BODY,
  inboxDatabase: DB,
  serve: { exitCode: null, stdout: 'Webhook inbox server started\n', args: SERVE_ARGS, listening: true, at: '127.0.9.41:3002' },
  send: { exitCode: 0, stdout: pretty({ message_id: MESSAGE_ID, messages: { [RCPT]: { id: 4711, token: 'AbCdEfGh12345678' } } }) },
  arrived: true,
  inboxList: { exitCode: 0, stdout: JSON.stringify([entry('4711')]), args: ['inbox', 'list', '--json', '--db-path', DB] },
  inboxBare: { exitCode: 0, stdout: JSON.stringify([entry('4711')]), args: ['inbox', '--json', '--db-path', DB] },
  read: { exitCode: 0, stdout: pretty(message), ref: '4711', postalLookup: 'found' },
  badKeySend: {
    exitCode: 4,
    stdout: '',
    stderr: '{"status":"error","message":"InvalidServerAPIKey: The API token provided in X-Server-API-Key was not valid."}',
  },
};

const SERVER_ERROR = `{"status":"error","message":"Get message ${MESSAGE_ID} (after 3 attempts): Postal server error (HTTP 500). The server may be experiencing issues.\\nTry again in a few minutes."}`;

/** What MailGoat 1.2.0 prints and does against Postal 3.3.2 (observed by running a build of its tag v1.2.0). */
const mailgoat120: CliContractRuns = {
  ...good,
  inboxList: { exitCode: 0, stdout: `│ ${MESSAGE_ID} │ ceo@mailgoat.ai │ ${RCPT} │ ${SUBJECT} │ no │\n`, args: good.inboxList.args },
  inboxBare: { exitCode: 0, stdout: pretty([entry(MESSAGE_ID)]), args: good.inboxBare.args },
  read: { exitCode: 4, stdout: '', stderr: SERVER_ERROR, ref: MESSAGE_ID },
  badKeySend: {
    exitCode: 0,
    stdout: pretty({ message: 'The API token provided in X-Server-API-Key was not valid.', token: WRONG_KEY, code: 'InvalidServerAPIKey' }),
  },
};

const verdictOf = (result: CliContractResult): Verdict => {
  if (result.skipped) throw new Error(`unexpectedly skipped: ${result.reason}`);
  return result.verdict;
};

describe('postalErrorCode', () => {
  it("finds Postal's error in its envelope or in the bare data object 1.2.0 prints, never in a message's status expansion", () => {
    expect(postalErrorCode({ status: 'error', data: { code: 'InvalidServerAPIKey' } })).toBe('InvalidServerAPIKey');
    expect(postalErrorCode({ message: 'The From address is not authorised', code: 'UnauthenticatedFromAddress' })).toBe(
      'UnauthenticatedFromAddress',
    );
    expect(postalErrorCode(message)).toBeUndefined();
    expect(postalErrorCode({ message_id: 'x', messages: {} })).toBeUndefined();
    expect(postalErrorCode([{ code: 'X', message: 'y' }])).toBeUndefined();
  });
});

describe('checkCliContract', () => {
  it('is skipped, with the reason, when no CLI is configured — never passed', () => {
    expect(checkCliContract({ configured: false })).toEqual({
      skipped: true,
      reason: 'no MailGoat CLI configured (set MAILGOAT_CLI to the command that runs it)',
    });
    expect(checkCliContract({ configured: false, reason: 'MAILGOAT_CLI is empty' })).toEqual({
      skipped: true,
      reason: 'MAILGOAT_CLI is empty',
    });
  });

  it('passes a CLI that honours the contract', () => {
    const verdict = verdictOf(checkCliContract(good));
    expect(verdict.outcome, verdict.summary).toBe('pass');
    expect(verdict.summary).toBe('send (id 4711) → arrived → the inbox lists it (id 4711) → read 4711 opens it; a wrong key exits 4');
  });

  it('fails MailGoat 1.2.0 naming the status, read and inbox-option defects apart, by what it did, without printing the wrong key', () => {
    const verdict = verdictOf(checkCliContract(mailgoat120));
    expect(verdict.outcome).toBe('fail');
    const findings = verdict.summary.split('; ');
    expect(findings).toHaveLength(3);
    expect(findings[0]).toBe(
      'status defect: `send --json` with a wrong API key (InvalidServerAPIKey) exited 0 while printing Postal\'s error (an agent would believe mail sent with a wrong key went out): the CLI never checks the `status` field of Postal\'s answer (Postal answers HTTP 200 with status "error", and with --json the CLI prints only the `data` object), so a refused request looks like success to an agent',
    );
    expect(findings).toContain(
      `inbox-option defect: \`inbox list --json --db-path ${DB}\` printed no JSON list (│ ${MESSAGE_ID} │ ceo@mailgoat.ai │ ${RCPT} │ ${SUBJECT} │ no │) while \`inbox --json --db-path ${DB}\` lists the message: the parent \`inbox\` command declares the same --json and --db-path options and takes them wherever they appear, so the documented subcommand form reads the default database ~/.mailgoat/inbox/messages.db as a table (\`inbox serve --db-path\` is ignored the same way)`,
    );
    expect(findings[2]).toMatch(
      new RegExp(
        `^read defect: the inbox lists "${MESSAGE_ID}", not Postal's numeric id, and \`read ${MESSAGE_ID} --json\` exited 4: \\{"status":"error","message":"Get message ${MESSAGE_ID} \\(after 3 attempts\\): Postal `,
      ),
    );
    expect(findings[2]).toMatch(
      /: Postal's messages\/message finds a message by its numeric id only \(Postal 3\.3\.2 looks up an Integer: a Message-ID, or any id sent as a string, is answered HTTP 500\), and the inbox lists another id/,
    );
    expect(verdict.remediation).toMatch(/store Postal's numeric id/);
    expect(verdict.remediation).toMatch(/exit non-zero/);
    expect(verdict.remediation).toMatch(/declare --json, --db-path/);
    expect(JSON.stringify(verdict)).not.toContain(WRONG_KEY);
    // The inbox serve's own part is in the evidence.
    expect(verdict.evidence[0]).toMatchObject({ label: SERVE_ARGS.join(' '), detail: { at: '127.0.9.41:3002', listening: true } });
  });

  it("fails when the recipient's inbox serve did not listen, naming where and what it said", () => {
    const verdict = verdictOf(
      checkCliContract({
        ...good,
        serve: { ...good.serve!, listening: false, exitCode: 1, stderr: '✗ listen EADDRINUSE: address already in use 127.0.9.41:3002' },
        arrived: false,
      }),
    );
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary.split('; ')[0]).toBe(
      "`inbox serve` did not listen on 127.0.9.41:3002 (exited 1: Webhook inbox server started): Postal's posts for dev1@mailgoat.ai did not reach the CLI",
    );
    expect(verdict.remediation).toContain('`mailgoat inbox serve --host 127.0.9.41 --port 3002');
    const never = verdictOf(
      checkCliContract({
        ...good,
        serve: { ...good.serve!, listening: false, stdout: '', stderr: '127.0.9.41:3002 is already taken: something else listens there' },
      }),
    );
    expect(never.summary).toBe(
      "`inbox serve` did not listen on 127.0.9.41:3002 (not started or not answering: 127.0.9.41:3002 is already taken: something else listens there): Postal's posts for dev1@mailgoat.ai did not reach the CLI",
    );
    // Without a serve of its own (an agent's running one, MAILGOAT_INBOX_DB), nothing is said about it.
    const { serve: _serve, ...running } = good;
    expect(verdictOf(checkCliContract(running)).outcome).toBe('pass');
  });

  it("fails a send that printed Postal's data with exit 0 (the status defect), or gave no numeric id", () => {
    const refused = verdictOf(
      checkCliContract({
        ...good,
        send: {
          exitCode: 0,
          stdout: pretty({
            message: 'The From address is not authorised to send mail from this server',
            code: 'UnauthenticatedFromAddress',
          }),
        },
        arrived: false,
      }),
    );
    expect(refused.summary).toMatch(/^status defect: `send --json` \(UnauthenticatedFromAddress\) exited 0 while printing Postal's error/);
    expect(refused.summary).toContain("did not reach dev1@mailgoat.ai's inbox");
    const noId = verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: '{"message_id":"x","messages":{}}' } }));
    expect(noId.summary).toMatch(/gave no numeric id for dev1@mailgoat\.ai/);
    const network = verdictOf(
      checkCliContract({
        ...good,
        send: { exitCode: 3, stdout: '', stderr: '{"status":"error","message":"Network error: getaddrinfo ENOTFOUND"}' },
      }),
    );
    expect(network.summary).toMatch(/`send --json` exited 3: \{"status":"error","message":"Network error/);
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: 'Sent!' } })).summary).toMatch(/printed no JSON/);
  });

  it('never reads with another id when no listing shows the message, and says what each listing printed', () => {
    const { read: _read, ...rest } = good;
    const verdict = verdictOf(
      checkCliContract({
        ...rest,
        inboxList: { ...good.inboxList, stdout: '[]' },
        inboxBare: { ...good.inboxBare, exitCode: 1, stdout: '' },
      }),
    );
    expect(verdict.summary).toBe(
      `the inbox does not show the message "${SUBJECT}": \`inbox list --json --db-path ${DB}\` printed a JSON list of 0 without it, \`inbox --json --db-path ${DB}\` exited 1`,
    );
    expect(verdict.evidence.find((e) => e.label === 'read')?.detail).toMatchObject({ ran: false });
  });

  it('fails a numeric read that Postal can answer but the CLI cannot (the id not sent as a number), one that exits 0 without the message, and one Postal refuses', () => {
    const asString = verdictOf(
      checkCliContract({
        ...good,
        read: { exitCode: 4, stdout: '', stderr: SERVER_ERROR.replace(MESSAGE_ID, '4711'), ref: '4711', postalLookup: 'found' },
      }),
    );
    expect(asString.summary).toMatch(
      /^read defect: Postal has message 4711 \(messages\/message with the number finds it\), but `read 4711 --json` exited 4: .*: the CLI does not pass the id as a number$/,
    );
    expect(asString.remediation).toContain('as a JSON number');
    // The same failure when Postal does not have the message is not the CLI's read defect.
    const gone = verdictOf(
      checkCliContract({ ...good, read: { exitCode: 4, stdout: '', stderr: 'x', ref: '4711', postalLookup: 'not-found' } }),
    );
    expect(gone.summary).toBe('`read 4711 --json` exited 4: x (Postal asked with the number: not-found)');
    expect(gone.remediation).toMatch(/^Run `read 4711` by hand/);
    const empty = verdictOf(checkCliContract({ ...good, read: { exitCode: 0, stdout: 'Message Details\n\n', ref: '4711' } }));
    expect(empty.summary).toBe('`read 4711 --json` exited 0 but did not show the message (a JSON object with its subject and plain_body)');
    const otherKey = verdictOf(
      checkCliContract({ ...good, read: { exitCode: 0, stdout: pretty({ message: 'bad', code: 'InvalidServerAPIKey' }), ref: '4711' } }),
    );
    expect(otherKey.summary).toBe(
      "status defect: `read 4711 --json` (InvalidServerAPIKey) exited 0 while printing Postal's error: the CLI never checks the `status` field of Postal's answer (Postal answers HTTP 200 with status \"error\", and with --json the CLI prints only the `data` object), so a refused request looks like success to an agent; `read 4711 --json` printed Postal's error InvalidServerAPIKey",
    );
    // Another message shown, or the body missing: not this message.
    expect(
      verdictOf(
        checkCliContract({
          ...good,
          read: { ...good.read!, stdout: pretty({ ...message, details: { ...message.details, subject: 'other' } }) },
        }),
      ).outcome,
    ).toBe('fail');
    expect(
      verdictOf(checkCliContract({ ...good, read: { ...good.read!, stdout: pretty({ ...message, plain_body: 'other' }) } })).outcome,
    ).toBe('fail');
    // A read that opens the message with a listed Message-ID passes: what counts is what read shows.
    expect(
      verdictOf(
        checkCliContract({
          ...good,
          inboxList: { ...good.inboxList, stdout: JSON.stringify([entry(MESSAGE_ID)]) },
          read: { exitCode: 0, stdout: pretty(message), ref: MESSAGE_ID },
        }),
      ).outcome,
    ).toBe('pass');
  });

  it('fails a wrong-key send that exits 0, or exits non-zero for another reason than the key', () => {
    expect(verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: 0, stdout: good.send.stdout } })).summary).toBe(
      '`send` with a wrong API key exited 0 and printed no error: an agent would believe the mail went out',
    );
    const network = verdictOf(
      checkCliContract({
        ...good,
        badKeySend: { exitCode: 3, stdout: '', stderr: '✗ Network error: connect ECONNREFUSED 127.0.0.10:443' },
      }),
    );
    expect(network.summary).toMatch(
      /exited 3 without saying the key was refused \(✗ Network error.*\): the failure may have another cause/,
    );
    expect(
      verdictOf(
        checkCliContract({
          ...good,
          badKeySend: { exitCode: 2, stdout: '', stderr: '✗ Configuration validation failed: Invalid API key' },
        }),
      ).outcome,
    ).toBe('pass');
    expect(
      verdictOf(
        checkCliContract({
          ...good,
          inboxBare: { ...good.inboxBare, exitCode: null, stdout: '' },
          inboxList: { ...good.inboxList, exitCode: null, stdout: '' },
        }),
      ).summary,
    ).toMatch(/was killed \(timeout\)/);
  });
});

describe('what FN-06 shows a reader', () => {
  const details = (verdict: Verdict) =>
    verdict.evidence.map((e) => [e.label, { ...(e.detail as Record<string, unknown>), stdout: undefined, stderr: undefined }]);

  it('labels every step and states what each showed, for a CLI that passes', () => {
    const verdict = verdictOf(checkCliContract(good));
    expect(verdict.expected).toBe(
      'send --json gives a numeric id, the message arrives, `inbox list --json` shows it, `read <listed id>` opens it, a wrong key exits non-zero saying so',
    );
    expect(verdict.observed).toBe('send exit 0, arrived true, listed by inbox list, read exit 0, wrong key exit 4');
    expect(details(verdict)).toEqual([
      [SERVE_ARGS.join(' '), { exitCode: null, at: '127.0.9.41:3002', listening: true }],
      ['send --json', { exitCode: 0, postalId: 4711, postalError: null }],
      ['arrival', { recipient: RCPT, arrived: true }],
      [`inbox list --json --db-path ${DB}`, { exitCode: 0, entries: 1, showsMessage: true }],
      [`inbox --json --db-path ${DB}`, { exitCode: 0, entries: 1, showsMessage: true, listedId: '4711' }],
      ['read 4711 --json', { exitCode: 0, ref: '4711', postalError: null, showsMessage: true, postalWithTheNumber: 'found' }],
      ['send --json with a wrong key', { exitCode: 4, postalError: null }],
    ]);
    // stderr is quoted when there is some, left out when there is none
    expect(verdict.evidence[6]!.detail).toMatchObject({ stdout: '', stderr: expect.stringContaining('InvalidServerAPIKey') });
    expect(verdict.evidence[1]!.detail).not.toHaveProperty('stderr');
  });

  it('states what 1.2.0 did at each step', () => {
    const verdict = verdictOf(checkCliContract(mailgoat120));
    expect(verdict.observed).toBe(
      'send exit 0, arrived true, listed only by bare inbox, read exit 4, wrong key exit 0 (InvalidServerAPIKey)',
    );
    expect(details(verdict).slice(3)).toEqual([
      [`inbox list --json --db-path ${DB}`, { exitCode: 0, entries: null, showsMessage: false }],
      [`inbox --json --db-path ${DB}`, { exitCode: 0, entries: 1, showsMessage: true, listedId: MESSAGE_ID }],
      [`read ${MESSAGE_ID} --json`, { exitCode: 4, ref: MESSAGE_ID, postalError: null, showsMessage: false }],
      ['send --json with a wrong key', { exitCode: 0, postalError: 'InvalidServerAPIKey' }],
    ]);
    // Several silent errors are named together, comma-separated.
    const twice = verdictOf(
      checkCliContract({ ...mailgoat120, send: { exitCode: 0, stdout: pretty({ message: 'no', code: 'UnauthenticatedFromAddress' }) } }),
    );
    expect(twice.summary).toMatch(
      /^status defect: `send --json` \(UnauthenticatedFromAddress\), `send --json` with a wrong API key \(InvalidServerAPIKey\) exited 0/,
    );
    expect(twice.observed).toMatch(/^send exit 0 \(UnauthenticatedFromAddress\), /);
    expect(details(twice)[1]).toEqual(['send --json', { exitCode: 0, postalId: null, postalError: 'UnauthenticatedFromAddress' }]);
  });

  it('observes a listing missing and a read not run, and says why read was not run', () => {
    const { read: _read, ...rest } = good;
    const verdict = verdictOf(
      checkCliContract({ ...rest, inboxList: { ...good.inboxList, stdout: '[]' }, inboxBare: { ...good.inboxBare, stdout: '[]' } }),
    );
    expect(verdict.observed).toBe('send exit 0, arrived true, listed no, read not run, wrong key exit 4');
    expect(verdict.evidence.find((e) => e.label === 'read')?.detail).toEqual({
      ran: false,
      why: "no listing showed the message, so there is no listed id to open (send's id is not used instead: that would hide a read defect)",
    });
    expect(details(verdict)[4]).toEqual([`inbox --json --db-path ${DB}`, { exitCode: 0, entries: 0, showsMessage: false, listedId: null }]);
    expect(verdict.observed).not.toContain('exit 0 (');
    const readErr = verdictOf(
      checkCliContract({ ...good, read: { exitCode: 0, stdout: pretty({ message: 'bad', code: 'InvalidServerAPIKey' }), ref: '4711' } }),
    );
    expect(readErr.observed).toBe('send exit 0, arrived true, listed by inbox list, read exit 0 (InvalidServerAPIKey), wrong key exit 4');
  });

  it('remedies a missing listing according to what feeds the inbox', () => {
    const missing = { inboxList: { ...good.inboxList, stdout: '[]' }, inboxBare: { ...good.inboxBare, stdout: '[]' } };
    const { serve: _serve, ...running } = good;
    expect(verdictOf(checkCliContract({ ...good, ...missing })).remediation).toBe(
      `Check that Postal's route for ${RCPT} posts to 127.0.9.41:3002, where the CLI's \`inbox serve\` listened, and that it stored what it received in ${DB}`,
    );
    const { inboxDatabase: _db, ...noDb } = good;
    expect(verdictOf(checkCliContract({ ...noDb, ...missing })).remediation).toMatch(
      /listened, and that it stored what it received in its database$/,
    );
    expect(verdictOf(checkCliContract({ ...running, ...missing })).remediation).toBe(
      `Check that Postal's route for ${RCPT} posts to the \`inbox serve\` that writes ${DB}, and that it stores what it receives`,
    );
    const { inboxDatabase: _db2, ...bare } = running;
    expect(verdictOf(checkCliContract({ ...bare, ...missing })).remediation).toBe(
      "Set MAILGOAT_INBOX_SERVE to where Postal's route for the recipient posts (FN-06 runs `inbox serve` there), or MAILGOAT_INBOX_DB to the database of the recipient's running `inbox serve` ({agent} is replaced)",
    );
    // A documented listing that exits non-zero while the bare one lists the message: its exit is named.
    const exited = verdictOf(checkCliContract({ ...good, inboxList: { ...good.inboxList, exitCode: 1, stdout: '' } }));
    expect(exited.summary).toMatch(/^inbox-option defect: `inbox list --json --db-path \S+` exited 1 while/);
  });

  it('remedies each send and read failure with its own fix', () => {
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 3, stdout: '' }, arrived: false })).remediation).toBe(
      "Run the same command by hand with this agent's config; check its server URL and API key (`mailgoat config validate`); Look the Postal id up (messages/message, messages/deliveries) and check the route for the recipient (INF-05)",
    );
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: 'Sent' } })).remediation).toBe(
      'Make `send --json` print only the JSON answer on stdout (logs go to stderr)',
    );
    const noId = verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: '{"messages":{"DEV1@mailgoat.ai":{"id":"4711"}}}' } }));
    expect(noId.summary).toBe('`send --json` gave no numeric id for dev1@mailgoat.ai (messages.dev1@mailgoat.ai.id is "4711")');
    expect(noId.remediation).toBe('Print Postal\'s answer as is: {"message_id", "messages": {"<rcpt>": {"id": <int>, "token"}}}');
    // Only the recipient's entry counts, and a fractional id is not Postal's.
    expect(
      verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: '{"messages":{"other@mailgoat.ai":{"id":4711}}}' } })).summary,
    ).toMatch(/id is null\)$/);
    expect(
      verdictOf(checkCliContract({ ...good, send: { exitCode: 0, stdout: '{"messages":{"dev1@mailgoat.ai":{"id":47.5}}}' } })).summary,
    ).toMatch(/id is 47\.5\)$/);
    expect(verdictOf(checkCliContract({ ...good, read: { exitCode: 0, stdout: 'Message Details\n', ref: '4711' } })).remediation).toBe(
      'Make `read --json` print the message as Postal returns it, with details.subject and plain_body',
    );
    expect(verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: 3, stdout: '', stderr: 'ECONNREFUSED' } })).remediation).toBe(
      'Make the CLI name the refused key (InvalidServerAPIKey); if it could not reach Postal, fix the server URL or trust first',
    );
    const killed = verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: null, stdout: '', stderr: 'InvalidServerAPIKey' } }));
    expect([killed.summary, killed.remediation]).toEqual([
      '`send` with a wrong API key was killed (timeout)',
      'Make the CLI answer within one network round trip when Postal refuses the key',
    ]);
  });

  it("names no status defect for a command that exits non-zero printing Postal's error, and says the send error only once", () => {
    const refused = (code: string) => pretty({ message: 'refused', code });
    const verdict = verdictOf(
      checkCliContract({
        ...good,
        send: { exitCode: 4, stdout: refused('UnauthenticatedFromAddress') },
        read: { exitCode: 4, stdout: refused('MessageNotFound'), ref: '4711' },
        badKeySend: { exitCode: 4, stdout: refused('ServerSuspended') },
      }),
    );
    expect(verdict.summary).not.toContain('status defect');
    expect(verdict.summary.split('; ')).toEqual([
      '`send --json` exited 4: {',
      '`read 4711 --json` exited 4: {',
      '`send` with a wrong API key exited 4 without saying the key was refused ({): the failure may have another cause, so the wrong-key check proves nothing',
    ]);
    // The wrong-key send is right here (exit 4 naming the refused key): the status defect must not say a wrong key went out.
    const onlySend = verdictOf(
      checkCliContract({
        ...good,
        send: { exitCode: 0, stdout: refused('UnauthenticatedFromAddress') },
        badKeySend: { exitCode: 4, stdout: refused('InvalidServerAPIKey') },
      }),
    );
    expect(onlySend.summary.split('; ')).toEqual([
      expect.stringMatching(
        /^status defect: `send --json` \(UnauthenticatedFromAddress\) exited 0 while printing Postal's error: the CLI never checks/,
      ),
    ]);
  });

  it('reads a refused key in the words CLIs use, and only there', () => {
    const says = (stderr: string) => verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: 2, stdout: '', stderr } })).outcome;
    for (const words of [
      'Invalid API key',
      'bad APIkey',
      'API_key rejected',
      'API token refused',
      'unauthorized',
      'Unauthorised',
      'authentication failed',
      'X-Server-API-Key',
    ])
      expect(says(words), words).toBe('pass');
    for (const words of ['unauthoried', 'timeout', '']) expect(says(words), words).toBe('fail');
    // The refusal may be on stdout too.
    expect(verdictOf(checkCliContract({ ...good, badKeySend: { exitCode: 2, stdout: 'InvalidServerAPIKey' } })).outcome).toBe('pass');
  });

  it('matches the message by subject and body, whitespace aside, and a Message-ID-like ref is not numeric', () => {
    const shows = (plain: string) =>
      verdictOf(checkCliContract({ ...good, read: { ...good.read!, stdout: pretty({ ...message, plain_body: plain }) } })).outcome;
    expect(shows('  postal-qa   probe\r\n run-7f3a2c  ')).toBe('pass');
    expect(shows('postal-qaprobe run-7f3a2c')).toBe('fail');
    expect(verdictOf(checkCliContract({ ...good, body: ` ${BODY}\n` })).outcome).toBe('pass');
    expect(
      verdictOf(
        checkCliContract({ ...good, read: { ...good.read!, stdout: pretty({ ...message, plain_body: ['postal-qa probe run-7f3a2c'] }) } }),
      ).outcome,
    ).toBe('fail');
    // The subject may be at the top level, but a list with other messages does not show this one.
    expect(
      verdictOf(checkCliContract({ ...good, read: { ...good.read!, stdout: pretty({ subject: SUBJECT, plain_body: BODY }) } })).outcome,
    ).toBe('pass');
    const other = [{ id: '1', subject: 'other' }, entry('4711')];
    expect(verdictOf(checkCliContract({ ...good, inboxList: { ...good.inboxList, stdout: JSON.stringify(other) } })).summary).toContain(
      'lists it (id 4711)',
    );
    expect(
      verdictOf(checkCliContract({ ...good, inboxList: { ...good.inboxList, stdout: JSON.stringify([null, 'x', entry('4711')]) } }))
        .outcome,
    ).toBe('pass');
    for (const ref of ['4711x', 'x4711']) {
      const v = verdictOf(checkCliContract({ ...good, read: { exitCode: 4, stdout: '', stderr: 'HTTP 500', ref } }));
      expect(v.summary, ref).toMatch(/^read defect: the inbox lists/);
    }
    // A listed id of null is no id.
    const nullId = verdictOf(
      checkCliContract({
        ...good,
        inboxList: { ...good.inboxList, stdout: JSON.stringify([{ ...entry('x'), id: null }]) },
        inboxBare: { ...good.inboxBare, stdout: '[]' },
      }),
    );
    expect(nullId.evidence.find((e) => e.label.startsWith('inbox --json'))?.detail).toMatchObject({ listedId: null });
  });

  it('strips colour codes and empty output from what it quotes', () => {
    const v = verdictOf(
      checkCliContract({ ...good, send: { exitCode: 1, stdout: '\u001b[31;1m✗ failed\u001b[0m\n', stderr: 'second line' } }),
    );
    expect(v.summary).toBe('`send --json` exited 1: ✗ failed');
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 1, stdout: ' \n' } })).summary).toBe(
      '`send --json` exited 1: (nothing)',
    );
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 1, stdout: '', stderr: 'only stderr' } })).summary).toBe(
      '`send --json` exited 1: only stderr',
    );
    expect(verdictOf(checkCliContract({ ...good, send: { exitCode: 1, stdout: '' } })).summary).toBe('`send --json` exited 1: (nothing)');
  });
});

describe('postalErrorCode, precisely', () => {
  it('takes the envelope status when data has no code, and neither a success nor a lower-case or non-string code', () => {
    expect(postalErrorCode({ status: 'error', data: { message: 'x' } })).toBe('error');
    expect(postalErrorCode({ status: 'parameter-error', data: 'x' })).toBe('parameter-error');
    expect(postalErrorCode({ status: 'success', data: { code: 'X' } })).toBeUndefined();
    expect(postalErrorCode({ status: 'error', data: { code: 7 } })).toBe('error');
    expect(postalErrorCode({ code: 'invalidKey', message: 'x' })).toBeUndefined();
    expect(postalErrorCode({ code: 'Invalid Key', message: 'x' })).toBeUndefined();
    expect(postalErrorCode({ code: '1Invalid', message: 'x' })).toBeUndefined();
    expect(postalErrorCode({ code: 'X', message: 'x' })).toBeUndefined();
    expect(postalErrorCode({ code: 'InvalidKey' })).toBeUndefined();
    expect(postalErrorCode({ code: 'InvalidKey', message: 3 })).toBeUndefined();
    expect(postalErrorCode({ code: 5, message: 'x' })).toBeUndefined();
    expect(postalErrorCode(null)).toBeUndefined();
    expect(postalErrorCode('InvalidServerAPIKey')).toBeUndefined();
  });
});
