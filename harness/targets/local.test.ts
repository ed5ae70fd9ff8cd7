import { describe, expect, it } from 'vitest';
import { composeContainerName, orphanProjects, PROJECT_PREFIX } from './local.ts';

describe('orphanProjects', () => {
  it('picks the local runs whose harness process is gone, once each, and nothing else', () => {
    const alive = (pid: number) => pid === 100;
    const projects = [`${PROJECT_PREFIX}100`, `${PROJECT_PREFIX}200`, `${PROJECT_PREFIX}200`, 'postal', 'testcontainers-abc', `${PROJECT_PREFIX}x`, ''];
    expect(orphanProjects(projects, alive)).toEqual([`${PROJECT_PREFIX}200`]);
  });
});

describe('composeContainerName', () => {
  it('names containers the way the compose CLI does, as Testcontainers keys its wait strategies', () => {
    expect(composeContainerName('p', 'mariadb', true)).toBe('p_mariadb_1');
    expect(composeContainerName('p', 'mariadb', false)).toBe('mariadb-1');
  });
});
