import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../harness/controls/catalog.ts';
import { SYSTEM_PACKAGES } from '../harness/targets/embedded.ts';

// The README is the front door (at most 200 lines); everything else lives in docs/. These tests keep the door
// short, every link in it and in docs/ pointing at a page that exists, and the lists that mirror code complete.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const docPages = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .map((name) => join(DOCS, name));
const read = (path: string) => readFileSync(path, 'utf8');
const name = (path: string) => relative(ROOT, path);

/** The text outside fenced code blocks (a link-like string in a shell example is not a link). */
function proseOf(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every relative link target of a Markdown text (external URLs and mail addresses left out). */
function relativeLinks(markdown: string): string[] {
  const targets = [...proseOf(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** The links of `file` whose file (or heading anchor) does not exist, each as `file → target`. */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const target of relativeLinks(read(file))) {
    const [path = '', anchor] = target.split('#');
    const resolved = path ? join(dirname(file), decodeURIComponent(path)) : file;
    if (!existsSync(resolved)) {
      broken.push(`${name(file)} → ${target}`);
      continue;
    }
    if (anchor && statSync(resolved).isFile()) {
      const anchors = proseOf(read(resolved))
        .split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => anchorOf(line.replace(/^#+ /, '')));
      if (!anchors.includes(anchor)) broken.push(`${name(file)} → ${target} (no such heading)`);
    }
  }
  return broken;
}

describe('the link checker itself', () => {
  it('finds relative links outside code blocks, and leaves URLs alone', () => {
    const text = 'See [a](docs/a.md) and [b](b.md#part), [site](https://x.org), [m](mailto:a@b.c).\n```\n[c](not-a-link.md)\n```\n';
    expect(relativeLinks(text)).toEqual(['docs/a.md', 'b.md#part']);
  });

  it('makes GitHub anchors', () => {
    expect(anchorOf('The local target (containers)')).toBe('the-local-target-containers');
    expect(anchorOf('Flags (`npm test -- <flags>`)')).toBe('flags-npm-test----flags');
  });

  it('reports a link to a missing file and to a missing heading, not a good one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postal-qa-docs-'));
    try {
      writeFileSync(join(dir, 'other.md'), '# Real heading\n');
      writeFileSync(join(dir, 'page.md'), '[x](missing.md) [y](other.md#nope) [z](other.md#real-heading) [w](other.md)\n');
      expect(brokenLinks(join(dir, 'page.md')).map((line) => line.split(' → ')[1])).toEqual([
        'missing.md',
        'other.md#nope (no such heading)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README', () => {
  const readme = read(README);

  it('is a front door of at most 200 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('lists every control of the catalog in its controls table, once, and nothing else', () => {
    const section = readme.slice(readme.indexOf('\n## Controls\n'), readme.indexOf('\n## ', readme.indexOf('\n## Controls\n') + 1));
    const ids = [...section.matchAll(/^\| ([A-Z]+-\d+) \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(CATALOG.map((c) => c.id));
  });

  it('links every page of docs/', () => {
    const linked = new Set(relativeLinks(readme).map((target) => target.split('#')[0]));
    expect(docPages.map(name).filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('README.md and docs/*.md', () => {
  it.each([README, ...docPages].map((file) => [name(file), file]))(
    '%s: every relative link points at a file (and heading) that exists',
    (_, file) => {
      expect(brokenLinks(file)).toEqual([]);
    },
  );

  it.each([README, ...docPages].map((file) => [name(file), file]))('%s: closes every code block it opens', (_, file) => {
    expect(
      read(file)
        .split('\n')
        .filter((line) => /^\s*```/.test(line)).length % 2,
    ).toBe(0);
  });

  it.each([README, ...docPages].map((file) => [name(file), file]))('%s: names no path of a particular machine', (_, file) => {
    expect(read(file)).not.toMatch(/\/work\/|\/home\/[a-z]|\/Users\//);
  });
});

describe('docs/dependencies.md', () => {
  const doc = read(join(DOCS, 'dependencies.md'));
  const pkg = JSON.parse(read(join(ROOT, 'package.json'))) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const npmSection = doc.slice(doc.indexOf('\n## npm packages'));
  const debianSection = doc.slice(doc.indexOf('\n## Debian packages'), doc.indexOf('\n## ', doc.indexOf('\n## Debian packages') + 1));

  it('says what every npm package is for', () => {
    const all = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
    // `@types/*` are covered by one row; every other package by name, in backticks, in a table row.
    const rows = npmSection.split('\n').filter((line) => line.startsWith('| `'));
    const missing = all.filter(
      (dep) => !(dep.startsWith('@types/') ? rows.some((r) => r.includes('`@types/*`')) : rows.some((r) => r.includes(`\`${dep}\``))),
    );
    expect(missing).toEqual([]);
  });

  it('has every Debian package the project installs in its table', () => {
    const rows = debianSection.split('\n').filter((line) => line.startsWith('| `'));
    expect(SYSTEM_PACKAGES.filter((p) => !rows.some((r) => r.split('|')[2]?.includes(`\`${p}\``)))).toEqual([]);
  });
});
