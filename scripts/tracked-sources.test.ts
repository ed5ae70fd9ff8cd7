import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// A source file that .gitignore hides works on the machine that wrote it and is missing from every
// clean checkout (CI failed once on core/artifacts/ matching the pattern meant for ./artifacts/).
const SOURCE = /\.(ts|mts|mjs|js|json)$/;
const GENERATED = /^(node_modules|reports|artifacts|\.postal-qa|\.stryker-tmp[^/]*)\//;

function ignoredFiles(): string[] | undefined {
  try {
    const out = execFileSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    });
    return out.split('\n').filter(Boolean);
  } catch {
    return undefined;
  }
}

describe('tracked sources', () => {
  const ignored = ignoredFiles();
  it.skipIf(ignored === undefined)('no source file outside the generated folders is git-ignored', () => {
    // --directory collapses a wholly ignored folder to `name/`: one outside the generated ones is suspect too.
    const hidden = (ignored ?? []).filter((entry) => (SOURCE.test(entry) || entry.endsWith('/')) && !GENERATED.test(entry));
    expect(hidden).toEqual([]);
  });
  it('the generated-folder rule does not excuse a source folder of the same name deeper down', () => {
    expect(GENERATED.test('core/artifacts/postal-dns-checks.ts')).toBe(false);
    expect(GENERATED.test('artifacts/accounts.json')).toBe(true);
  });
});
