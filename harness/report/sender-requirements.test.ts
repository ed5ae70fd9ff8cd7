import { describe, expect, it } from 'vitest';
import { CATALOG } from '../controls/catalog.ts';
import type { ControlResult } from '../controls/control-result.ts';
import { ResultRegistry } from './result-registry.ts';
import { renderSenderRequirements, SENDER_REQUIREMENTS } from './sender-requirements.ts';

function result(id: string, outcome: ControlResult['outcome']): ControlResult {
  const c = CATALOG.find((x) => x.id === id)!;
  return { id, title: c.title, area: c.area, severity: c.severity, outcome, summary: '', verdicts: [], startedAt: '', durationMs: 1 };
}

const row = (lines: string[], rule: string) => lines.find((l) => l.startsWith(`| ${rule}`))!;

describe('sender requirements section', () => {
  it('maps every rule to catalog controls or says why it is not checkable', () => {
    const ids = new Set(CATALOG.map((c) => c.id));
    for (const r of SENDER_REQUIREMENTS) {
      for (const id of r.controls) expect(ids.has(id), `${r.rule}: ${id}`).toBe(true);
      if (r.controls.length === 0) expect(r.how).toMatch(/^Not checkable from here: /);
      if (r.partial) expect(r.how).toMatch(/Partly: /);
      expect(r.sources.length).toBeGreaterThan(0);
    }
  });

  it("shows each row with its controls' outcome from this run and its source URL", () => {
    const registry = new ResultRegistry();
    for (const c of CATALOG) registry.record(result(c.id, 'pass'));
    registry.record(result('DNS-06', 'fail'));
    const lines = renderSenderRequirements(registry);
    expect(lines[0]).toBe("## Mailbox providers' sender requirements");
    expect(row(lines, 'SPF and DKIM both pass')).toContain('**MET** | FN-04 PASS, DNS-03 PASS, DNS-04 PASS');
    expect(row(lines, 'Forward-confirmed reverse DNS')).toContain('**FAIL** | DNS-06 FAIL');
    expect(row(lines, 'User-reported spam rate')).toContain('**NOT CHECKABLE HERE**');
    expect(row(lines, 'User-reported spam rate')).toContain('postmaster tools');
    expect(row(lines, 'TLS on the SMTP connection')).toContain('(https://support.google.com/a/answer/81126)');
    // A rule the controls prove only in part is never plainly MET.
    expect(row(lines, 'TLS on the SMTP connection')).toContain('**MET AS FAR AS CHECKED** | SEC-03 PASS');
    expect(row(lines, 'TLS on the SMTP connection')).toContain('Partly: ');
    expect(row(lines, 'DMARC published')).toContain('techcommunity.microsoft.com');
    expect(row(lines, 'One-click unsubscribe')).toContain('senders.yahooinc.com');
  });

  it('is OPEN, never MET, when a mapped control did not run', () => {
    const registry = new ResultRegistry();
    registry.record(result('DNS-05', 'pass'));
    expect(row(renderSenderRequirements(registry), 'DMARC published')).toContain('**OPEN** | DNS-05 PASS, FN-04 NOT IMPLEMENTED');
  });
});
