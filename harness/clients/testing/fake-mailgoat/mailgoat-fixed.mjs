#!/usr/bin/env node
// MailGoat with both 1.2.0 defects fixed, printing `read --json` exactly as its formatter does: the whole
// MessageDetails, whose `status` expansion ({status: "Sent", held, ...}) must not be taken for Postal's envelope.
import { main } from './fake-cli.mjs';

main({ printsStatusExpansion: true });
