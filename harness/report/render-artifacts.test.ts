import { describe, expect, it } from 'vitest';
import { renderArtifacts } from './render-artifacts.ts';

const chart = { file: 'control-durations.svg', caption: 'Time each control took', svg: '<svg/>' };

describe('attachments section', () => {
  it('links the HTML, embeds each screenshot and links each chart, relative to the report folder', () => {
    const text = renderArtifacts(
      {
        allureHtml: { ok: true, href: 'allure-report/index.html' },
        screenshots: { taken: [{ label: 'login page', href: 'test-results/screenshots/postal-login.png' }], notes: [] },
      },
      [chart],
    ).join('\n');
    expect(text).toContain('[allure-report/index.html](allure-report/index.html)');
    expect(text).toContain('![login page](test-results/screenshots/postal-login.png)');
    expect(text).toContain('[test-results/charts/control-durations.svg](test-results/charts/control-durations.svg)');
  });

  it('says in one line why the HTML or a screenshot is missing', () => {
    const lines = renderArtifacts(
      {
        allureHtml: { ok: false, reason: 'allure awesome failed (exit 1)' },
        screenshots: { taken: [], notes: ['no screenshot: chromium not installed (apt-get install chromium)'] },
      },
      [],
    );
    expect(lines).toContain('- Allure HTML report: not generated — allure awesome failed (exit 1).');
    expect(lines).toContain('- no screenshot: chromium not installed (apt-get install chromium)');
    expect(lines.some((l) => l.startsWith('!['))).toBe(false);
  });
});
