/**
 * The two images `--env=local` runs where no registry answers: MariaDB from Debian's mariadb-server, and
 * the Postal stand-in (with the world around it) in place of Postal's image. Each is a Debian root
 * filesystem from mmdebstrap with the packages below, plus a Containerfile. scripts/build-images.ts builds
 * them; the names are the defaults of docker-compose.stand-in.yml (POSTAL_IMAGE, MARIADB_IMAGE override them).
 */
import { SYSTEM_PROGRAMS } from '../system-packages.ts';

export const MARIADB_IMAGE = 'localhost/postal-qa/mariadb:debian12';
export const STAND_IN_IMAGE = 'localhost/postal-qa/postal-stand-in:3.3.2';
/** The label holding a digest of everything an image was built from: equal digest → the build is skipped. */
export const INPUTS_LABEL = 'io.postal-qa.inputs';

/**
 * The Debian packages the world itself starts at run time (not those only its tests or the harness use):
 * derived from SYSTEM_PROGRAMS, so a program the world starts is in the image as soon as it is in the table.
 */
export function worldRuntimePackages(programs = SYSTEM_PROGRAMS): string[] {
  const runtime = programs.filter((p) => {
    const firstUser = p.usedBy.split(/[:,\s]/)[0] ?? '';
    return firstUser.startsWith('world/') && !firstUser.endsWith('.test.ts');
  });
  return [...new Set(runtime.map((p) => p.package))];
}

export interface ImageRecipe {
  name: 'mariadb' | 'postal-stand-in';
  tag: string;
  /** Debian packages of the root filesystem (mmdebstrap --include). */
  packages: string[];
  /** Containerfile and the files it copies, relative to world/images/. */
  containerfile: string;
  files: string[];
  /** Whether the project itself (with node_modules and this machine's Node) goes into the image. */
  withApp: boolean;
}

export function imageRecipes(): ImageRecipe[] {
  return [
    {
      name: 'mariadb',
      tag: MARIADB_IMAGE,
      packages: ['mariadb-server', 'ca-certificates'],
      containerfile: 'mariadb.Containerfile',
      files: ['mariadb-entrypoint.sh'],
      withApp: false,
    },
    {
      name: 'postal-stand-in',
      tag: STAND_IN_IMAGE,
      // libstdc++6: the Node binary copied in links against it.
      packages: [...worldRuntimePackages(), 'ca-certificates', 'libstdc++6'],
      containerfile: 'postal-stand-in.Containerfile',
      files: [],
      withApp: true,
    },
  ];
}
