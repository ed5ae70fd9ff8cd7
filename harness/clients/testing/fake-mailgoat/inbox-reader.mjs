#!/usr/bin/env node
// The target's inbox reader (kind 'command'): `node inbox-reader.mjs <agent>` prints that agent's
// inbox as `inbox list --json` does, with the body, straight from the fake's inbox database.
import { inboxEntries, loadState } from './state.mjs';

const agent = process.argv[2];
const state = loadState();
const address = state.agents[agent];
if (!address) {
  process.stderr.write(`inbox-reader: unknown agent ${agent}\n`);
  process.exit(1);
}
const byId = new Map(state.messages.map((m) => [m.id, m]));
const entries = inboxEntries(state, address, (m) => m.id).map((e) => ({ ...e, plainBody: byId.get(e.id).body }));
process.stdout.write(`${JSON.stringify(entries)}\n`);
