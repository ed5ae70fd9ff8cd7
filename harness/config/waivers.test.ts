import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-error.ts';
import { parseWaivers, waiverStatus } from './waivers.ts';

const one = (w: object) =>
  JSON.stringify([{ control: 'DNS-06', justification: 'PTR requested from Hetzner, ticket 123', expires: '2026-12-01', ...w }]);

describe('waivers', () => {
  it('is active through its expiry day and expired after', () => {
    const waivers = parseWaivers(one({}), 'waivers.json');
    expect(waiverStatus(waivers, 'DNS-06', new Date('2026-12-01T23:00:00Z')).state).toBe('active');
    expect(waiverStatus(waivers, 'DNS-06', new Date('2026-12-02T00:00:01Z')).state).toBe('expired');
    expect(waiverStatus(waivers, 'DNS-03', new Date('2026-11-01T00:00:00Z')).state).toBe('none');
  });

  it('refuses a waiver for a control that does not exist, naming it', () => {
    expect(() => parseWaivers(one({ control: 'DNS-99' }), 'waivers.json')).toThrow(ConfigError);
    expect(() => parseWaivers(one({ control: 'DNS-99' }), 'waivers.json')).toThrow(
      'waivers.json: [0].control: "DNS-99" is not a control of the catalog',
    );
  });

  it('refuses a waiver without a reason or with a bad date', () => {
    expect(() => parseWaivers(one({ justification: 'x' }), 'w.json')).toThrow(/\[0\]\.justification: must say why/);
    expect(() => parseWaivers(one({ expires: 'soon' }), 'w.json')).toThrow(/\[0\]\.expires: must be a date/);
    expect(() => parseWaivers(one({ expires: '2026-13-45' }), 'w.json')).toThrow(/must be a real calendar date/);
    // Date.parse rolls 2030-02-30 into March 2; a waiver must name a day that exists.
    expect(() => parseWaivers(one({ expires: '2030-02-30' }), 'w.json')).toThrow(
      'w.json: [0].expires: must be a real calendar date (YYYY-MM-DD), e.g. 2026-12-31, found the string "2030-02-30"',
    );
    expect(() => parseWaivers(one({ expires: '2027-02-29' }), 'w.json')).toThrow(/must be a real calendar date/);
    expect(parseWaivers(one({ expires: '2028-02-29' }), 'w.json')[0]?.expires).toBe('2028-02-29');
  });
});
