import { describe, expect, it } from 'vitest';
import { textOf } from './text-of.ts';

describe('textOf', () => {
  it('prints strings, numbers and booleans as they are, and nothing as an empty string', () => {
    expect([textOf('NoMessage'), textOf(42), textOf(false), textOf(undefined), textOf(null)]).toEqual(['NoMessage', '42', 'false', '', '']);
  });

  it('shows an object or array as JSON, never as [object Object]', () => {
    expect(textOf({ code: 'x' })).toBe('{"code":"x"}');
    expect(textOf(['a', 1])).toBe('["a",1]');
  });
});
