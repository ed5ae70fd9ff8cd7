#!/usr/bin/env node
// A fake with the 1.2.0 defects named in FAKE_MAILGOAT_TRAITS (comma-separated trait names, see fake-cli.mjs),
// so a test can switch them on one at a time.
import { main } from './fake-cli.mjs';

const names = (process.env.FAKE_MAILGOAT_TRAITS ?? '').split(',').filter(Boolean);
main(Object.fromEntries(names.map((name) => [name, true])));
