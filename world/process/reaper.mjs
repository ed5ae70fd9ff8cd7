// The world's reaper, like Testcontainers' Ryuk for containers: a tiny process of its own (its own
// process group, so a terminal's Ctrl-C does not take it first) that outlives the world by design.
// The world writes "+<pgid>" for every daemon group it starts and "-<pgid>" when one stopped; when the
// world's end of the pipe closes — a clean stop, a crash or a SIGKILL alike — every group still
// registered is SIGKILLed and every registered folder removed. Plain JavaScript: it must start fast.
import { rmSync } from 'node:fs';

const groups = new Set();
const folders = new Set();
let partial = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  partial += chunk;
  const lines = partial.split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    const [op, value] = [line[0], line.slice(1)];
    if (op === '+') groups.add(Number(value));
    else if (op === '-') groups.delete(Number(value));
    else if (op === 'd') folders.add(value);
    else if (op === 'D') folders.delete(value);
  }
});

function reap() {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const folder of folders) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // best effort: a folder still held by a dying daemon is left to the system's tmp cleaning
    }
  }
  process.exit(0);
}

process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, reap);
