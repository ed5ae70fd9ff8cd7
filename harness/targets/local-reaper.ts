/**
 * The local run's reaper: a process of its own (its own session, so the job's Ctrl-C or SIGTERM does not
 * reach it) that tears the compose project down — containers, network, volumes — and removes the run
 * folder when the harness is gone without doing so itself: SIGKILLed, or forced out by a second signal.
 * Testcontainers' own reaper (Ryuk) is an image from a registry; this one needs nothing but the compose CLI.
 * The harness ends it (SIGTERM) after a teardown of its own.
 *
 *   node --import tsx harness/targets/local-reaper.ts --harness-pid=N --project=P --run-dir=D --net=127.0.x
 */
import { processAlive } from '../../core/process/process-alive.ts';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeDown } from './local-compose.ts';
import { findContainerEngine } from './local-engine.ts';

/** How often the harness's pid is looked at: the teardown starts within this of the harness going. */
const WATCH_MS = 500;

async function tearDown(project: string, runDir: string, net: string): Promise<void> {
  // Our own engine connection (the harness's Podman service may have gone with it), its socket in a folder of its own.
  const reaperDir = join(runDir, 'reaper');
  mkdirSync(reaperDir, { recursive: true });
  const engine = await findContainerEngine({ runDir: reaperDir });
  try {
    // Compose wants every variable the file requires; only the project and the file matter to `down`.
    composeDown(engine, project, { POSTAL_QA_WORLD_NET: net, POSTAL_QA_RUN_DIR: runDir, POSTAL_QA_DB_PASSWORD: 'unused-by-down' });
  } finally {
    await engine.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function main(): void {
  const { values } = parseArgs({
    options: { 'harness-pid': { type: 'string' }, project: { type: 'string' }, 'run-dir': { type: 'string' }, net: { type: 'string' } },
  });
  const pid = Number(values['harness-pid']);
  const { project, net } = values;
  const runDir = values['run-dir'];
  if (!pid || !project || !runDir || !net) throw new Error('usage: local-reaper --harness-pid=N --project=P --run-dir=D --net=127.0.x');
  process.on('SIGTERM', () => process.exit(0));
  const timer = setInterval(() => {
    if (processAlive(pid)) return;
    clearInterval(timer);
    tearDown(project, runDir, net).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  }, WATCH_MS);
}

main();
