/**
 * FN-06 — the MailGoat CLI works end to end, judged by what happened, not by exit codes alone:
 * `send --json` answers with a numeric Postal id for the recipient → the message reaches the
 * recipient's inbox → the inbox listing shows it → `read <listed id>` opens it (subject and body) →
 * and a wrong key makes `send` exit non-zero saying so. MailGoat 1.2.0 has three defects this check
 * names one by one:
 * - status: it never reads Postal's `status` (HTTP is always 200) and with --json prints only Postal's
 *   `data` object, so `{"message":…,"code":"InvalidServerAPIKey"}` comes out with exit 0;
 * - read: its inbox ids are Message-IDs, which Postal's messages/message cannot look up (MessageNotFound);
 * - inbox options: `inbox list --json --db-path X` ignores both options (the parent `inbox` owns them).
 * Read is only tried with the id the listing showed: falling back to send's id would hide the read defect.
 * Without a configured CLI there is nothing to judge: the result says "skipped", never pass.
 */
import { fail, type Finding, verdictFrom } from './findings.ts';
import { quoteOutput } from './secret-scrub.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

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
  send: CliRun;
  /** The message reached the recipient's inbox (found by the run token). */
  arrived: boolean;
  /** The documented form: `inbox list --json [--db-path X]`. */
  inboxList: CliStep;
  /** `inbox --json [--db-path X]`: the only form in which MailGoat 1.2.0 honours the options. */
  inboxBare: CliStep;
  /** `read <ref> --json` with the id a listing showed; absent when no listing showed the message. */
  read?: CliRun & { ref: string };
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

/** Ruby's `to_i`, which Postal applies to the id it is given: the leading digits, else 0. */
const rubyToI = (ref: string): number => Number.parseInt(/^\s*(\d+)/.exec(ref)?.[1] ?? '0', 10);

const runEvidence = (label: string, run: CliRun, extra: Record<string, unknown> = {}): EvidenceItem => ({
  label,
  detail: { exitCode: run.exitCode, stdout: quoteOutput(run.stdout), ...(run.stderr ? { stderr: quoteOutput(run.stderr) } : {}), ...extra },
});
const exitText = (run: CliRun) => (run.exitCode === null ? 'was killed (timeout)' : `exited ${run.exitCode}`);
// Colour codes out (a CLI may colour even when stdout is not a terminal): findings are read as text.
const firstLine = (run: CliRun) =>
  quoteOutput(`${run.stdout}\n${run.stderr ?? ''}`.replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n')[0] ?? '', 120) || '(nothing)';

const STATUS_WHY =
  "the CLI never checks the `status` field of Postal's answer (Postal answers HTTP 200 with status \"error\", and with --json the CLI prints only the `data` object), so a refused request looks like success to an agent";
const STATUS_FIX =
  'Fix the MailGoat CLI (PostalClient.sendMessage/getMessage): treat any Postal `status` other than "success" as an error, print it as {"status":"error",...} on stderr and exit non-zero (2 for InvalidServerAPIKey, 4 for other API errors)';
const READ_WHY =
  "the id the inbox lists is the Message-ID header (`inbox serve` stores the payload's message_id), but Postal's messages/message finds a message by its numeric id (it reads the id with to_i), so read cannot open what the inbox lists";
const READ_FIX =
  "Fix the MailGoat CLI: store Postal's numeric id (the payload's `id`) with each inbox entry and pass that to messages/message, or map a listed Message-ID to it before calling Postal";
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

export function checkCliContract(input: CliContractInput): CliContractResult {
  if (!input.configured) return { skipped: true, reason: input.reason ?? 'no MailGoat CLI configured (set MAILGOAT_CLI to the command that runs it)' };

  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const evidence: EvidenceItem[] = [];
  /** Commands that exited 0 while printing Postal's error: the status defect, named once. */
  const silentErrors: string[] = [];
  const { recipient, subject } = input;
  const db = input.inboxDatabase;

  // 1. send --json
  const sent = parseJson(input.send.stdout);
  const messages = isRecord(sent) && isRecord(sent.messages) ? sent.messages : {};
  const rcptKey = Object.keys(messages).find((k) => k.toLowerCase() === recipient.toLowerCase());
  const entry = rcptKey ? messages[rcptKey] : undefined;
  const postalId = isRecord(entry) ? entry.id : undefined;
  const sendError = postalErrorCode(sent);
  evidence.push(runEvidence('send --json', input.send, { postalId: postalId ?? null, postalError: sendError ?? null }));
  if (input.send.exitCode !== 0) {
    findings.push(fail(`\`send --json\` ${exitText(input.send)}: ${firstLine(input.send)}`, "Run the same command by hand with this agent's config; check its server URL and API key (`mailgoat config validate`)"));
  } else if (sent === undefined) {
    findings.push(fail('`send --json` printed no JSON', 'Make `send --json` print only the JSON answer on stdout (logs go to stderr)'));
  } else if (sendError) {
    silentErrors.push(`\`send --json\` (${sendError})`);
  } else if (typeof postalId !== 'number' || !Number.isInteger(postalId)) {
    findings.push(fail(`\`send --json\` gave no numeric id for ${recipient} (messages.${recipient}.id is ${JSON.stringify(postalId ?? null)})`, 'Print Postal\'s answer as is: {"message_id", "messages": {"<rcpt>": {"id": <int>, "token"}}}'));
  }

  // 2. arrival
  evidence.push({ label: 'arrival', detail: { recipient, arrived: input.arrived } });
  if (!input.arrived) {
    findings.push(fail(`the message sent with the CLI did not reach ${recipient}'s inbox`, 'Look the Postal id up (messages/message, messages/deliveries) and check the route for the recipient (INF-05)'));
  }

  // 3. the inbox listing, in the documented form and in the one form 1.2.0 honours
  const documented = listing(input.inboxList, subject);
  const bare = listing(input.inboxBare, subject);
  const docCommand = `\`${input.inboxList.args.join(' ')}\``;
  const bareCommand = `\`${input.inboxBare.args.join(' ')}\``;
  const listed = documented.entry ?? bare.entry;
  const listedId = listed?.id === undefined || listed.id === null ? undefined : String(listed.id);
  evidence.push(runEvidence(input.inboxList.args.join(' '), input.inboxList, { entries: Array.isArray(documented.parsed) ? documented.parsed.length : null, showsMessage: documented.entry !== undefined }));
  evidence.push(runEvidence(input.inboxBare.args.join(' '), input.inboxBare, { entries: Array.isArray(bare.parsed) ? bare.parsed.length : null, showsMessage: bare.entry !== undefined, listedId: listedId ?? null }));
  if (!listed) {
    const ran = (run: CliRun, l: Listing) => (run.exitCode === 0 ? `printed ${listingText(l)}` : exitText(run));
    findings.push(
      fail(
        `the inbox does not show the message "${subject}": ${docCommand} ${ran(input.inboxList, documented)}, ${bareCommand} ${ran(input.inboxBare, bare)}`,
        db
          ? `Check that Postal's route for ${recipient} posts to the \`inbox serve\` that writes ${db}, and that it stores what it receives`
          : 'Set MAILGOAT_INBOX_DB to the database the recipient\'s `inbox serve` writes ({agent} is replaced), and check Postal\'s route posts to it',
      ),
    );
  } else if (!documented.entry) {
    findings.push(
      fail(
        `inbox-option defect: ${docCommand} ${input.inboxList.exitCode === 0 ? `printed ${listingText(documented)} (${firstLine(input.inboxList)})` : exitText(input.inboxList)} while ${bareCommand} lists the message: the parent \`inbox\` command declares the same --json and --db-path options and takes them wherever they appear, so the documented subcommand form reads the default database ~/.mailgoat/inbox/messages.db as a table (\`inbox serve --db-path\` is ignored the same way)`,
        INBOX_OPTIONS_FIX,
      ),
    );
  }

  // 4. read the id the listing showed — never another one
  if (!input.read) {
    evidence.push({ label: 'read', detail: { ran: false, why: 'no listing showed the message, so there is no listed id to open (send\'s id is not used instead: that would hide a read defect)' } });
  } else {
    const { ref } = input.read;
    const shown = parseJson(input.read.stdout);
    const readError = postalErrorCode(shown);
    const details = isRecord(shown) && isRecord(shown.details) ? shown.details : {};
    const shownSubject = isRecord(shown) ? (details.subject ?? shown.subject) : undefined;
    const plainBody = isRecord(shown) ? shown.plain_body : undefined;
    // Whitespace-insensitive: MIME and Postal's parser may change line endings and wrap.
    const words = (text: string) => text.replace(/\s+/g, ' ').trim();
    const showsMessage = !readError && shownSubject === subject && typeof plainBody === 'string' && words(plainBody).includes(words(input.body));
    const numericRef = /^\d+$/.test(ref);
    // Postal reads "12ab…@host" as 12: a Message-ID starting with digits can open some message by luck.
    const byLuck = !numericRef && isRecord(shown) && shown.id === rubyToI(ref) && rubyToI(ref) > 0;
    evidence.push(runEvidence(`read ${ref} --json`, input.read, { ref, postalError: readError ?? null, showsMessage }));
    const command = `\`read ${ref} --json\``;
    if (input.read.exitCode !== 0) {
      const notFound = /MessageNotFound/.test(`${input.read.stdout}${input.read.stderr ?? ''}`);
      findings.push(
        !numericRef && notFound
          ? fail(`read defect: ${command} ${exitText(input.read)} with MessageNotFound: ${READ_WHY}`, READ_FIX)
          : fail(`${command} ${exitText(input.read)}: ${firstLine(input.read)}`, `Run \`read ${ref}\` by hand and compare with messages/message for the same id`),
      );
    } else if (readError) {
      silentErrors.push(`${command} (${readError})`);
      findings.push(
        !numericRef && readError === 'MessageNotFound'
          ? fail(`read defect: ${command} answered Postal's MessageNotFound: ${READ_WHY}`, READ_FIX)
          : fail(`${command} printed Postal's error ${readError} instead of the message`, `Run \`read ${ref}\` by hand and compare with messages/message for the same id`),
      );
    } else if (byLuck) {
      findings.push(fail(`read defect: ${command} opened Postal message ${rubyToI(ref)} only because Postal reads the id's leading digits: ${READ_WHY}`, READ_FIX));
    } else if (!showsMessage) {
      findings.push(fail(`${command} exited 0 but did not show the message (a JSON object with its subject and plain_body)`, 'Make `read --json` print the message as Postal returns it, with details.subject and plain_body'));
    }
  }

  // 5. a wrong key must make send fail, and say why
  const bad = input.badKeySend;
  const badError = postalErrorCode(parseJson(bad.stdout));
  evidence.push(runEvidence('send --json with a wrong key', bad, { postalError: badError ?? null }));
  if (bad.exitCode === 0 && badError) {
    silentErrors.push(`\`send --json\` with a wrong API key (${badError})`);
  } else if (bad.exitCode === 0) {
    findings.push(fail('`send` with a wrong API key exited 0 and printed no error: an agent would believe the mail went out', STATUS_FIX));
  } else if (bad.exitCode === null) {
    findings.push(fail(`\`send\` with a wrong API key ${exitText(bad)}`, 'Make the CLI answer within one network round trip when Postal refuses the key'));
  } else if (!KEY_REFUSED.test(`${bad.stdout}\n${bad.stderr ?? ''}`)) {
    findings.push(
      fail(
        `\`send\` with a wrong API key exited ${bad.exitCode} without saying the key was refused (${firstLine(bad)}): the failure may have another cause, so the wrong-key check proves nothing`,
        'Make the CLI name the refused key (InvalidServerAPIKey); if it could not reach Postal, fix the server URL or trust first',
      ),
    );
  }

  if (silentErrors.length > 0) {
    const wrongKey = bad.exitCode === 0 && badError ? ' (an agent would believe mail sent with a wrong key went out)' : '';
    findings.unshift(fail(`status defect: ${silentErrors.join(', ')} exited 0 while printing Postal's error${wrongKey}: ${STATUS_WHY}`, STATUS_FIX));
  }

  return {
    skipped: false,
    verdict: verdictFrom({
      findings,
      passSummary: `send (id ${String(postalId)}) → arrived → the inbox lists it (id ${listedId ?? ''}) → read ${listedId ?? ''} opens it; a wrong key exits ${bad.exitCode}`,
      expected: 'send --json gives a numeric id, the message arrives, `inbox list --json` shows it, `read <listed id>` opens it, a wrong key exits non-zero saying so',
      observed: `send exit ${input.send.exitCode}${sendError ? ` (${sendError})` : ''}, arrived ${input.arrived}, listed ${documented.entry ? 'by inbox list' : bare.entry ? 'only by bare inbox' : 'no'}, read ${input.read ? `exit ${input.read.exitCode}${postalErrorCode(parseJson(input.read.stdout)) ? ` (${postalErrorCode(parseJson(input.read.stdout))})` : ''}` : 'not run'}, wrong key exit ${bad.exitCode}${badError ? ` (${badError})` : ''}`,
      evidence,
    }),
  };
}
