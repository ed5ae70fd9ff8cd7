#!/usr/bin/env node
// MailGoat 1.2.0 with its three defects fixed: `read --json` still prints the whole MessageDetails, whose
// `status` expansion ({status: "Sent", held, ...}) must not be taken for Postal's error envelope.
import { main } from './fake-cli.mjs';

main({ ignoresEnvOverrides: true });
