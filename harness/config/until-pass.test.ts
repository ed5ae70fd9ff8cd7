import { describe, expect, it } from 'vitest';
import { parseDuration } from './run-options.ts';
import { elapsedWords, untilPassIntervalMs } from './until-pass.ts';

describe('--until-pass', () => {
  it('asks again after 30 s, then half as often each time, at most every 10 minutes', () => {
    expect([2, 3, 4, 5, 6, 7, 20].map(untilPassIntervalMs)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  });
  it('reads durations people write, and refuses the rest naming the flag', () => {
    expect(parseDuration('90s', '--until-pass')).toBe(90_000);
    expect(parseDuration('30m', '--until-pass')).toBe(1_800_000);
    expect(parseDuration('48h', '--until-pass')).toBe(172_800_000);
    expect(parseDuration('120', '--until-pass')).toBe(120_000);
    expect(() => parseDuration('forever', '--until-pass')).toThrow('--until-pass=forever: expected a duration from 1s to 7d');
    expect(() => parseDuration('8d', '--until-pass')).toThrow(/from 1s to 7d/);
    expect(() => parseDuration('0s', '--until-pass')).toThrow(/from 1s to 7d/);
  });
  it('says how long in words', () => {
    expect([45_000, 720_000, 12_600_000].map(elapsedWords)).toEqual(['45 s', '12 min', '3.5 h']);
  });
});
