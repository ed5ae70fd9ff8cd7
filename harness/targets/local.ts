/**
 * The local target: Postal's containers under Testcontainers (DockerComposeEnvironment), with a wait
 * strategy per service, torn down after the run with their volumes and network — also after Ctrl-C or
 * SIGTERM, since the CLI closes every target it opened, and by a reaper process of its own when the harness
 * dies without closing (local-reaper.ts). Where no image registry answers (this machine),
 * the compose file is docker-compose.stand-in.yml: Debian's MariaDB and, in place of Postal's image, the
 * project's Postal stand-in with the world around it (images from `npm run images:build`). The stand-in
 * starts empty, as a fresh install is, and is provisioned with `npm run provision`'s phase 1 and phase 2 over an
 * exec transport (`podman exec` or `docker exec`, local-provision.ts). The specs get the same kind of descriptor as for
 * the world (harness/targets/embedded.ts), read from the description the containerised world writes into the
 * run folder it shares with us, with what provisioning learnt from Postal (its keys, postal-state.json).
 */
import { processAlive } from '../../core/process/process-alive.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/config-error.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { RunOptions } from '../config/run-options.ts';
import type { WorldDescription } from './embedded-description.ts';
import { checkEmbeddedOptions, describeEmbeddedTarget, worldNet } from './embedded.ts';
import { imageRecipes, inputsDigest, INPUTS_LABEL, MARIADB_IMAGE, STAND_IN_IMAGE } from './embedded-images.ts';
import { composeCli, composeDown, STAND_IN_COMPOSE_FILE } from './local-compose.ts';
import { provisionLocalContainers } from './local-provision.ts';
import { findContainerEngine, type ContainerEngine } from './local-engine.ts';
import type { OpenTarget } from './target.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REAPER = fileURLToPath(new URL('./local-reaper.ts', import.meta.url));
/** Compose project names start with this; the pid lets a later run tell a dead run's leftovers. */
export const PROJECT_PREFIX = 'postal-qa-local-';
/** spamd compiles its rules, Dovecot starts twice, MariaDB initialises: generous on a busy 2-core machine. */
const STARTUP_TIMEOUT_MS = 240_000;

/** An image's labels (GET /images/<name>/json), or undefined when the engine does not have it. */
async function imageLabels(socketPath: string, image: string): Promise<Record<string, string> | undefined> {
  try {
    const inspected = await engineGet<{ Config?: { Labels?: Record<string, string> | null } }>(
      socketPath,
      `/images/${encodeURIComponent(image)}/json`,
    );
    return inspected.Config?.Labels ?? {};
  } catch (error) {
    // Only "no such image" means missing; an engine that does not answer is said as it is.
    if (/HTTP 404/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * Why an image cannot be run, or undefined: missing, or — for the images this project builds — built
 * from other inputs than the code beside it (a run must test the code it is run from).
 */
export function imageProblem(
  image: string,
  labels: Record<string, string> | undefined,
  expectedInputs: string | undefined,
): string | undefined {
  if (!labels) return 'is not in the engine';
  if (expectedInputs === undefined) return undefined;
  const built = labels[INPUTS_LABEL];
  if (built !== expectedInputs) return `was built from other inputs (${built ?? 'no label'}) than this checkout's (${expectedInputs})`;
  return undefined;
}

/** Compose v1 names containers `<project>_<service>_1`, v2 `<project>-<service>-1`; Testcontainers strips the v2 prefix only. */
export function composeContainerName(project: string, service: string, standalone: boolean): string {
  return standalone ? `${project}_${service}_1` : `${service}-1`;
}

/** Each service's log, as `docker-compose logs` prints it. */
async function serviceLogs(
  engine: ContainerEngine,
  project: string,
  env: Record<string, string>,
): Promise<Array<{ name: string; text: string }>> {
  await engine.revive();
  return ['postal', 'mariadb'].map((service) => {
    const result = composeCli(engine, project, env, ['logs', '--no-color', '--timestamps', service], 60);
    return {
      name: `${project}_${service}`,
      text: result.status === 0 ? result.stdout : `docker-compose logs ${service} failed: ${result.stderr || result.error?.message}`,
    };
  });
}

/** GET on the engine's API, parsed as JSON. */
function engineGet<T>(socketPath: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The projects of local runs whose harness is gone (SIGKILLed: no close() ran). Ryuk would reap them,
 * but it is an image from a registry; so each run sweeps what dead runs left before it starts.
 */
export function orphanProjects(projects: string[], isAlive: (pid: number) => boolean = processAlive): string[] {
  return [...new Set(projects)].filter((project) => {
    const pid = Number(project.slice(PROJECT_PREFIX.length));
    return project.startsWith(PROJECT_PREFIX) && Number.isInteger(pid) && pid > 0 && !isAlive(pid);
  });
}

async function sweepOrphans(engine: ContainerEngine, composeEnv: Record<string, string>): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['com.docker.compose.project'] }));
  const containers = await engineGet<Array<{ Labels?: Record<string, string> }>>(
    engine.socketPath,
    `/containers/json?all=1&filters=${filters}`,
  );
  const projects = containers.map((c) => c.Labels?.['com.docker.compose.project'] ?? '');
  for (const project of orphanProjects(projects)) {
    process.stderr.write(`postal-qa: removing ${project}, left by a local run that was killed\n`);
    composeDown(engine, project, composeEnv);
  }
}

/** The reaper (local-reaper.ts): a session of its own, so the job's signals do not reach it. */
function startReaper(project: string, runDir: string, net: string, userEnv: NodeJS.ProcessEnv): ChildProcess {
  // An engine the user named in DOCKER_HOST is handed on; our own Podman service is not (the reaper starts its own).
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  if (userEnv.DOCKER_HOST) env.DOCKER_HOST = userEnv.DOCKER_HOST;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', REAPER, `--harness-pid=${process.pid}`, `--project=${project}`, `--run-dir=${runDir}`, `--net=${net}`],
    {
      cwd: PROJECT_ROOT,
      env,
      detached: true,
      stdio: 'ignore',
    },
  );
  child.unref();
  return child;
}

export async function openLocalTarget(
  options: RunOptions,
  deployment: Deployment,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenTarget> {
  checkEmbeddedOptions({}, env);
  const runDir = mkdtempSync(join(tmpdir(), 'postal-qa-local-'));
  // The world's Dovecot runs as its own user inside the container and must pass through to its Maildirs.
  chmodSync(runDir, 0o711);
  let engine: ContainerEngine | undefined;
  let composeEnv: Record<string, string> | undefined;
  const project = `${PROJECT_PREFIX}${process.pid}`;
  let reaper: ChildProcess | undefined;
  const cleanup = async () => {
    const notes: string[] = [];
    if (engine && composeEnv) {
      await engine.revive();
      const failed = composeDown(engine, project, composeEnv);
      if (failed) notes.push(failed);
    }
    await engine?.stop();
    rmSync(runDir, { recursive: true, force: true });
    // Done here: the reaper has nothing left to do.
    reaper?.kill('SIGTERM');
    if (notes.length) throw new Error(notes.join('; '));
  };
  try {
    engine = await findContainerEngine({ env, runDir });
    const images = { postal: env.POSTAL_IMAGE || STAND_IN_IMAGE, mariadb: env.MARIADB_IMAGE || MARIADB_IMAGE };
    for (const recipe of imageRecipes()) {
      const image = recipe.name === 'mariadb' ? images.mariadb : images.postal;
      // Only the images this project builds carry the label; an image named in POSTAL_IMAGE/MARIADB_IMAGE is taken as it is.
      const problem = imageProblem(
        image,
        await imageLabels(engine.socketPath, image),
        image === recipe.tag ? inputsDigest(recipe) : undefined,
      );
      if (problem) {
        throw new ConfigError(
          `--env=local: the image ${image} ${problem}; run \`npm run images:build\` (no registry is reached; unchanged parts are cached) or name another with ${recipe.name === 'mariadb' ? 'MARIADB_IMAGE' : 'POSTAL_IMAGE'}`,
        );
      }
    }
    copyFileSync(options.deploymentPath, join(runDir, 'deployment.json'));
    mkdirSync(join(runDir, 'tmp'), { mode: 0o711 });
    chmodSync(join(runDir, 'tmp'), 0o711);
    composeEnv = {
      POSTAL_QA_WORLD_NET: worldNet(env),
      POSTAL_QA_RUN_DIR: runDir,
      POSTAL_QA_DB_PASSWORD: randomBytes(18).toString('base64url'),
      POSTAL_IMAGE: images.postal,
      MARIADB_IMAGE: images.mariadb,
    };
    await sweepOrphans(engine, composeEnv);
    reaper = startReaper(project, runDir, composeEnv.POSTAL_QA_WORLD_NET!, env);
    // Testcontainers reads its settings from the environment when first used. Ryuk (its reaper) is an
    // image from a registry: off, and the teardown is ours (close(), also after signals).
    Object.assign(process.env, engine.env, { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' });
    const { DockerComposeEnvironment, Wait } = await import('testcontainers');
    const standalone = engine.compose.standalone;
    const environment = new DockerComposeEnvironment(PROJECT_ROOT, STAND_IN_COMPOSE_FILE)
      .withProjectName(project)
      .withEnvironment(composeEnv)
      .withClientOptions({ executable: engine.compose })
      .withWaitStrategy(composeContainerName(project, 'mariadb', standalone), Wait.forLogMessage(/ready for connections/))
      .withWaitStrategy(composeContainerName(project, 'postal', standalone), Wait.forLogMessage('World ready.'))
      .withStartupTimeout(STARTUP_TIMEOUT_MS);
    await environment.up();
    const descriptionPath = join(runDir, 'world.json');
    if (!existsSync(descriptionPath)) throw new Error(`the stand-in said it was ready but wrote no ${descriptionPath}`);
    const started = JSON.parse(readFileSync(descriptionPath, 'utf8')) as WorldDescription;
    // The stand-in holds nothing yet: provisioned as a server is, through the engine's exec (or the compose CLI's).
    const provisioned = await provisionLocalContainers({
      world: started,
      deployment,
      execPrefix: engine.execCli
        ? [...engine.execCli, composeContainerName(project, 'postal', engine.compose.standalone)]
        : ['docker-compose', '-f', STAND_IN_COMPOSE_FILE, '-p', project, 'exec', '-T', 'postal'],
      env: { ...process.env, ...engine.env, ...composeEnv },
      cwd: PROJECT_ROOT,
      out: join(runDir, 'deliverables'),
      log: (line) => process.stderr.write(`postal-qa: provision: ${line}\n`),
    });
    const world = provisioned.world;
    // The same path as every target: the live target opened with the settings the world in the container gives
    // (its files are in the run folder, mounted at the same path).
    const described = await describeEmbeddedTarget(world, deployment, options);
    const base = described.descriptor;
    return {
      descriptor: {
        ...base,
        env: 'local',
        label: `local containers on ${engine.label}: ${images.postal} (the Postal stand-in, not Postal's image) and ${images.mariadb}, world on ${world.net}.0/24`,
        components: {
          ...base.components,
          'Postal image': images.postal,
          'MariaDB image': images.mariadb,
          'container engine': engine.label,
        },
        limitations: [
          `Here the Postal image is the project's stand-in (${images.postal}, built by npm run images:build), not ghcr.io/postalserver/postal:${deployment.postal.version}: no image registry is reachable. It started empty and was ${provisioned.summary}. docker-compose.test.yml describes the real image's services for a Docker host; provisioning them takes a server container with Docker's CLI for the exec transport, which this version does not start.`,
          `MariaDB (${images.mariadb}) runs and is waited for, but the stand-in keeps its state in memory: nothing exercises the database.`,
          ...base.limitations,
        ],
      },
      secrets: [...described.secrets, composeEnv.POSTAL_QA_DB_PASSWORD!],
      containerLogs: () => serviceLogs(engine!, project, composeEnv!),
      close: cleanup,
    };
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
}
