/**
 * Where the world keeps what it generates (zone, keys, accounts manifest, CA): a folder of its own —
 * per run for the harness, per net for `npm run world` — never provisioning's output folder, which holds
 * the deliverables a user publishes. The world still boots from provisioning's output when there is one:
 * its accounts manifest and DKIM keys are copied (read, never written) into the world's folder the first
 * time, so the world serves the keys `npm run provision:dns` put in the records a user tries with --zone-file.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The default folder of `npm run world` on a net (relative to the checkout). */
export const worldFolderForNet = (net: string): string => join('.postal-qa', `world-${net}`);

const MANIFEST = 'accounts-manifest.json';

/** Copies provisioning's reusable state from `from` into `to` where `to` has none yet; `from` is only read. */
export function seedWorldFiles(from: string | undefined, to: string): string[] {
  if (!from || !existsSync(from)) return [];
  const copied: string[] = [];
  mkdirSync(to, { recursive: true, mode: 0o700 });
  const copy = (name: string): void => {
    if (existsSync(join(to, name)) || !existsSync(join(from, name))) return;
    copyFileSync(join(from, name), join(to, name));
    chmodSync(join(to, name), 0o600);
    copied.push(name);
  };
  copy(MANIFEST);
  if (existsSync(join(from, 'dkim'))) {
    mkdirSync(join(to, 'dkim'), { recursive: true, mode: 0o700 });
    for (const name of readdirSync(join(from, 'dkim')).filter((n) => n.endsWith('.private.pem'))) copy(join('dkim', name));
  }
  return copied;
}
