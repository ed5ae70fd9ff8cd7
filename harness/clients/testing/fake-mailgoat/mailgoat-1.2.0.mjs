#!/usr/bin/env node
// MailGoat 1.2.0 as its source reads: Postal's `status` is never checked (a wrong key exits 0), and
// inbox entries are keyed by the Message-ID header, which `read` (messages/message) cannot look up.
import { main } from './fake-cli.mjs';

main({ ignoresPostalStatus: true, inboxIdIsMessageId: true });
