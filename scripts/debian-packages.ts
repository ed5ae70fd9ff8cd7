/**
 * Prints the Debian packages the project needs, one per line, derived from the table of programs the
 * world and the tests start (world/system-packages.ts), through the embedded target like every script. `.ci/run` installs exactly this list.
 */
import { DEBCONF_PRESELECTIONS, SYSTEM_PACKAGES } from '../harness/targets/embedded.ts';

// --debconf: the install questions' answers, for debconf-set-selections before apt-get install.
process.stdout.write(`${(process.argv.includes('--debconf') ? DEBCONF_PRESELECTIONS : SYSTEM_PACKAGES).join('\n')}\n`);
