import { describe, expect, it } from 'vitest';
import { composeContainerName, imageProblem, orphanProjects, PROJECT_PREFIX } from './local.ts';

describe('orphanProjects', () => {
  it('picks the local runs whose harness process is gone, once each, and nothing else', () => {
    const alive = (pid: number) => pid === 100;
    const projects = [
      `${PROJECT_PREFIX}100`,
      `${PROJECT_PREFIX}200`,
      `${PROJECT_PREFIX}200`,
      'postal',
      'testcontainers-abc',
      `${PROJECT_PREFIX}x`,
      '',
    ];
    expect(orphanProjects(projects, alive)).toEqual([`${PROJECT_PREFIX}200`]);
  });
});

describe('composeContainerName', () => {
  it('names containers the way the compose CLI does, as Testcontainers keys its wait strategies', () => {
    expect(composeContainerName('p', 'mariadb', true)).toBe('p_mariadb_1');
    expect(composeContainerName('p', 'mariadb', false)).toBe('mariadb-1');
  });
});

describe('imageProblem', () => {
  it('refuses a missing image, and one of ours built from other inputs than this checkout', () => {
    expect(imageProblem('img', undefined, 'abc')).toBe('is not in the engine');
    expect(imageProblem('img', { 'io.postal-qa.inputs': 'old' }, 'new')).toMatch(
      /built from other inputs \(old\) than this checkout's \(new\)/,
    );
    expect(imageProblem('img', {}, 'new')).toMatch(/\(no label\)/);
  });

  it('runs one of ours that matches, and any image the user named as it is', () => {
    expect(imageProblem('img', { 'io.postal-qa.inputs': 'new' }, 'new')).toBeUndefined();
    expect(imageProblem('ghcr.io/postalserver/postal:3.3.2', {}, undefined)).toBeUndefined();
  });
});
