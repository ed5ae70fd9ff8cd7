import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Area } from '../controls/catalog.ts';
import { loadLiveSettings } from './live-settings.ts';

const ALL = new Set<Area>(['infrastructure', 'dns', 'security', 'functionality', 'performance']);
const noFile = join(tmpdir(), 'postal-qa-no-such.env');

describe('loadLiveSettings', () => {
  it('names every missing setting in one line when nothing is set', () => {
    const error = (() => { try { loadLiveSettings(ALL, {}, noFile); } catch (e) { return e as Error; } return undefined; })();
    expect(error?.message).toMatch(/^--env=live is missing 6 settings: POSTAL_API_URL .*SEED_OUTLOOK_PASSWORD/);
    expect(error?.message).not.toContain('\n');
  });

  it('needs nothing for DNS alone and defaults to the public resolvers', () => {
    const settings = loadLiveSettings(new Set<Area>(['dns']), {}, noFile);
    expect(settings.resolvers).toEqual(['1.1.1.1', '8.8.8.8', '9.9.9.9']);
  });

  it('reads .env.live, lets the environment win, and lists the secrets to mask', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const file = join(dir, '.env.live');
    writeFileSync(file, '# live\nPOSTAL_API_URL=https://postal.example\nPOSTAL_API_KEYS_FILE=keys.txt\nSEED_GMAIL_ADDRESS=a@gmail.com\nSEED_GMAIL_PASSWORD="app-pass-1"\nSEED_OUTLOOK_ADDRESS=b@outlook.com\nSEED_OUTLOOK_PASSWORD=app-pass-2\nDNS_RESOLVERS=127.0.0.53, 127.0.0.54\n');
    const settings = loadLiveSettings(ALL, { POSTAL_API_URL: 'https://override.example' }, file);
    expect(settings.values.POSTAL_API_URL).toBe('https://override.example');
    expect(settings.resolvers).toEqual(['127.0.0.53', '127.0.0.54']);
    expect(settings.secrets.sort()).toEqual(['app-pass-1', 'app-pass-2']);
  });

  it('names the line of a broken .env.live', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-'));
    const file = join(dir, '.env.live');
    writeFileSync(file, 'POSTAL_API_URL=x\nthis is not a setting\n');
    expect(() => loadLiveSettings(ALL, {}, file)).toThrow(`${file}:2: expected KEY=value`);
  });
});
