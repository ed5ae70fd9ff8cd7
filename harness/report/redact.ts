import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_SECRET_LENGTH, registeredSecrets } from '../../core/secret-registry.ts';
import { KEYISH_VALUE, maskValue } from '../checks/secret-scrub.ts';

/** Every secret of the run: those handed over and those registered when they were read (core/secret-registry.ts). */
export function knownSecrets(secrets: Iterable<string> = []): string[] {
  return [...new Set([...secrets, ...registeredSecrets()].filter((s) => s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
}

/**
 * Masks secrets in anything we write. Known secrets are masked by value; on top of that, any value
 * next to a key-ish name (api key, token, password, secret) is masked, because a secret we were never
 * told about must not leak either (Postal echoes a wrong key back in `data.token`). The same masking
 * the checks apply to text they quote (secret-scrub.ts), without its "anything key-shaped" rule, which
 * would also eat DKIM keys and signatures the report must show.
 */
export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const known = knownSecrets(secrets);
  return (text: string) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join(maskValue(secret));
    return out.replace(KEYISH_VALUE, (_, prefix: string, value: string) => `${prefix}${maskValue(value)}`);
  };
}

/** Masks known secrets (by value) in one line of our own output. */
export function maskKnown(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets(secrets)) out = out.split(secret).join(maskValue(secret));
  return out;
}

/**
 * The last guard before a report folder is published: every file under `dir` that still holds a
 * known secret byte for byte (an Allure result, an evidence file a worker wrote) has it masked in
 * place. Returns the files it changed, relative to `dir`.
 */
export function redactFolder(dir: string, secrets: Iterable<string>): string[] {
  const known = knownSecrets(secrets).map((s) => ({ secret: Buffer.from(s), mask: Buffer.from(maskValue(s)) }));
  const changed: string[] = [];
  const walk = (folder: string, prefix: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path, `${prefix}${name}/`);
      if (!stat?.isFile()) continue;
      const original = readFileSync(path);
      let content: Buffer = original;
      for (const { secret, mask } of known) content = replaceAll(content, secret, mask);
      if (content !== original) {
        writeFileSync(path, content);
        changed.push(`${prefix}${name}`);
      }
    }
  };
  walk(dir, '');
  return changed;
}

function replaceAll(buffer: Buffer, find: Buffer, replacement: Buffer): Buffer {
  let at = buffer.indexOf(find);
  if (at < 0) return buffer;
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(buffer.subarray(from, at), replacement);
    from = at + find.length;
    at = buffer.indexOf(find, from);
  }
  parts.push(buffer.subarray(from));
  return Buffer.concat(parts);
}

/**
 * Everything this process writes to stdout and stderr (vitest's reporter included) passes through
 * `maskKnown`, so a secret registered at read time never reaches a terminal or a CI log.
 */
export function maskProcessOutput(secrets: () => Iterable<string>): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') return write(maskKnown(chunk, secrets()), ...rest);
      if (chunk instanceof Uint8Array) return write(maskKnown(Buffer.from(chunk).toString('utf8'), secrets()), ...rest);
      return write(chunk, ...rest);
    };
  }
}
