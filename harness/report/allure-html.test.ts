import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAllureHtml, remoteResource, withoutAnalytics } from './allure-html.ts';

function resultsDir(name = 'DNS-01 MX record points to the mail host'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'postal-qa-allure-')), 'allure-results');
  mkdirSync(dir);
  const uuid = '0b1d3c6e-1111-4222-8333-944455556666';
  writeFileSync(
    join(dir, `${uuid}-result.json`),
    JSON.stringify({
      uuid,
      name,
      fullName: `specs/dns.spec.ts#${name}`,
      historyId: 'h1',
      status: 'passed',
      stage: 'finished',
      steps: [],
      attachments: [],
      parameters: [],
      labels: [],
      links: [],
      start: 1000,
      stop: 1004,
    }),
  );
  return dir;
}

describe('generateAllureHtml', () => {
  it('renders one self-contained index.html from allure-results, offline', async () => {
    const results = resultsDir();
    const out = join(results, '..', 'allure-report');
    const html = await generateAllureHtml(results, out, []);
    expect(html).toEqual({ ok: true, path: join(out, 'index.html') });
    const text = readFileSync(join(out, 'index.html'), 'utf8');
    expect(text).toMatch(/^<!DOCTYPE html>/i);
    // Single file and offline: no script or stylesheet loaded from elsewhere, no tracker.
    expect(remoteResource(text)).toBeUndefined();
    expect(text).not.toContain('googletagmanager');
  }, 60_000);

  it('says why in one line instead of failing: no results, or a secret in them', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'postal-qa-allure-empty-'));
    expect(await generateAllureHtml(empty, join(empty, 'out'), [])).toEqual({ ok: false, reason: `no Allure results in ${empty}` });
    const leaky = resultsDir('SEC-02 key Kq7Zp2Lm9Xw4 accepted');
    const out = join(leaky, '..', 'allure-report');
    const html = await generateAllureHtml(leaky, out, ['Kq7Zp2Lm9Xw4']);
    expect(html.ok).toBe(false);
    expect(!html.ok && html.reason).toMatch(/contains a secret of the run, so no HTML was rendered from it$/);
    expect(existsSync(join(out, 'index.html'))).toBe(false);
  });
});

describe('withoutAnalytics', () => {
  it('cuts the gtag loader and its config script, nothing else', () => {
    const page =
      '<body><script>window.allure = {};</script>\n<script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>\n    <script>\n  window.dataLayer = [];\n  function gtag(){}\n  gtag(\'config\', \'G-X\');\n</script>\n<script src="data:text/javascript;base64,AA=="></script></body>';
    expect(remoteResource(page)).toBe('https://www.googletagmanager.com/gtag/js?id=G-X');
    const clean = withoutAnalytics(page);
    expect(clean).toBe('<body><script>window.allure = {};</script>\n\n<script src="data:text/javascript;base64,AA=="></script></body>');
    expect(remoteResource(clean)).toBeUndefined();
  });
});
