import { describe, expect, it } from 'vitest';
import { SYSTEM_PROGRAMS } from '../system-packages.ts';
import { imageRecipes, worldRuntimePackages } from './image-recipes.ts';

describe('the stand-in image carries what the world starts at run time', () => {
  it("takes the world's own programs from SYSTEM_PROGRAMS, not those of tests, the harness or the image builds", () => {
    const packages = worldRuntimePackages();
    expect(packages).toEqual(expect.arrayContaining(['spamd', 'spamassassin', 'dovecot-core', 'dovecot-imapd']));
    // The server host --env=local provisions through: its sshd and the `ruby -c` of its stand-in `rails runner`.
    expect(packages).toEqual(expect.arrayContaining(['openssh-server', 'ruby']));
    for (const notAtRunTime of ['chromium', 'bind9-dnsutils', 'swaks', 'curl', 'podman', 'runc', 'mmdebstrap', 'docker-compose'])
      expect(packages).not.toContain(notAtRunTime);
  });

  it('follows the table: a program the world starts is in the image as soon as it is listed', () => {
    const table = [
      ...SYSTEM_PROGRAMS,
      { program: 'rspamd', package: 'rspamd', usedBy: 'world/spam/rspamd.ts: a second spam engine', neededBy: ['rspamd'] as const },
    ];
    expect(worldRuntimePackages(table)).toContain('rspamd');
    const onlyATest = [
      ...SYSTEM_PROGRAMS,
      { program: 'nc', package: 'netcat-openbsd', usedBy: 'world/dns-server.test.ts: a probe', neededBy: ['tests'] as const },
    ];
    expect(worldRuntimePackages(onlyATest)).not.toContain('netcat-openbsd');
  });

  it("builds MariaDB from Debian's mariadb-server and the stand-in with the project inside", () => {
    const [mariadb, standIn] = imageRecipes();
    expect(mariadb!.packages).toContain('mariadb-server');
    expect(mariadb!.withApp).toBe(false);
    expect(standIn!.withApp).toBe(true);
    expect(standIn!.packages).toContain('libstdc++6');
  });
});
