#!/usr/bin/env node
// MailGoat 1.2.0 as it behaves when run: Postal's `status` is never read (a wrong key prints Postal's data
// and exits 0), inbox entries are keyed by the Message-ID header, which `read` (messages/message) cannot
// look up, `inbox list --json --db-path X` ignores both options, and no MAILGOAT_* variable is read.
import { main } from './fake-cli.mjs';

main({ ignoresPostalStatus: true, inboxIdIsMessageId: true, parentOwnsInboxOptions: true, ignoresEnvOverrides: true });
