#!/usr/bin/env node
// `read` never answers, and leaves a child of its own behind: the harness must kill the whole group.
import { spawn } from 'node:child_process';
import { loadState, saveState } from './state.mjs';
import { main } from './fake-cli.mjs';

if (process.argv[2] === 'read') {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  const state = loadState();
  state.pids.push(process.pid, child.pid);
  saveState(state);
}
main({ hangsOn: 'read' });
