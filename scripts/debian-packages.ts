/**
 * Prints the Debian packages the project needs, one per line, derived from the table of programs the
 * world and the tests start (world/system-packages.ts), through the embedded target like every script.
 * `.ci/run` installs exactly this list (every command's packages); name commands to print only theirs:
 *
 *   node --import tsx scripts/debian-packages.ts [suite|world-tools|tests|server-host|rspamd|smtp-bench|local …] [--debconf]
 */
import { DEBCONF_PRESELECTIONS, PACKAGE_NEEDS, packagesFor, type PackageNeed } from '../harness/targets/embedded.ts';

const needs = process.argv.slice(2).filter((arg) => arg !== '--debconf');
const unknown = needs.filter((need) => !(PACKAGE_NEEDS as readonly string[]).includes(need));
if (unknown.length > 0) {
  console.error(`postal-qa: debian-packages: unknown command ${unknown.join(', ')}; name some of ${PACKAGE_NEEDS.join(', ')}`);
  process.exit(2);
}
// --debconf: the install questions' answers, for debconf-set-selections before apt-get install.
const list = process.argv.includes('--debconf')
  ? DEBCONF_PRESELECTIONS
  : packagesFor(needs.length ? (needs as PackageNeed[]) : PACKAGE_NEEDS);
process.stdout.write(`${list.join('\n')}\n`);
