/**
 * FN-06 — the MailGoat CLI works end to end, judged by what happened, not by exit codes alone:
 * the recipient's endpoint is the CLI's own `inbox serve`, fed by Postal's signed posts → `send --json`
 * answers with a numeric Postal id for the recipient → the message reaches the recipient → the CLI's inbox
 * listing shows it → `read <listed id>` opens it (subject and body) → and a wrong key makes `send` exit
 * non-zero saying so. MailGoat 1.2.0 has three defects this check names one by one, by what the CLI did:
 * - status: it never reads Postal's `status` (HTTP is always 200) and with --json prints only Postal's
 *   `data` object, so `{"message":…,"code":"InvalidServerAPIKey"}` comes out with exit 0;
 * - read: its inbox lists something other than Postal's numeric id (the Message-ID), which Postal's
 *   messages/message cannot look up (3.3.2 finds an Integer id only; a String is HTTP 500) — or it lists the
 *   number and Postal has that message, but `read` cannot open it (the id is not passed as a number);
 * - inbox options: `inbox list --json --db-path X` ignores both options (the parent `inbox` owns them).
 * Read is only tried with the id the listing showed: falling back to send's id would hide the read defect.
 * Without a configured CLI there is nothing to judge: the result says "skipped", never pass.
 */
import { collectFindings, fail, type Finding, verdictFrom } from './findings.ts';
import { quoteOutput } from './secret-scrub.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';
import { textOf } from '../../core/text-of.ts';

export interface CliRun {
  /** null when the process was killed (timeout). */
  exitCode: number | null;
  stdout: string;
  stderr?: string;
}

/** A run with the arguments it was given after the command (no secrets: keys live in the config file). */
export type CliStep = CliRun & { args: string[] };

export interface CliContractRuns {
  configured: true;
  /** The address the CLI sent to. */
  recipient: string;
  /** The subject sent (it carries the run token). */
  subject: string;
  /** The body sent: `read` must show it. */
  body: string;
  /** The inbox database given with --db-path, when the target knows it. */
  inboxDatabase?: string;
  /** The recipient's `inbox serve`, when the control ran it as the recipient's endpoint (MAILGOAT_INBOX_SERVE). */
  serve?: CliStep & { listening: boolean; at: string };
  send: CliRun;
  /** The message reached the recipient's inbox (found by the run token). */
  arrived: boolean;
  /** The documented form: `inbox list --json [--db-path X]`. */
  inboxList: CliStep;
  /** `inbox --json [--db-path X]`: the only form in which MailGoat 1.2.0 honours the options. */
  inboxBare: CliStep;
  /**
   * `read <ref> --json` with the id a listing showed; absent when no listing showed the message. For a numeric
   * ref, what Postal's messages/message said when asked with that number: 'found', 'not-found', or an error.
   */
  read?: CliRun & { ref: string; postalLookup?: string };
  /** `send --json` with a wrong API key. */
  badKeySend: CliRun;
}

export type CliContractInput = CliContractRuns | { configured: false; reason?: string };

export type CliContractResult = { skipped: true; reason: string } | { skipped: false; verdict: Verdict };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.trim());
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Postal's error in what a CLI printed: its whole envelope (`status` a string other than "success"), or
 * only its `data` object ({message, code} with a CamelCase code), which is what 1.2.0's `--json` prints.
 * A message record's `status` expansion is an object, never taken for an error.
 */
export function postalErrorCode(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  if (typeof v.status === 'string' && v.status !== 'success') {
    const data = isRecord(v.data) ? v.data : {};
    return typeof data.code === 'string' ? data.code : v.status;
  }
  if (typeof v.code === 'string' && /^[A-Z][A-Za-z]+$/.test(v.code) && typeof v.message === 'string') return v.code;
  return undefined;
}

const runEvidence = (label: string, run: CliRun, extra: Record<string, unknown> = {}): EvidenceItem => ({
  label,
  detail: { exitCode: run.exitCode, stdout: quoteOutput(run.stdout), ...(run.stderr ? { stderr: quoteOutput(run.stderr) } : {}), ...extra },
});
const exitText = (run: CliRun) => (run.exitCode === null ? 'was killed (timeout)' : `exited ${run.exitCode}`);
// Colour codes out (a CLI may colour even when stdout is not a terminal): findings are read as text.
const firstLine = (run: CliRun) =>
  quoteOutput(
    `${run.stdout}\n${run.stderr ?? ''}`
      // eslint-disable-next-line no-control-regex -- removes the terminal's colour codes, which start with ESC
      .replace(/\u001b\[[0-9;]*m/g, '')
      .trim()
      .split('\n')[0] ?? '',
    120,
  ) || '(nothing)';

const STATUS_WHY =
  'the CLI never checks the `status` field of Postal\'s answer (Postal answers HTTP 200 with status "error", and with --json the CLI prints only the `data` object), so a refused request looks like success to an agent';
const STATUS_FIX =
  'Fix the MailGoat CLI (PostalClient.sendMessage/getMessage): treat any Postal `status` other than "success" as an error, print it as {"status":"error",...} on stderr and exit non-zero (2 for InvalidServerAPIKey, 4 for other API errors)';
const READ_WHY =
  "Postal's messages/message finds a message by its numeric id only (Postal 3.3.2 looks up an Integer: a Message-ID, or any id sent as a string, is answered HTTP 500), and the inbox lists another id (`inbox serve` stored the payload's message_id, not its id), so read cannot open what the inbox lists";
const READ_FIX =
  "Fix the MailGoat CLI: store Postal's numeric id (the payload's `id`) with each inbox entry and pass that to messages/message as a JSON number, or map a listed Message-ID to it before calling Postal";
const READ_NUMBER_FIX =
  'Fix the MailGoat CLI: send the id to messages/message as a JSON number ({"id": 123}), not a string — Postal 3.3.2 answers HTTP 500 to {"id": "123"}';
const INBOX_OPTIONS_FIX =
  'Fix the MailGoat CLI: declare --json, --db-path, --unread, --since and --limit on the `inbox` subcommands only (the parent `inbox` command takes them wherever they appear), or read `optsWithGlobals()` in the actions, so `inbox list --json --db-path X` and `inbox serve --db-path X` honour them';
const KEY_REFUSED = /InvalidServerAPIKey|API[ _-]?key|API token|X-Server-API-Key|unauthori[sz]ed|authenticat/i;

interface Listing {
  parsed: unknown;
  entry?: Record<string, unknown>;
}

function listing(run: CliRun, subject: string): Listing {
  const parsed = parseJson(run.stdout);
  const entry = Array.isArray(parsed) ? parsed.find((m): m is Record<string, unknown> => isRecord(m) && m.subject === subject) : undefined;
  return { parsed, ...(entry ? { entry } : {}) };
}

const listingText = (l: Listing): string => (Array.isArray(l.parsed) ? `a JSON list of ${l.parsed.length} without it` : 'no JSON list');

/** Step 0: the recipient's endpoint, the CLI's own `inbox serve`, listened where Postal posts. */
function serveNotListening(serve: CliContractRuns['serve'], recipient: string): Finding | undefined {
  if (!serve || serve.listening) return undefined;
  return fail(
    `\`${serve.args.slice(0, 2).join(' ')}\` did not listen on ${serve.at} (${serve.exitCode === null ? 'not started or not answering' : exitText(serve)}: ${firstLine(serve)}): Postal's posts for ${recipient} did not reach the CLI`,
    `Run \`mailgoat ${serve.args.join(' ')}\` by hand with the recipient's config; ${serve.at} must be free and be where Postal's route for ${recipient} posts (MAILGOAT_INBOX_SERVE)`,
  );
}

/** What `send --json` printed: its JSON, Postal's id for the recipient, Postal's error. */
interface SendAnswer {
  sent: unknown;
  postalId: unknown;
  sendError: string | undefined;
}

function sendAnswer(run: CliRun, recipient: string): SendAnswer {
  const sent = parseJson(run.stdout);
  const messages = isRecord(sent) && isRecord(sent.messages) ? sent.messages : {};
  const rcptKey = Object.keys(messages).find((k) => k.toLowerCase() === recipient.toLowerCase());
  const entry = rcptKey ? messages[rcptKey] : undefined;
  const postalId = isRecord(entry) ? entry.id : undefined;
  return { sent, postalId, sendError: postalErrorCode(sent) };
}

/** Step 1: `send --json` exits 0 with Postal's numeric id for the recipient (Postal's error at exit 0 is the status defect). */
function sendProblem(run: CliRun, { sent, postalId, sendError }: SendAnswer, recipient: string): Finding | undefined {
  if (run.exitCode !== 0) {
    return fail(
      `\`send --json\` ${exitText(run)}: ${firstLine(run)}`,
      "Run the same command by hand with this agent's config; check its server URL and API key (`mailgoat config validate`)",
    );
  } else if (sent === undefined) {
    return fail('`send --json` printed no JSON', 'Make `send --json` print only the JSON answer on stdout (logs go to stderr)');
  } else if (sendError) {
    return undefined;
  } else if (typeof postalId !== 'number' || !Number.isInteger(postalId)) {
    return fail(
      `\`send --json\` gave no numeric id for ${recipient} (messages.${recipient}.id is ${JSON.stringify(postalId ?? null)})`,
      'Print Postal\'s answer as is: {"message_id", "messages": {"<rcpt>": {"id": <int>, "token"}}}',
    );
  }
  return undefined;
}

/** Step 2: the message reached the recipient. */
function notArrived({ arrived, recipient }: CliContractRuns): Finding | undefined {
  if (arrived) return undefined;
  return fail(
    `the message sent with the CLI did not reach ${recipient}'s inbox`,
    'Look the Postal id up (messages/message, messages/deliveries) and check the route for the recipient (INF-05)',
  );
}

/** The inbox listing, in the documented form and in the one form 1.2.0 honours. */
interface Listings {
  documented: Listing;
  bare: Listing;
  listedId: string | undefined;
}

function listings(input: CliContractRuns): Listings {
  const documented = listing(input.inboxList, input.subject);
  const bare = listing(input.inboxBare, input.subject);
  const listed = documented.entry ?? bare.entry;
  const listedId = listed?.id === undefined || listed.id === null ? undefined : textOf(listed.id);
  return { documented, bare, listedId };
}

function listingEvidence(input: CliContractRuns, { documented, bare, listedId }: Listings): EvidenceItem[] {
  return [
    runEvidence(input.inboxList.args.join(' '), input.inboxList, {
      entries: Array.isArray(documented.parsed) ? documented.parsed.length : null,
      showsMessage: documented.entry !== undefined,
    }),
    runEvidence(input.inboxBare.args.join(' '), input.inboxBare, {
      entries: Array.isArray(bare.parsed) ? bare.parsed.length : null,
      showsMessage: bare.entry !== undefined,
      listedId: listedId ?? null,
    }),
  ];
}

/** Step 3: the documented `inbox list --json` shows the message (shown only by the bare form is the inbox-option defect). */
function listingProblem(input: CliContractRuns, { documented, bare }: Listings): Finding | undefined {
  const { recipient, subject, serve } = input;
  const db = input.inboxDatabase;
  const docCommand = `\`${input.inboxList.args.join(' ')}\``;
  const bareCommand = `\`${input.inboxBare.args.join(' ')}\``;
  if (!(documented.entry ?? bare.entry)) {
    const ran = (run: CliRun, l: Listing) => (run.exitCode === 0 ? `printed ${listingText(l)}` : exitText(run));
    return fail(
      `the inbox does not show the message "${subject}": ${docCommand} ${ran(input.inboxList, documented)}, ${bareCommand} ${ran(input.inboxBare, bare)}`,
      serve
        ? `Check that Postal's route for ${recipient} posts to ${serve.at}, where the CLI's \`inbox serve\` listened, and that it stored what it received in ${db ?? 'its database'}`
        : db
          ? `Check that Postal's route for ${recipient} posts to the \`inbox serve\` that writes ${db}, and that it stores what it receives`
          : "Set MAILGOAT_INBOX_SERVE to where Postal's route for the recipient posts (FN-06 runs `inbox serve` there), or MAILGOAT_INBOX_DB to the database of the recipient's running `inbox serve` ({agent} is replaced)",
    );
  } else if (!documented.entry) {
    return fail(
      `inbox-option defect: ${docCommand} ${input.inboxList.exitCode === 0 ? `printed ${listingText(documented)} (${firstLine(input.inboxList)})` : exitText(input.inboxList)} while ${bareCommand} lists the message: the parent \`inbox\` command declares the same --json and --db-path options and takes them wherever they appear, so the documented subcommand form reads the default database ~/.mailgoat/inbox/messages.db as a table (\`inbox serve --db-path\` is ignored the same way)`,
      INBOX_OPTIONS_FIX,
    );
  }
  return undefined;
}

type ReadRun = NonNullable<CliContractRuns['read']>;

/** What `read <listed id> --json` printed: Postal's error, and whether it shows the message sent. */
function readAnswer(run: ReadRun, subject: string, body: string): { readError: string | undefined; showsMessage: boolean } {
  const shown = parseJson(run.stdout);
  const readError = postalErrorCode(shown);
  const details = isRecord(shown) && isRecord(shown.details) ? shown.details : {};
  const shownSubject = isRecord(shown) ? (details.subject ?? shown.subject) : undefined;
  const plainBody = isRecord(shown) ? shown.plain_body : undefined;
  // Whitespace-insensitive: MIME and Postal's parser may change line endings and wrap.
  const words = (text: string) => text.replace(/\s+/g, ' ').trim();
  const showsMessage = !readError && shownSubject === subject && typeof plainBody === 'string' && words(plainBody).includes(words(body));
  return { readError, showsMessage };
}

function readEvidence(run: ReadRun | undefined, subject: string, body: string): EvidenceItem {
  if (!run) {
    return {
      label: 'read',
      detail: {
        ran: false,
        why: "no listing showed the message, so there is no listed id to open (send's id is not used instead: that would hide a read defect)",
      },
    };
  }
  const { ref, postalLookup } = run;
  const { readError, showsMessage } = readAnswer(run, subject, body);
  return runEvidence(`read ${ref} --json`, run, {
    ref,
    postalError: readError ?? null,
    showsMessage,
    ...(postalLookup ? { postalWithTheNumber: postalLookup } : {}),
  });
}

/** Step 4: `read` of the id the listing showed — never another one — opens the message. */
function readProblem(run: ReadRun | undefined, subject: string, body: string): Finding | undefined {
  if (!run) return undefined;
  const { ref, postalLookup } = run;
  const { readError, showsMessage } = readAnswer(run, subject, body);
  if (showsMessage) return undefined;
  const command = `\`read ${ref} --json\``;
  const outcome =
    run.exitCode !== 0
      ? `${exitText(run)}: ${firstLine(run)}`
      : readError
        ? `printed Postal's error ${readError}`
        : 'exited 0 without showing the message';
  if (!/^\d+$/.test(ref)) {
    return fail(`read defect: the inbox lists "${ref}", not Postal's numeric id, and ${command} ${outcome}: ${READ_WHY}`, READ_FIX);
  } else if (postalLookup === 'found') {
    return fail(
      `read defect: Postal has message ${ref} (messages/message with the number finds it), but ${command} ${outcome}: the CLI does not pass the id as a number`,
      READ_NUMBER_FIX,
    );
  } else if (run.exitCode === 0 && !readError) {
    return fail(
      `${command} exited 0 but did not show the message (a JSON object with its subject and plain_body)`,
      'Make `read --json` print the message as Postal returns it, with details.subject and plain_body',
    );
  }
  return fail(
    `${command} ${outcome}${postalLookup ? ` (Postal asked with the number: ${postalLookup})` : ''}`,
    `Run \`read ${ref}\` by hand and compare with messages/message for the same id`,
  );
}

/** Step 5: a wrong key makes send fail, and say why (exit 0 with Postal's error is the status defect). */
function wrongKeyProblem(bad: CliRun, badError: string | undefined): Finding | undefined {
  if (bad.exitCode === 0 && badError) {
    return undefined;
  } else if (bad.exitCode === 0) {
    return fail('`send` with a wrong API key exited 0 and printed no error: an agent would believe the mail went out', STATUS_FIX);
  } else if (bad.exitCode === null) {
    return fail(
      `\`send\` with a wrong API key ${exitText(bad)}`,
      'Make the CLI answer within one network round trip when Postal refuses the key',
    );
  } else if (!KEY_REFUSED.test(`${bad.stdout}\n${bad.stderr ?? ''}`)) {
    return fail(
      `\`send\` with a wrong API key exited ${bad.exitCode} without saying the key was refused (${firstLine(bad)}): the failure may have another cause, so the wrong-key check proves nothing`,
      'Make the CLI name the refused key (InvalidServerAPIKey); if it could not reach Postal, fix the server URL or trust first',
    );
  }
  return undefined;
}

/** The status defect, named once and first: every command that exited 0 while printing Postal's error. */
function statusDefect(input: CliContractRuns, sendError: string | undefined, badError: string | undefined): Finding | undefined {
  const readError = input.read ? postalErrorCode(parseJson(input.read.stdout)) : undefined;
  const silentErrors = [
    input.send.exitCode === 0 && sendError ? `\`send --json\` (${sendError})` : undefined,
    input.read?.exitCode === 0 && readError ? `\`read ${input.read.ref} --json\` (${readError})` : undefined,
    input.badKeySend.exitCode === 0 && badError ? `\`send --json\` with a wrong API key (${badError})` : undefined,
  ].filter((command) => command !== undefined);
  if (silentErrors.length === 0) return undefined;
  const wrongKey = input.badKeySend.exitCode === 0 && badError ? ' (an agent would believe mail sent with a wrong key went out)' : '';
  return fail(`status defect: ${silentErrors.join(', ')} exited 0 while printing Postal's error${wrongKey}: ${STATUS_WHY}`, STATUS_FIX);
}

function observedLine(
  input: CliContractRuns,
  sendError: string | undefined,
  { documented, bare }: Listings,
  badError: string | undefined,
): string {
  const bad = input.badKeySend;
  return `send exit ${input.send.exitCode}${sendError ? ` (${sendError})` : ''}, arrived ${input.arrived}, listed ${documented.entry ? 'by inbox list' : bare.entry ? 'only by bare inbox' : 'no'}, read ${input.read ? `exit ${input.read.exitCode}${postalErrorCode(parseJson(input.read.stdout)) ? ` (${postalErrorCode(parseJson(input.read.stdout))})` : ''}` : 'not run'}, wrong key exit ${bad.exitCode}${badError ? ` (${badError})` : ''}`;
}

export function checkCliContract(input: CliContractInput): CliContractResult {
  if (!input.configured)
    return { skipped: true, reason: input.reason ?? 'no MailGoat CLI configured (set MAILGOAT_CLI to the command that runs it)' };
  const { recipient, subject, body, serve } = input;
  const send = sendAnswer(input.send, recipient);
  const listed = listings(input);
  const bad = input.badKeySend;
  const badError = postalErrorCode(parseJson(bad.stdout));
  const evidence: EvidenceItem[] = [
    runEvidence('send --json', input.send, { postalId: send.postalId ?? null, postalError: send.sendError ?? null }),
    { label: 'arrival', detail: { recipient, arrived: input.arrived } },
    ...listingEvidence(input, listed),
    readEvidence(input.read, subject, body),
    runEvidence('send --json with a wrong key', bad, { postalError: badError ?? null }),
  ];
  if (serve) evidence.unshift(runEvidence(serve.args.join(' '), serve, { at: serve.at, listening: serve.listening }));
  const findings = collectFindings(
    statusDefect(input, send.sendError, badError),
    serveNotListening(serve, recipient),
    sendProblem(input.send, send, recipient),
    notArrived(input),
    listingProblem(input, listed),
    readProblem(input.read, subject, body),
    wrongKeyProblem(bad, badError),
  );
  return {
    skipped: false,
    verdict: verdictFrom({
      findings,
      passSummary: `send (id ${String(send.postalId)}) → arrived → the inbox lists it (id ${listed.listedId ?? ''}) → read ${listed.listedId ?? ''} opens it; a wrong key exits ${bad.exitCode}`,
      expected:
        'send --json gives a numeric id, the message arrives, `inbox list --json` shows it, `read <listed id>` opens it, a wrong key exits non-zero saying so',
      observed: observedLine(input, send.sendError, listed, badError),
      evidence,
    }),
  };
}
