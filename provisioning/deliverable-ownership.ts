/**
 * Provisioning's deliverables (postal-api-keys.txt, postal-dns-records.txt with Postal's real DKIM key,
 * the CLI configs, …) are what a user publishes and hands out, so provisioning overwrites only a file it
 * wrote itself and nobody changed since: each file it writes is recorded, with its sha256, in
 * `<out>/.postal-qa-provisioned.json` (mode 600). A file there that provisioning did not write (or that
 * was edited after) is refused, naming it, unless the user says `--force`.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError } from '../core/config-error.ts';

export const OWNERSHIP_FILE_NAME = '.postal-qa-provisioned.json';

const sha256 = (content: string | Buffer): string => `sha256:${createHash('sha256').update(content).digest('hex')}`;

function readRecord(out: string): Record<string, string> {
  const path = join(out, OWNERSHIP_FILE_NAME);
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { files?: Record<string, string> };
    return parsed.files && typeof parsed.files === 'object' ? parsed.files : {};
  } catch {
    // An unreadable record vouches for nothing: every existing file then counts as not ours.
    return {};
  }
}

function writeRecord(out: string, files: Record<string, string>): void {
  const path = join(out, OWNERSHIP_FILE_NAME);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    `${JSON.stringify({ note: 'Files postal-qa provisioning wrote here, with their sha256: it overwrites only these (or any file with --force).', files }, null, 2)}\n`,
    { mode: 0o600 },
  );
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Why provisioning may not replace `path` with `text` (undefined: it may). */
export function foreignDeliverable(out: string, path: string, text?: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const current = readFileSync(path);
  if (text !== undefined && current.equals(Buffer.from(text))) return undefined;
  if (readRecord(out)[relative(out, path)] === sha256(current)) return undefined;
  return `${path}: exists and was not written by provisioning (or was changed since); move it away, or pass --force to overwrite it`;
}

/** Throws one ConfigError line for the first of `paths` provisioning may not overwrite (none with `force`). */
export function assertOwnDeliverables(out: string, paths: string[], force: boolean | undefined): void {
  if (force) return;
  for (const path of paths) {
    const problem = foreignDeliverable(out, path);
    if (problem) throw new ConfigError(problem);
  }
}

/** Writes a deliverable atomically with its mode, after the ownership check, and records it as provisioning's. */
export function writeDeliverable(out: string, path: string, text: string, mode: number, force?: boolean): void {
  const problem = force ? undefined : foreignDeliverable(out, path, text);
  if (problem) throw new ConfigError(problem);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (mode === 0o600) chmodSync(dirname(path), 0o700); // a secret's folder is the user's alone, as the CLI wants
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode); // an old tmp file keeps its mode; the umask may have narrowed it
  renameSync(tmp, path);
  recordDeliverable(out, path);
}

/** Records a file provisioning has just written (by other means) as its own. */
export function recordDeliverable(out: string, path: string): void {
  const files = readRecord(out);
  files[relative(out, path)] = sha256(readFileSync(path));
  writeRecord(out, files);
}
