/** `pretest:unit`: the project's own tests start worlds too, so they need the world's Debian packages. */
import { ensureSystemPackages } from '../harness/targets/embedded.ts';

const problem = ensureSystemPackages();
if (problem) console.error(`postal-qa: ${problem}`);
process.exit(problem ? 2 : 0);
