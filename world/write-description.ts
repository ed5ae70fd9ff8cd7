import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import type { WorldDescription } from './world-description.ts';

/**
 * `npm run world -- --describe-to=FILE`: a world started where no IPC reaches it (inside a container, for
 * `--env=local`) hands its description over as a file. It holds API keys and seed passwords, so it is
 * mode 600; it is written beside and renamed, so a reader polling for it never sees half of it.
 */
export function writeDescription(path: string, description: WorldDescription): void {
  const partial = `${path}.partial`;
  writeFileSync(partial, `${JSON.stringify(description, null, 2)}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, path);
}
