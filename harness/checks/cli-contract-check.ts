/**
 * FN-06 — the MailGoat CLI works end to end, judged by what happened, not by exit codes alone:
 * `send --json` answers with a numeric Postal id for the recipient → the message reaches the
 * recipient's inbox → `inbox list --json` shows it → `read` opens it → and a wrong key makes
 * `send` exit non-zero. MailGoat 1.2.0 has two known defects this check must catch: it never reads
 * Postal's `status` (HTTP is always 200), so a refused send exits 0; and its inbox ids are
 * Message-IDs, which Postal's `messages/message` cannot look up.
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

export interface CliContractRuns {
  configured: true;
  /** The address the CLI sent to. */
  recipient: string;
  /** The subject sent (it carries the run token). */
  subject: string;
  send: CliRun;
  /** The message reached the recipient's inbox (found by the run token). */
  arrived: boolean;
  inboxList: CliRun;
  /** `read <ref>`; `ref` is the id the harness passed, as a user would: the one `inbox list` showed. */
  read: CliRun & { ref?: string };
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
const postalError = (v: unknown): string | undefined => {
  // MailGoat's own `read --json` prints the message record, whose `status` is an object: only Postal's envelope has a string status.
  if (!isRecord(v) || typeof v.status !== 'string' || v.status === 'success') return undefined;
  const data = isRecord(v.data) ? v.data : {};
  return `${String(v.status)}${typeof data.code === 'string' ? ` ${data.code}` : ''}`;
};
const runEvidence = (label: string, run: CliRun, extra: Record<string, unknown> = {}): EvidenceItem => ({
  label,
  detail: { exitCode: run.exitCode, stdout: quoteOutput(run.stdout), ...(run.stderr ? { stderr: quoteOutput(run.stderr) } : {}), ...extra },
});
const exitText = (run: CliRun) => (run.exitCode === null ? 'was killed (timeout)' : `exited ${run.exitCode}`);

const STATUS_DEFECT =
  "MailGoat 1.2.0 never checks the `status` field of Postal's answer (Postal always answers HTTP 200), so a refused request looks like success";
const STATUS_FIX = 'Fix the MailGoat CLI: treat any Postal `status` other than "success" as an error and exit non-zero (2 for InvalidServerAPIKey, 4 for other API errors)';

export function checkCliContract(input: CliContractInput): CliContractResult {
  if (!input.configured) return { skipped: true, reason: input.reason ?? 'no MailGoat CLI configured (set MAILGOAT_CLI to the command that runs it)' };

  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const evidence: EvidenceItem[] = [];
  const { recipient, subject } = input;

  // 1. send --json
  const sent = parseJson(input.send.stdout);
  const messages = isRecord(sent) && isRecord(sent.messages) ? sent.messages : {};
  const rcptKey = Object.keys(messages).find((k) => k.toLowerCase() === recipient.toLowerCase());
  const entry = rcptKey ? messages[rcptKey] : undefined;
  const postalId = isRecord(entry) ? entry.id : undefined;
  evidence.push(runEvidence('send --json', input.send, { postalId: postalId ?? null }));
  if (input.send.exitCode !== 0) {
    findings.push(fail(`\`send --json\` ${exitText(input.send)}`, 'Run the same command by hand with this agent\'s config; check its server URL and API key (`mailgoat config validate`)'));
  } else if (sent === undefined) {
    findings.push(fail('`send --json` printed no JSON', 'Make `send --json` print only the JSON answer on stdout (logs go to stderr)'));
  } else if (postalError(sent)) {
    findings.push(fail(`\`send --json\` exited 0 but printed Postal's error (${postalError(sent)}): ${STATUS_DEFECT}`, STATUS_FIX));
  } else if (typeof postalId !== 'number' || !Number.isInteger(postalId)) {
    findings.push(fail(`\`send --json\` gave no numeric id for ${recipient} (messages.${recipient}.id is ${JSON.stringify(postalId ?? null)})`, 'Print Postal\'s answer as is: {"message_id", "messages": {"<rcpt>": {"id": <int>, "token"}}}'));
  }

  // 2. arrival
  evidence.push({ label: 'arrival', detail: { recipient, arrived: input.arrived } });
  if (!input.arrived) {
    findings.push(fail(`the message sent with the CLI did not reach ${recipient}'s inbox`, 'Look the Postal id up (messages/message, messages/deliveries) and check the route for the recipient (INF-05)'));
  }

  // 3. inbox list --json
  const list = parseJson(input.inboxList.stdout);
  const listed = Array.isArray(list) ? list.find((m) => isRecord(m) && m.subject === subject) : undefined;
  const listedId = isRecord(listed) ? listed.id : undefined;
  evidence.push(runEvidence('inbox list --json', input.inboxList, { entries: Array.isArray(list) ? list.length : null, listedId: listedId ?? null }));
  if (input.inboxList.exitCode !== 0) {
    findings.push(fail(`\`inbox list --json\` ${exitText(input.inboxList)}`, 'Check the inbox database path (`--db-path`, ~/.mailgoat/inbox/messages.db) and that `inbox serve` is the endpoint Postal posts to'));
  } else if (!Array.isArray(list)) {
    findings.push(fail('`inbox list --json` did not print a JSON array', 'Make `inbox list --json` print [{id, from, to, subject, timestamp, read, snippet}]'));
  } else if (!listed) {
    findings.push(fail(`\`inbox list --json\` does not show the message "${subject}" (${list.length} entries)`, "Check Postal's route for the recipient posts to this agent's `inbox serve` endpoint and that it stores what it receives"));
  }

  // 4. read
  const ref = input.read.ref;
  const readParsed = parseJson(input.read.stdout);
  const readShows = input.read.stdout.includes(subject) && !postalError(readParsed);
  evidence.push(runEvidence(`read ${ref ?? ''}`.trim(), input.read, { ref: ref ?? null, showsMessage: readShows }));
  if (input.read.exitCode !== 0 || !readShows) {
    const byMessageId = ref !== undefined && !/^\d+$/.test(ref);
    const what = input.read.exitCode !== 0 ? exitText(input.read) : postalError(readParsed) ? `exited 0 but printed Postal's error (${postalError(readParsed)})` : 'did not show the message';
    findings.push(
      fail(
        `\`read ${ref ?? ''}\` ${what}${
          byMessageId
            ? ": the id `inbox list` shows is the Message-ID header, but Postal's messages/message only accepts the numeric message id, so read cannot open what the inbox lists"
            : ''
        }`,
        byMessageId
          ? 'Fix the MailGoat CLI: store Postal\'s numeric id (the `id` field of the endpoint POST) with each inbox entry and pass that to messages/message'
          : `Run \`read ${ref ?? '<id>'}\` by hand and compare with messages/message for the same id`,
      ),
    );
  }

  // 5. a wrong key must make send fail
  const bad = parseJson(input.badKeySend.stdout);
  evidence.push(runEvidence('send --json with a wrong key', input.badKeySend, { postalStatus: postalError(bad) ?? null }));
  if (input.badKeySend.exitCode === 0) {
    findings.push(
      fail(
        `\`send\` with a wrong API key exited 0${postalError(bad) ? ` while printing Postal's error (${postalError(bad)})` : ''}: ${STATUS_DEFECT}; an agent would believe the mail went out`,
        STATUS_FIX,
      ),
    );
  }

  return {
    skipped: false,
    verdict: verdictFrom({
      findings,
      passSummary: `send (id ${String(postalId)}) → arrived → inbox list → read ${ref ?? ''} all work; a wrong key exits ${input.badKeySend.exitCode}`,
      expected: 'send --json gives a numeric id, the message arrives, inbox list shows it, read opens it, a wrong key exits non-zero',
      observed: `send exit ${input.send.exitCode}, arrived ${input.arrived}, listed ${listed !== undefined}, read exit ${input.read.exitCode}${readShows ? ' (shown)' : ''}, wrong key exit ${input.badKeySend.exitCode}`,
      evidence,
    }),
  };
}
