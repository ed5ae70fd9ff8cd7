/**
 * npm run images:build — builds the images `--env=local` runs where no registry answers: a Debian root
 * filesystem per image from mmdebstrap (Debian's own packages), imported into the engine, then a
 * Containerfile on top. Nothing is rebuilt whose inputs did not change: root filesystems are cached as
 * tarballs (POSTAL_QA_IMAGE_CACHE, default /var/cache/postal-qa/images), and an image whose
 * io.postal-qa.inputs label equals the digest of its inputs is kept. Prints each step's time.
 *
 * The engine's CLI is `podman` when on PATH, else `docker` (CONTAINER_ENGINE overrides).
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  appFiles,
  IMAGES_DIR,
  imageRecipes,
  inputsDigest,
  INPUTS_LABEL,
  PROJECT_ROOT,
  rootfsDigest,
  SUITE,
  type ImageRecipe,
} from '../harness/targets/embedded-images.ts';

const CACHE_DIR = process.env.POSTAL_QA_IMAGE_CACHE || '/var/cache/postal-qa/images';
/** mmdebstrap downloads a few hundred MB through apt; a build step that hangs must end. */
const STEP_TIMEOUT_MS = 30 * 60_000;

function engineCli(): string {
  if (process.env.CONTAINER_ENGINE) return process.env.CONTAINER_ENGINE;
  return spawnSync('sh', ['-c', 'command -v podman'], { encoding: 'utf8' }).status === 0 ? 'podman' : 'docker';
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: STEP_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'inherit'], ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.slice(0, 2).join(' ')} … exited ${result.status}`);
  return String(result.stdout ?? '').trim();
}

async function timed<T>(label: string, step: () => T | Promise<T>): Promise<T> {
  const began = performance.now();
  const value = await step();
  console.log(`  ${label}: ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return value;
}

function labelOf(engine: string, tag: string): string | undefined {
  const result = spawnSync(engine, ['image', 'inspect', '--format', `{{ index .Config.Labels "${INPUTS_LABEL}" }}`, tag], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

async function buildRootfs(engine: string, recipe: ImageRecipe): Promise<{ image: string }> {
  const image = `localhost/postal-qa/rootfs-${recipe.name}:${rootfsDigest(recipe)}`;
  if (
    spawnSync(engine, ['image', 'exists', image]).status === 0 ||
    (engine !== 'podman' && spawnSync(engine, ['image', 'inspect', image], { stdio: 'ignore' }).status === 0)
  ) {
    console.log(`  root filesystem ${image}: cached`);
    return { image };
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const tarball = join(CACHE_DIR, `rootfs-${recipe.name}-${rootfsDigest(recipe)}.tar`);
  if (!existsSync(tarball)) {
    // mmdebstrap picks its output format from the name: keep .tar at the end.
    const partial = tarball.replace(/\.tar$/, '.partial.tar');
    rmSync(partial, { force: true });
    await timed(`mmdebstrap ${recipe.packages.join(',')}`, () =>
      run('mmdebstrap', ['--variant=minbase', '--format=tar', `--include=${recipe.packages.join(',')}`, '--quiet', SUITE, partial], {
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
    renameSync(partial, tarball);
  } else console.log(`  root filesystem tarball ${tarball}: cached`);
  await timed(`${engine} import`, () => run(engine, ['import', tarball, image]));
  return { image };
}

/** The build context: the Containerfile's files, and for the stand-in the project and this machine's Node. */
async function stageContext(recipe: ImageRecipe): Promise<string> {
  const context = join(CACHE_DIR, `context-${recipe.name}`);
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  for (const file of recipe.files) cpSync(join(IMAGES_DIR, file), join(context, file));
  if (recipe.withApp) {
    await timed('stage the project and node_modules', () => {
      for (const file of appFiles()) cpSync(join(PROJECT_ROOT, file), join(context, 'app', file));
      cpSync(join(PROJECT_ROOT, 'node_modules'), join(context, 'app', 'node_modules'), { recursive: true, verbatimSymlinks: true });
      cpSync(process.execPath, join(context, 'node'));
    });
  }
  return context;
}

async function buildImage(engine: string, recipe: ImageRecipe): Promise<void> {
  console.log(`${recipe.tag}`);
  const rootfs = await buildRootfs(engine, recipe);
  const inputs = inputsDigest(recipe);
  if (labelOf(engine, recipe.tag) === inputs) {
    console.log(`  image: cached (inputs ${inputs})`);
    return;
  }
  const previous = spawnSync(engine, ['image', 'inspect', '--format', '{{.Id}}', recipe.tag], {
    encoding: 'utf8',
    timeout: 60_000,
  }).stdout?.trim();
  const context = await stageContext(recipe);
  await timed(`${engine} build`, () =>
    run(
      engine,
      [
        'build',
        '--quiet',
        '-f',
        join(IMAGES_DIR, recipe.containerfile),
        '--build-arg',
        `BASE=${rootfs.image}`,
        '--label',
        `${INPUTS_LABEL}=${inputs}`,
        '-t',
        recipe.tag,
        context,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    ),
  );
  rmSync(context, { recursive: true, force: true });
  // The image the tag pointed at before would linger untagged (a few hundred MB each rebuild).
  if (previous) spawnSync(engine, ['rmi', previous], { stdio: 'ignore', timeout: 60_000 });
}

async function main(): Promise<number> {
  const engine = engineCli();
  // Rootful Podman here needs runc and lowered ulimits (see world/images/podman-containers.conf).
  if (engine === 'podman' && !process.env.CONTAINERS_CONF) process.env.CONTAINERS_CONF = join(IMAGES_DIR, 'podman-containers.conf');
  if (spawnSync(engine, ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      `postal-qa: images:build needs a container engine CLI (${engine}); apt-get install podman (or Docker Engine), or set CONTAINER_ENGINE`,
    );
    return 2;
  }
  if (spawnSync('mmdebstrap', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error('postal-qa: images:build makes Debian root filesystems with mmdebstrap; apt-get install mmdebstrap');
    return 2;
  }
  const began = performance.now();
  for (const recipe of imageRecipes()) await buildImage(engine, recipe);
  console.log(`images built in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`postal-qa: images:build: ${error.message}`);
    process.exit(1);
  },
);
