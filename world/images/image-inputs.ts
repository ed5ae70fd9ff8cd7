/**
 * What an image is built from, as one digest: its packages, its Containerfile and the files it copies,
 * and for the stand-in every file of the project it runs and the Node version. The build labels the
 * image with it (skipping a rebuild when it matches); the local target compares it with the image it is
 * about to run, so a run never tests an image older than the code beside it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageRecipe } from './image-recipes.ts';

export const IMAGES_DIR = fileURLToPath(new URL('./', import.meta.url));
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SUITE = 'bookworm';
/** What of the project the stand-in needs at run time: the world, what it imports, its inputs. */
export const APP_PATHS = ['core', 'world', 'provisioning', 'fixtures', 'package.json', 'package-lock.json', 'tsconfig.json'];

export const digest = (...parts: Array<string | Buffer>): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
};

/** Every file under the app paths, sorted, test files left out (the image never runs them). */
export function appFiles(root = PROJECT_ROOT): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) for (const entry of readdirSync(full).sort()) walk(join(path, entry));
    else if (!path.endsWith('.test.ts')) files.push(path);
  };
  for (const path of APP_PATHS) walk(path);
  return files;
}

/** The root filesystem's digest: the suite and the packages. */
export const rootfsDigest = (recipe: ImageRecipe): string => digest(SUITE, ...[...recipe.packages].sort()).slice(0, 16);

export function inputsDigest(recipe: ImageRecipe, root = PROJECT_ROOT, nodeVersion = process.version): string {
  const parts: Array<string | Buffer> = [rootfsDigest(recipe), readFileSync(join(IMAGES_DIR, recipe.containerfile))];
  for (const file of recipe.files) parts.push(file, readFileSync(join(IMAGES_DIR, file)));
  if (recipe.withApp) {
    parts.push(nodeVersion);
    for (const file of appFiles(root)) parts.push(file, readFileSync(join(root, file)));
  }
  return digest(...parts).slice(0, 16);
}
