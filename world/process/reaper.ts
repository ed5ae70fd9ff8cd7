/**
 * The world's side of the reaper (reaper.mjs): started once, on the first daemon, and told about every
 * process group and folder the world must not leave behind. Nothing else is needed to clean up after a
 * SIGKILLed world: the kernel closes the pipe, and the reaper does the rest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REAPER_SCRIPT = fileURLToPath(new URL('./reaper.mjs', import.meta.url));

let reaper: ChildProcess | undefined;

function tellReaper(line: string): void {
  if (!reaper) {
    reaper = spawn(process.execPath, [REAPER_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    reaper.on('error', () => undefined);
    reaper.stdin!.on('error', () => undefined);
    // Neither the child nor our end of the pipe may keep a world that has finished from exiting.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void }).unref?.();
  }
  reaper.stdin!.write(`${line}\n`);
}

export const reaperWatch = {
  group: (pgid: number): void => tellReaper(`+${pgid}`),
  groupGone: (pgid: number): void => tellReaper(`-${pgid}`),
  folder: (path: string): void => tellReaper(`d${path}`),
  folderGone: (path: string): void => tellReaper(`D${path}`),
};

/** The reaper's pid, for tests that check it goes away with the world. */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}
