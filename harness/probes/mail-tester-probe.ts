/**
 * FN-05 through mail-tester itself: one message from an agent, through Postal's API, to a mail-tester
 * address (a new `<user>-<run token>` with an account, or the address the user gave), then mail-tester's
 * JSON report polled at `<url>/<id>&format=json` until it is there and is for this run's message, or
 * the delivery deadline passes. The last answer is kept as evidence.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../core/poll.ts';
import { parseMailTesterReport, type MailTesterObservation, type MailTesterReport } from '../checks/mail-tester-report-check.ts';
import { probeMessage } from '../messages/probe-message.ts';
import { sendMessage } from '../clients/postal-send.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';
import { NO_MAIL_TESTER, ProbeUnavailable } from './probe-unavailable.ts';

export interface MailTesterProbe {
  /** Whether the target names a mail-tester account or address. */
  readonly configured: boolean;
  /** Sends once per worker and reads the report; later calls share the answer. */
  observe(): Promise<MailTesterObservation>;
}

/** The test id and address: with an account, new each run; otherwise the given address, whose local part is the id. */
export function mailTesterAddress(
  mailTester: NonNullable<ProbeContext['target']['mailTester']>,
  runToken: string,
): { id: string; address: string } {
  if (mailTester.address) return { id: mailTester.address.split('@')[0]!, address: mailTester.address };
  const id = `${mailTester.user}-${runToken}`.toLowerCase();
  return { id, address: `${id}@${mailTester.domain}` };
}

export function mailTesterProbe(context: ProbeContext): MailTesterProbe {
  const { target, run } = context;
  let observed: Promise<MailTesterObservation> | undefined;

  async function sendAndRead(): Promise<MailTesterObservation> {
    const mailTester = target.mailTester;
    if (!mailTester) throw new ProbeUnavailable(NO_MAIL_TESTER);
    const postal = context.postal();
    const sender = target.accounts[0];
    if (!sender) throw new Error('the target gives no agent API key');
    const { id, address } = mailTesterAddress(mailTester, run.runToken);
    const reportUrl = `${mailTester.webUrl}/${encodeURIComponent(id)}`;
    const base = { address, reportUrl, subjectToken: run.runToken, freshAddress: !mailTester.address, waitedMs: 0 };

    context.willSend(1, `one message to mail-tester (${address})`);
    // The agents' kind of mail (scripts, HTML alternative, a link, an attachment): mail-tester scores what they send.
    const sent = await sendMessage(postal, sender.apiKey, {
      from: sender.address,
      to: address,
      content: probeMessage(run.runToken, 'mail-tester'),
    });
    if (sent.error !== undefined) return { ...base, sendError: sent.error };

    let fetchError: string | undefined;
    let lastBody: string | undefined;
    const ours = (report: MailTesterReport | undefined): boolean =>
      report?.state === 'unreadable' ||
      (report?.state === 'ready' && (report.subject === undefined || report.subject.includes(run.runToken)));
    const polled = await awaiting(context, `mail-tester's report at ${reportUrl}`, target.timeouts.deliveryMs, () =>
      pollUntil(
        async (): Promise<MailTesterReport | undefined> => {
          try {
            const response = await context.http.request(`${reportUrl}&format=json`, { headers: { accept: 'application/json' } });
            lastBody = response.body;
            if (response.status !== 200) {
              fetchError = `HTTP ${response.status}`;
              return undefined;
            }
            fetchError = undefined;
            try {
              return parseMailTesterReport(JSON.parse(response.body));
            } catch {
              fetchError = `the answer is not JSON (starts "${response.body.slice(0, 60).replace(/\s+/g, ' ')}")`;
              return undefined;
            }
          } catch (error) {
            fetchError = (error as Error).message;
            return undefined;
          }
        },
        ours,
        { timeoutMs: target.timeouts.deliveryMs, intervalMs: 500, maxIntervalMs: 10_000, clock: context.clock },
      ),
    );
    if (lastBody !== undefined) {
      mkdirSync(run.evidenceDir, { recursive: true });
      writeFileSync(join(run.evidenceDir, 'mail-tester-report.json'), lastBody);
    }
    return {
      ...base,
      waitedMs: polled.elapsedMs,
      ...(polled.value ? { report: polled.value } : {}),
      ...(fetchError ? { fetchError } : {}),
    };
  }

  return {
    configured: Boolean(target.mailTester),
    observe: () => (observed ??= sendAndRead()),
  };
}
