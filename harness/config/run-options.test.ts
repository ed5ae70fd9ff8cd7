import { describe, expect, it } from 'vitest';
import { ReportersMap } from 'vitest/node';
import { parseRunOptions, VITEST_REPORTERS } from './run-options.ts';

describe('parseRunOptions', () => {
  it('defaults to the embedded world, the MailGoat deployment and reports/', () => {
    const options = parseRunOptions([]);
    expect(options).toMatchObject({ env: 'embedded', deploymentPath: 'fixtures/deployment.json', reportDir: 'reports', only: [] });
  });

  it('takes both --flag=value and --flag value; vitest gets its display flags and whatever follows a bare --', () => {
    const options = parseRunOptions(['--env', 'live', '--only=dns,SEC-01', '--reporter=verbose', '--', 'specs/dns', '--no-color']);
    expect(options.env).toBe('live');
    expect(options.only).toContain('DNS-03');
    expect(options.only).toContain('SEC-01');
    expect(options.only).not.toContain('FN-01');
    expect(options.vitestArgs).toEqual(['--reporter=verbose', 'specs/dns', '--no-color']);
  });

  it('refuses an unknown option with a did-you-mean, so a typo never runs the wrong target', () => {
    expect(() => parseRunOptions(['--evn=live'])).toThrow('--evn: unknown option (did you mean --env?)');
    expect(() => parseRunOptions(['--allow-lod'])).toThrow('--allow-lod: unknown option (did you mean --allow-load?)');
    expect(() => parseRunOptions(['specs/dns'])).toThrow(/specs\/dns: unknown option; --help lists them/);
  });

  it('refuses an unknown env, an unknown control and a flag without value, naming them', () => {
    expect(() => parseRunOptions(['--env=staging'])).toThrow('--env=staging: unknown environment; use one of embedded, local, live');
    expect(() => parseRunOptions(['--only=DNS-99'])).toThrow(/--only: unknown control or area "DNS-99"/);
    expect(() => parseRunOptions(['--deployment'])).toThrow('--deployment needs a value');
  });

  it('refuses --zone-file outside the embedded world', () => {
    expect(() => parseRunOptions(['--env=live', '--zone-file=z.txt'])).toThrow(/only works with --env=embedded/);
  });

  it('reads --env-file (live only), --read-only (not with --allow-load) and --until-pass with or without a duration', () => {
    expect(parseRunOptions(['--env=live', '--env-file=world.env', '--read-only'])).toMatchObject({ envFile: 'world.env', readOnly: true });
    expect(() => parseRunOptions(['--env-file=world.env'])).toThrow('--env-file only works with --env=live');
    expect(() => parseRunOptions(['--env=live', '--read-only', '--allow-load'])).toThrow(/contradict/);
    expect(parseRunOptions(['--only=dns', '--until-pass']).untilPassMs).toBe(48 * 3_600_000);
    expect(parseRunOptions(['--only=dns', '--until-pass=2h']).untilPassMs).toBe(7_200_000);
    expect(() => parseRunOptions(['--until-pas'])).toThrow('--until-pas: unknown option (did you mean --until-pass?)');
    expect(() => parseRunOptions(['--read-olny'])).toThrow(/did you mean --read-only/);
  });

  it('never takes a blank --only for "everything", and refuses a reporter vitest does not have', () => {
    expect(() => parseRunOptions(['--only=,'])).toThrow(/^--only=,: names no control or area/);
    expect(() => parseRunOptions(['--only= '])).toThrow('--only needs a value');
    expect(() => parseRunOptions(['--reporter=nonexistent'])).toThrow(
      /^--reporter=nonexistent: no such vitest reporter; use one of default/,
    );
    expect(() => parseRunOptions(['--', '--only=dns', '--', '--reporter', 'verbos'])).toThrow(
      /^--reporter=verbos: no such vitest reporter \(did you mean verbose\?\)/,
    );
    expect(parseRunOptions(['--reporter=dot']).vitestArgs).toEqual(['--reporter=dot']);
    expect(parseRunOptions(['--reporter', 'dot', '--only=dns']).vitestArgs).toEqual(['--reporter', 'dot']);
    expect(parseRunOptions(['--reporter=./harness/report/control-reporter.ts']).vitestArgs).toHaveLength(1);
    expect([...VITEST_REPORTERS].sort()).toEqual(Object.keys(ReportersMap).sort());
  });

  it('drops the bare -- npm adds, refuses a flag given twice with two values, a control character, and --allow-plain-http off live', () => {
    expect(parseRunOptions(['--', '--env=live', '--env-file=x.env'])).toMatchObject({ env: 'live', envFile: 'x.env', vitestArgs: [] });
    expect(parseRunOptions(['--', '--only=dns', '--', '--silent']).vitestArgs).toEqual(['--silent']);
    expect(() => parseRunOptions(['--env=live', '--env=embedded'])).toThrow('--env is given twice (live and embedded); keep one');
    expect(() => parseRunOptions(['--report-dir=a\nb'])).toThrow('--report-dir: contains a control character');
    expect(() => parseRunOptions(['--allow-plain-http'])).toThrow(/^--allow-plain-http only works with --env=live/);
    expect(parseRunOptions(['--env=live', '--allow-plain-http']).allowPlainHttp).toBe(true);
  });
});
