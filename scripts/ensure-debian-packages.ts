/**
 * Installs the Debian packages a command needs (world/system-packages.ts), e.g. `pretest:unit` and `pretest:e2e`:
 * the project's own tests start worlds and the tools that ask them from outside.
 *
 *   node --import tsx scripts/ensure-debian-packages.ts suite tests
 */
import { ensureSystemPackages, PACKAGE_NEEDS, type PackageNeed } from '../harness/targets/embedded.ts';

const needs = process.argv.slice(2);
const unknown = needs.filter((need) => !(PACKAGE_NEEDS as readonly string[]).includes(need));
if (needs.length === 0 || unknown.length > 0) {
  console.error(
    `postal-qa: ensure-debian-packages: name what needs them, from ${PACKAGE_NEEDS.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
  );
  process.exit(2);
}
const problem = ensureSystemPackages(needs as PackageNeed[]);
if (problem) console.error(`postal-qa: ${problem}`);
process.exit(problem ? 2 : 0);
