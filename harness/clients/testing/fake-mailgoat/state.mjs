// The fake's world in one JSON file: the Postal server (valid keys, messages) and the inbox databases
// its `inbox serve` writes (path → entries). Writes go through a rename so a reader polling at the same time never sees half a file.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export function statePath() {
  const path = process.env.FAKE_MAILGOAT_STATE;
  if (!path) {
    process.stderr.write('fake mailgoat: FAKE_MAILGOAT_STATE is not set\n');
    process.exit(1);
  }
  return path;
}

export function loadState() {
  return JSON.parse(readFileSync(statePath(), 'utf8'));
}

export function saveState(state) {
  const path = statePath();
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2));
  renameSync(temporary, path);
}
