import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './config-error.ts';

/** Configuration files are small; a megabyte is far more than any real one and little to read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface UserFile {
  /** the file as the user named it */
  path: string;
  /** how the user named it, e.g. `--waivers` or `POSTAL_API_KEYS_FILE`; the message starts `<name>=<path>:` */
  namedBy?: string;
  /** what the file is, e.g. "waivers file" */
  what: string;
  /** what to do when it does not exist, e.g. "pass --deployment=<file>" */
  whenMissing?: string;
  /** refused, unread, when larger (default 1 MB) */
  maxBytes?: number;
}

const sizeText = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a file the user pointed us at, or throws one line naming who named it, the path and what is
 * wrong: missing, a directory (or a device, a FIFO — anything that is not a regular file, which could
 * block or never end), unreadable, too big (checked on the open descriptor before reading), not UTF-8.
 * Never a stack trace: the fix is in the user's input.
 */
export function readUserFile(file: UserFile): string {
  const where = file.namedBy ? `${file.namedBy}=${file.path}` : file.path;
  const maxBytes = file.maxBytes ?? MAX_CONFIG_BYTES;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO nobody writes to must not hang; it is refused below as not a regular file.
    fd = openSync(file.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${where}: ${file.what} not found${file.whenMissing ? `; ${file.whenMissing}` : ''}`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new ConfigError(`${where}: the ${file.what} cannot be read (permission denied); make it readable by this user`);
    if (code === 'ENOTDIR')
      throw new ConfigError(`${where}: a part of the path is a file, not a folder; expected the path of a ${file.what}`);
    throw new ConfigError(`${where}: cannot open the ${file.what} (${code ?? (error as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ConfigError(`${where}: is a directory; expected a ${file.what} (a file)`);
    if (!stat.isFile()) throw new ConfigError(`${where}: is not a regular file (a device, socket or pipe); expected a ${file.what}`);
    if (stat.size > maxBytes)
      throw new ConfigError(`${where}: the ${file.what} is ${sizeText(stat.size)}; at most ${sizeText(maxBytes)} is accepted`);
    // Room for one byte more than allowed: a file that grew after fstat is still caught, and nothing unbounded is read.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes)
        throw new ConfigError(`${where}: the ${file.what} is larger than ${sizeText(maxBytes)}; at most that is accepted`);
    }
    try {
      return strictUtf8.decode(buffer.subarray(0, length)).replace(/^\uFEFF/, '');
    } catch {
      throw new ConfigError(`${where}: the ${file.what} is not UTF-8 text`);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${where}: cannot read the ${file.what} (${code ?? (error as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses a JSON file the user named; a syntax error is one line naming it. */
export function readUserJson(file: UserFile): unknown {
  const text = readUserFile(file);
  return parseUserJson(text, file.namedBy ? `${file.namedBy}=${file.path}` : file.path, file.what);
}

export function parseUserJson(text: string, where: string, what = 'file'): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${where}: the ${what} is not valid JSON (${(error as Error).message.split('\n')[0]}); fix the syntax and run again`,
    );
  }
}

/**
 * Reads a file the user pointed us at; a missing or unreadable file is one line naming it, what it is
 * and what to do (`whenMissing`), never a stack trace. (The older signature, kept for its callers.)
 */
export function readConfigFile(path: string, what: string, whenMissing: string, namedBy?: string): string {
  return readUserFile({ path, what, whenMissing, namedBy });
}
