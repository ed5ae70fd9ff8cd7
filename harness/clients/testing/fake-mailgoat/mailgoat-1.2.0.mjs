#!/usr/bin/env node
// MailGoat 1.2.0 as it behaves when run against Postal 3.3.2: Postal's `status` is never read (a wrong key prints
// Postal's data and exits 0), `inbox serve` keys entries by the Message-ID header and `read` sends that string
// (HTTP 500 from messages/message: exit 4), `inbox list --json --db-path X` ignores both options, and no
// MAILGOAT_* variable is read.
import { main } from './fake-cli.mjs';

main({
  ignoresPostalStatus: true,
  inboxIdIsMessageId: true,
  sendsIdAsString: true,
  parentOwnsInboxOptions: true,
  ignoresEnvOverrides: true,
});
