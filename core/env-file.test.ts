import { describe, expect, it } from 'vitest';
import { formatEnvFile, parseEnvFile } from './env-file.ts';

describe('parseEnvFile', () => {
  it('reads KEY=value lines as a shell would: quotes dropped, a comment after the value cut', () => {
    const text = '# c\nexport A=1\nB = two words # note\nC="x # y" # note\nD=\'q\'\nE=p#w\n\nF=\n';
    expect(parseEnvFile(text, 'f')).toEqual({ A: '1', B: 'two words', C: 'x # y', D: 'q', E: 'p#w', F: '' });
  });

  it.each([
    ['no =', 'A=1\n  not a setting\n', 'f:2:3: expected KEY=value'],
    ['lower-case key', 'seed_password=hunter2-x\n', 'f:1:1: setting names are upper case; write SEED_PASSWORD, not seed_password'],
    ['unclosed quote', 'P="hunter2-x\n', 'f:1:3: in the value of P, the opening " has no closing "'],
    ['text after the quote', "P='hunter2'-x\n", "f:1:12: in the value of P, text after the closing '"],
  ])('%s: one line naming file:line:column, never the value', (_name, text, message) => {
    let error: Error | undefined;
    try {
      parseEnvFile(text, 'f');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain('hunter2');
  });

  it('writes what it reads back', () => {
    const values = { A: 'plain', B: 'with space', C: 'hash#inside', D: 'say "hi"' };
    expect(parseEnvFile(formatEnvFile(values, ['h']), 'f')).toEqual(values);
  });
});
