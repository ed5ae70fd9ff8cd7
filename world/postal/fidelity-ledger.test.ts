import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIDELITY_LEDGER, POSTAL_STAND_IN_LIMITATIONS } from './fidelity-ledger.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CONTROL_ID = /^(INF|DNS|SEC|FN|PERF)-\d{2}$/;

describe('the fidelity ledger', () => {
  it.each(FIDELITY_LEDGER.map((e) => [e.behaviour, e] as const))('pins "%s" with a test that exists', (_behaviour, entry) => {
    const [file, ...name] = entry.pinnedBy.split(': ');
    expect(existsSync(`${ROOT}${file}`), `${file} does not exist`).toBe(true);
    const text = readFileSync(`${ROOT}${file}`, 'utf8');
    // The test's name as written in its it(…): quotes inside the name may be escaped differently, so compare a stretch of it.
    expect(text, `no test named ${name.join(': ')} in ${file}`).toContain(name.join(': ').slice(0, 40));
    expect(entry.source).toMatch(/\.(rb|yml|sh)\b/);
    // Every behaviour names the line(s) it follows (a postalserver/install file may be named whole).
    if (!entry.source.startsWith('postalserver/install')) expect(entry.source, entry.behaviour).toMatch(/\.rb:\d+/);
    for (const id of entry.controls) expect(id).toMatch(CONTROL_ID);
  });

  it('makes the limitations list from every recorded difference', () => {
    for (const entry of FIDELITY_LEDGER.filter((e) => e.differs)) expect(POSTAL_STAND_IN_LIMITATIONS).toContain(entry.differs);
    // The old limitation that DKIM is looked up at send time is gone: the stand-in follows Postal's stored status now.
    expect(POSTAL_STAND_IN_LIMITATIONS.join('\n')).not.toMatch(/at send time/);
  });
});
