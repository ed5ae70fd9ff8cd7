import { describe, expect, it } from 'vitest';
import { parseRunOptions } from './run-options.ts';

describe('parseRunOptions', () => {
  it('defaults to the embedded world, the MailGoat deployment and reports/', () => {
    const options = parseRunOptions([]);
    expect(options).toMatchObject({ env: 'embedded', deploymentPath: 'fixtures/deployment.json', reportDir: 'reports', only: [] });
  });

  it('takes both --flag=value and --flag value, and passes the rest to vitest', () => {
    const options = parseRunOptions(['--env', 'live', '--only=dns,SEC-01', '--reporter=verbose', 'specs/dns']);
    expect(options.env).toBe('live');
    expect(options.only).toContain('DNS-03');
    expect(options.only).toContain('SEC-01');
    expect(options.only).not.toContain('FN-01');
    expect(options.vitestArgs).toEqual(['--reporter=verbose', 'specs/dns']);
  });

  it('refuses an unknown env, an unknown control and a flag without value, naming them', () => {
    expect(() => parseRunOptions(['--env=staging'])).toThrow('--env=staging: unknown environment; use one of embedded, local, live');
    expect(() => parseRunOptions(['--only=DNS-99'])).toThrow(/--only: unknown control or area "DNS-99"/);
    expect(() => parseRunOptions(['--deployment'])).toThrow('--deployment needs a value');
  });

  it('refuses --zone-file outside the embedded world', () => {
    expect(() => parseRunOptions(['--env=live', '--zone-file=z.txt'])).toThrow(/only works with --env=embedded/);
  });
});
