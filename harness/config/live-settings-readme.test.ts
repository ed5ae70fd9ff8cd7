import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIVE_SETTINGS, OPTIONAL_LIVE_SETTINGS } from './live-settings.ts';

// The settings table of docs/live-settings.md is what a user configures production from: a setting the code reads
// and the table lacks is a setting nobody will set.
describe("docs/live-settings.md's settings table", () => {
  const doc = readFileSync(new URL('../../docs/live-settings.md', import.meta.url), 'utf8');
  const start = doc.indexOf('\n## The settings\n');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end);

  it('is there, between "## The settings" and the next section', () => {
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
  });

  it.each([...LIVE_SETTINGS, ...OPTIONAL_LIVE_SETTINGS].map((s) => s.key))('documents %s', (key) => {
    expect(section).toContain(`\`${key}\``);
  });
});
