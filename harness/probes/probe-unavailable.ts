/**
 * Thrown by a probe when the target cannot provide what a control asks (no seed mailbox configured,
 * no way to read the agents' inboxes): the control is then skipped with this reason — never passed.
 */
export class ProbeUnavailable extends Error {
  override name = 'ProbeUnavailable';
}

/**
 * Thrown by a probe when something outside the deployment that a control needs refused it (a seed
 * mailbox's IMAP login, the outside sender's SMTP AUTH): the control is blocked by it, named with the
 * setting to check — never failed on Postal, never passed.
 */
export class ProbeBlocked extends Error {
  override name = 'ProbeBlocked';
}

export const NO_INBOX_READER =
  "the target gives no way to read the agents' inboxes: set INBOX_LIST_COMMAND (a command printing `mailgoat inbox list --json` for {agent})";
export const NO_POSTAL_API = 'the target has no Postal API settings: set POSTAL_API_URL and POSTAL_API_KEYS_FILE';
export const NO_SEEDS = 'the target has no seed mailboxes (Gmail/Outlook) configured: set SEED_GMAIL_* and/or SEED_OUTLOOK_*';
export const NO_SPAM_SCORER = 'the target has no SpamAssassin (spamd) to score with: set SPAMD_HOST';
export const NO_OUTSIDE_SENDER = 'the target has no outside sender (SMTP submission) configured';
/** --read-only: a probe about to send mail stops here, so no control can send by mistake. */
export const readOnlyRefusal = (what: string): string => `--read-only: this control sends mail (${what}) and the run may send nothing`;
export const NO_OUTBOUND_COMMAND =
  'the target gives no way to try port 25 from the server: set OUTBOUND_SMTP_COMMAND, e.g. "ssh root@91.98.35.3 \'timeout 10 bash -c \\"exec 3<>/dev/tcp/{ip}/25 && head -n1 <&3\\"\'"';
export const NO_SERVICE_VIEW =
  'the target exposes neither a service list nor health endpoints: set POSTAL_SERVICES_COMMAND and/or POSTAL_HEALTH_URLS';
export const NO_MAIL_TESTER = 'no mail-tester account or address is set (MAIL_TESTER_USER or MAIL_TESTER_ADDRESS)';
