/**
 * The script provisioning runs inside Postal's container is checked against Postal 3.3.2 without a
 * Postal: it parses (Debian's ruby, `ruby -c`), and every model, attribute and method it uses is a fact
 * from Postal 3.3.2's source (postal-3.3.2-names.ts). Each check is also fed the broken case.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS_RUNNER_PATH } from './accounts-runner-path.ts';
import { POSTAL_3_3_2_NAMES, POSTAL_NAME_SET } from './postal-3.3.2-names.ts';
import { codeOnly, rubyNames, unknownNames } from './ruby-names.ts';

const script = readFileSync(ACCOUNTS_RUNNER_PATH, 'utf8');

function rubySyntax(text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-rb-'));
  const file = join(dir, 'script.rb');
  writeFileSync(file, text);
  const run = spawnSync('ruby', ['-c', file], { encoding: 'utf8', timeout: 30_000 });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

describe('the accounts script parses (ruby -c, Debian ruby)', () => {
  it('is valid Ruby', () => {
    const result = rubySyntax(script);
    expect(result.output).toContain('Syntax OK');
    expect(result.ok).toBe(true);
  });

  it('a broken copy is refused (the check can fail)', () => {
    const result = rubySyntax(script.replace(/\nend\n/, '\n'));
    expect(result.ok).toBe(false);
  });
});

describe('every name the script uses is on the list taken from Postal 3.3.2', () => {
  it('uses no name the facts do not list', () => {
    expect(unknownNames(script, POSTAL_NAME_SET)).toEqual([]);
  });

  it('sees the names it must see (the scan is not blind)', () => {
    const names = rubyNames(script);
    expect([...names.methods]).toEqual(
      expect.arrayContaining(['dkim_record', 'dkim_identifier', 'check_dns', 'http_endpoints', 'create!']),
    );
    expect([...names.constants]).toEqual(expect.arrayContaining(['User', 'Organization']));
    expect([...names.keywords]).toEqual(expect.arrayContaining(['verification_method', 'spam_mode', '_endpoint', 'email_verified_at']));
  });

  it.each([
    ['a misspelt attribute', 'domain.dkim_selector', 'method .dkim_selector'],
    ['a model Postal 3 does not have', 'Mailbox.find_by(name: "x")', 'constant Mailbox'],
    ['an attribute Credential lacks', 'server.credentials.create!(name: "a", type: "API", api_key: "x")', 'attribute api_key:'],
    ['a call inside an interpolation', 'puts "#{server.api_token}"', 'method .api_token'],
  ])('fails on %s', (_what, line, expected) => {
    expect(unknownNames(`${script}\n${line}\n`, POSTAL_NAME_SET)).toContain(expected);
  });

  it('ignores comments and string text, which do not run', () => {
    expect(codeOnly('# domain.bogus\nputs "see domain.bogus"')).not.toContain('bogus');
    expect(unknownNames('# Mailbox.bogus\nx = "Mailbox.bogus"\n', POSTAL_NAME_SET)).toEqual([]);
  });
});

// Re-read each fact from Postal's repository at tag 3.3.2 when POSTAL_SOURCE_GIT names a git mirror of it.
const MIRROR = process.env.POSTAL_SOURCE_GIT ?? '';
const hasMirror =
  MIRROR !== '' && existsSync(MIRROR) && spawnSync('git', ['--git-dir', MIRROR, 'rev-parse', '--verify', '3.3.2^{commit}']).status === 0;

describe.skipIf(!hasMirror)(
  `the facts hold in Postal's source at 3.3.2 (skipped: ${MIRROR ? `no git mirror with tag 3.3.2 at ${MIRROR}` : 'POSTAL_SOURCE_GIT names no git mirror of postalserver/postal'})`,
  () => {
    const files = new Map<string, string>();
    const show = (path: string): string => {
      if (!files.has(path))
        files.set(path, spawnSync('git', ['--git-dir', MIRROR, 'show', `3.3.2:${path}`], { encoding: 'utf8', maxBuffer: 8 << 20 }).stdout);
      return files.get(path)!;
    };
    it.each(POSTAL_3_3_2_NAMES.filter((f) => f.evidence).map((f) => [f.name, f.source, f.evidence!] as const))(
      '%s: %s',
      (_name, source, evidence) => {
        expect(show(source)).toMatch(evidence);
      },
    );
    it('a fact that is not in the source is caught', () => {
      expect(show('app/models/domain.rb')).not.toMatch(/def dkim_selector\b/);
    });
  },
);
