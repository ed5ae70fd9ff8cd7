/**
 * Prints the Debian packages the project needs, one per line, derived from the table of programs the
 * world and the tests start (world/system-packages.ts), through the embedded target like every script. `.ci/run` installs exactly this list.
 */
import { SYSTEM_PACKAGES } from '../harness/targets/embedded.ts';

process.stdout.write(`${SYSTEM_PACKAGES.join('\n')}\n`);
