import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseObservation, parseUfwStatus, writeFileScript } from './remote-scripts.ts';

describe('parseUfwStatus', () => {
  const active = [
    'Status: active',
    '',
    'To                         Action      From',
    '--                         ------      ----',
    '22/tcp                     ALLOW       Anywhere',
    '25/tcp                     ALLOW       Anywhere',
    '22/tcp (v6)                ALLOW       Anywhere (v6)',
  ];
  it('reads the allowed TCP ports once each', () => {
    expect(parseUfwStatus(active)).toEqual({ active: true, ports: [22, 25] });
  });
  it('sees an inactive firewall and a DENY rule as not open', () => {
    expect(parseUfwStatus(['Status: inactive'])).toEqual({ active: false, ports: [] });
    expect(parseUfwStatus(['Status: active', '3306/tcp                   DENY        Anywhere']).ports).toEqual([]);
  });
});

describe('parseObservation', () => {
  it('splits key=value lines from ufw lines', () => {
    const o = parseObservation('docker=27.3.1\ncompose=missing\nufw: Status: inactive\nfile:config/postal.yml=present\n');
    expect(o.values.get('docker')).toBe('27.3.1');
    expect(o.values.get('file:config/postal.yml')).toBe('present');
    expect(o.ufw).toEqual(['Status: inactive']);
  });
});

describe('writeFileScript (real bash)', () => {
  it('writes stdin to the file with the mode, only when absent', () => {
    const root = mkdtempSync(join(tmpdir(), 'postal-qa-rs-'));
    const run = (text: string): number =>
      spawnSync('bash', ['-c', writeFileScript(root, 'config/x.env', '600')], { input: text }).status ?? -1;
    expect(run('secret=1\n')).toBe(0);
    const path = join(root, 'opt/postal/config/x.env');
    expect(readFileSync(path, 'utf8')).toBe('secret=1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(run('other\n')).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('secret=1\n');
  });
});
