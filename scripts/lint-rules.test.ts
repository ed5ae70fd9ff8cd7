/**
 * The lint rules that hold the code's shape, shown to fire: each test lints a planted violation with the
 * project's own ESLint config (eslint.config.js) through ESLint's Node API, as `npm run lint` would.
 * The planted code is given as text in place of an existing file's (typescript-eslint's project service
 * parses only files the tsconfig holds); nothing is written to disk.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

/** A function of exactly `lines` lines (its first and last line included), with blank lines and comments in it. */
function functionOfLines(lines: number): string {
  const middle = Array.from({ length: lines - 4 }, (_, i) =>
    i % 10 === 3 ? '' : i % 10 === 7 ? '  // a comment counts too' : `  total += ${i};`,
  );
  return ['export function planted(): number {', '  let total = 0;', ...middle, '  return total;', '}', ''].join('\n');
}

/** A check, its test, and a file outside harness/checks: real paths whose text the planted code stands in for. */
const CHECK = 'harness/checks/verdict.ts';
const CHECK_TEST = 'harness/checks/verdict.test.ts';
const PROBE = 'harness/probes/blocklist-probe.ts';

async function maxLinesMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const messages = result?.messages ?? [];
  // A parse failure would hide every rule: the planted code must have been linted.
  expect(messages.filter((m) => m.fatal === true || m.ruleId === null)).toEqual([]);
  return messages.filter((m) => m.ruleId === 'max-lines-per-function').map((m) => m.message);
}

describe('max-lines-per-function in harness/checks', () => {
  it('fires on an 81-line function in a check', async () => {
    const code = functionOfLines(81);
    expect(code.split('\n').length - 1).toBe(81);
    expect(await maxLinesMessages(code, CHECK)).toEqual(["Function 'planted' has too many lines (81). Maximum allowed is 80."]);
  });

  it('lets an 80-line function through', async () => {
    expect(await maxLinesMessages(functionOfLines(80), CHECK)).toEqual([]);
  });

  it('applies to the checks only, not to their tests or other folders', async () => {
    const code = functionOfLines(81);
    expect(await maxLinesMessages(code, CHECK_TEST)).toEqual([]);
    expect(await maxLinesMessages(code, PROBE)).toEqual([]);
  });
});
