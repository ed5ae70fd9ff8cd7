/**
 * The environment a whole-run test hands the CLI: the parent's, minus everything that would configure the run
 * behind the test's back. The keys come from the live-settings catalog (every setting a run reads), so a new
 * setting is removed here the day it is added; then the harness's own POSTAL_QA_* knobs and what changes how
 * Node, npm, vitest or a container engine behave. The test then sets what it means to set.
 */
import { LIVE_SETTINGS, OPTIONAL_LIVE_SETTINGS } from '../../harness/config/live-settings.ts';

/** Every key the live-settings catalog knows (required and optional, deadlines included). */
export const SETTING_KEYS: readonly string[] = [...LIVE_SETTINGS, ...OPTIONAL_LIVE_SETTINGS].map((s) => s.key);

/** Settings of this machine, not of a run: a test inherits them (they say where images live, which packages to trust). */
const MACHINE_KEYS = new Set(['POSTAL_QA_SKIP_SYSTEM_PACKAGES', 'POSTAL_QA_IMAGE_CACHE']);

/**
 * Not settings, but they change what a run does: POSTAL_QA_* (the world's net, artifacts, compose values),
 * NODE_EXTRA_CA_CERTS (a trusted root would hide a bad certificate), vitest's and npm's own variables (a nested
 * vitest or npm would take them as its own), NODE_ENV, and DOCKER_HOST (a row must not reach a container engine).
 */
const RUN_CHANGING = /^(POSTAL_QA_|VITEST|npm_)/;
const RUN_CHANGING_KEYS = new Set(['NODE_ENV', 'NODE_EXTRA_CA_CERTS', 'DOCKER_HOST']);

/** True when `key` must not reach a run the test starts unless the test sets it. */
export function configuresTheRun(key: string): boolean {
  if (MACHINE_KEYS.has(key)) return false;
  return SETTING_KEYS.includes(key) || RUN_CHANGING.test(key) || RUN_CHANGING_KEYS.has(key);
}

/** The parent's environment without what configures a run, with `set` on top (what the test means to set). */
export function cleanEnv(set: NodeJS.ProcessEnv = {}, parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(parent)) if (!configuresTheRun(key)) env[key] = value;
  return { ...env, ...set };
}
