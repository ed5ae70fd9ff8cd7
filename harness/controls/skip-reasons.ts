/** Why a control could not be exercised on a target, with the setting that would make it possible. */
export const NO_INBOX_READER =
  'the target gives no way to read the agents\' inboxes: set INBOX_LIST_COMMAND (a command printing `mailgoat inbox list --json` for {agent})';
