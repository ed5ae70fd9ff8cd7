/**
 * The layering rules (.dependency-cruiser.cjs) can fail: a small tree with one planted violation per rule, cruised
 * by the same command `npm run lint` runs, must report exactly those violations — each under its own rule's
 * name — and nothing for the imports the layering allows.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['core', 'harness', 'world', 'provisioning', 'specs', 'scripts', 'e2e'];

/** file → what it imports (paths from the tree's root). An empty list: a leaf. */
const TREE: Record<string, string[]> = {
  // What the layering allows: none of these may be reported.
  'core/poll.ts': [],
  'harness/checks/pure-check.ts': ['core/poll.ts'],
  'harness/targets/embedded.ts': ['world/world.ts', 'harness/checks/pure-check.ts'],
  'world/world.ts': ['core/poll.ts', 'provisioning/plan.ts'],
  'provisioning/plan.ts': ['core/poll.ts'],
  'specs/good.spec.ts': ['harness/checks/pure-check.ts', 'core/poll.ts'],
  'scripts/tool.ts': ['harness/checks/pure-check.ts', 'world/world.ts'],
  'e2e/helper.ts': ['harness/checks/pure-check.ts'],
  // One planted violation per rule.
  'core/leak.ts': ['harness/controls/leaf.ts'],
  'world/peek.ts': ['harness/checks/pure-check.ts'],
  'harness/probes/peek.ts': ['world/world.ts'],
  'specs/peek.spec.ts': ['world/world.ts'],
  'provisioning/peek.ts': ['harness/checks/pure-check.ts'],
  'harness/report/ping.ts': ['harness/report/pong.ts'],
  'harness/report/pong.ts': ['harness/report/ping.ts'],
  'harness/controls/up.ts': ['harness/load/down.ts'],
  'harness/load/down.ts': [],
  'harness/load/back.ts': ['harness/controls/leaf.ts'],
  'harness/controls/leaf.ts': [],
};

/** One planted violation per rule: the import (for a cycle, either direction) the rule must name. */
const PLANTED: Array<{ rule: string; from: string; to: string }> = [
  { rule: 'core-imports-nothing-of-the-project', from: 'core/leak.ts', to: 'harness/controls/leaf.ts' },
  { rule: 'world-never-imports-the-harness', from: 'world/peek.ts', to: 'harness/checks/pure-check.ts' },
  { rule: 'harness-reaches-the-world-only-through-the-embedded-target', from: 'harness/probes/peek.ts', to: 'world/world.ts' },
  { rule: 'specs-stand-on-the-harness-and-core', from: 'specs/peek.spec.ts', to: 'world/world.ts' },
  { rule: 'provisioning-stands-on-core-only', from: 'provisioning/peek.ts', to: 'harness/checks/pure-check.ts' },
  // A cycle is reported from one of its ends (which one is depcruise's choice); a folder cycle between the folders.
  { rule: 'no-circular-files', from: 'harness/report/ping.ts', to: 'harness/report/pong.ts' },
  { rule: 'no-circular-folders', from: 'harness/controls', to: 'harness/load' },
];

const explains = (planted: (typeof PLANTED)[number], v: Violation) =>
  v.rule.name === planted.rule && ((v.from === planted.from && v.to === planted.to) || (v.from === planted.to && v.to === planted.from));

function writeTree(dir: string): void {
  for (const [file, imports] of Object.entries(TREE)) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    const lines = imports.map((target, i) => {
      const relativeTarget = join(
        ...file
          .split('/')
          .slice(1)
          .map(() => '..'),
        target,
      );
      return `import * as m${i} from '${relativeTarget.startsWith('.') ? relativeTarget : `./${relativeTarget}`}';\nvoid m${i};`;
    });
    writeFileSync(path, `${lines.join('\n')}\nexport const name = '${file}';\n`);
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true },
    }),
  );
  copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

describe('the layering rules', () => {
  let dir = '';
  let violations: Violation[] = [];
  let exitCode: number | null = null;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'postal-qa-layering-'));
    writeTree(dir);
    const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    const cruise = (...extra: string[]) =>
      spawnSync(process.execPath, [bin, ...FOLDERS, '--config', '.dependency-cruiser.cjs', ...extra], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
      });
    // The command `npm run lint` runs: its exit code is the number of errors, so lint fails.
    const lint = cruise();
    expect(lint.error).toBeUndefined();
    exitCode = lint.status;
    // The same cruise with JSON out, so the test reads which rule fired on which import.
    const json = cruise('--output-type', 'json');
    expect(json.status, json.stderr).toBe(0);
    violations = (JSON.parse(json.stdout) as { summary: { violations: Violation[] } }).summary.violations;
  }, 90_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(PLANTED)('$rule fires on $from → $to', (planted) => {
    expect(
      violations.filter((v) => explains(planted, v)),
      JSON.stringify(violations),
    ).not.toHaveLength(0);
  });

  it('reports nothing else: the imports the layering allows pass', () => {
    const unexplained = violations.filter((v) => !PLANTED.some((p) => explains(p, v)));
    expect(unexplained).toEqual([]);
  });

  it('fails the lint command: its exit code counts the violations', () => {
    expect(exitCode).toBe(violations.length);
    expect(exitCode).toBeGreaterThanOrEqual(PLANTED.length);
  });
});
