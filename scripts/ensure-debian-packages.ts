/** `pretest:unit`: the project's own tests start worlds too, so they need the world's Debian packages. */
import { ensureSystemPackages } from '../world/system-packages.ts';

const problem = ensureSystemPackages();
if (problem) console.error(`postal-qa: ${problem}`);
process.exit(problem ? 2 : 0);
