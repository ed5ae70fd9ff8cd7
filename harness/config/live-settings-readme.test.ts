import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIVE_SETTINGS, OPTIONAL_LIVE_SETTINGS } from './live-settings.ts';

// The README's "Live settings" table is what a user configures production from: a setting the code reads and the
// table lacks is a setting nobody will set.
describe("the README's live settings table", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Live settings'), readme.indexOf('## The embedded world'));
  it.each([...LIVE_SETTINGS, ...OPTIONAL_LIVE_SETTINGS].map((s) => s.key))('documents %s', (key) => {
    expect(section).toContain(`\`${key}\``);
  });
});
