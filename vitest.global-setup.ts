import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The unit tier's temporary folder: every test that makes a scratch folder with mkdtemp(tmpdir()) makes it
 * here (os.tmpdir() reads TMPDIR each time; the workers inherit it), and the whole folder goes when the
 * tier ends, so a test that forgets its own clean-up leaves nothing on the machine. Short, for the world's
 * Unix sockets (108 bytes), and traversable (not listable) by others: Dovecot's mail user reaches the
 * Maildirs under it, as under /tmp.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'pqa-unit-'));
  chmodSync(dir, 0o711);
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
