// The DMARC check's tag validators, record detection and suggested record: each rule has a case on
// both sides of its line, and the exact message or record it produces.
import { describe, expect, it } from 'vitest';
import { checkDmarc } from './dmarc-check.ts';
import { nodataObs, okObs } from './fake-observations.ts';

const NAME = '_dmarc.mailgoat.ai';
const RUA = 'mailto:dmarc@mailgoat.ai';
const base = { domain: 'mailgoat.ai', expected: { policy: 'none' as const, rua: RUA } };
const run = (...answers: string[]) => checkDmarc({ ...base, observation: okObs('TXT', NAME, answers) });
const withTag = (tag: string) => run(`v=DMARC1; p=none; rua=${RUA}; ${tag}`);
const FIX = `Set TXT ${NAME} to "v=DMARC1; p=none; rua=${RUA}"`;

describe('checkDmarc tag validators', () => {
  it.each([
    ['adkim=x', 'must be r or s'],
    ['aspf=x', 'must be r or s'],
    ['aspf=relaxed', 'must be r or s'],
    ['pct=101', 'must be a whole number from 0 to 100'],
    ['pct=1000', 'must be a whole number from 0 to 100'],
    ['pct=-1', 'must be a whole number from 0 to 100'],
    ['pct=5x', 'must be a whole number from 0 to 100'],
    ['ri=abc', 'must be a whole number of seconds'],
    ['ri=1.5', 'must be a whole number of seconds'],
    ['ri=x86400', 'must be a whole number of seconds'],
    ['fo=2', 'must be made of 0, 1, d, s separated by ":"'],
    ['fo=1:x', 'must be made of 0, 1, d, s separated by ":"'],
    ['sp=block', 'is not one of none, quarantine, reject'],
    ['np=block', 'is not one of none, quarantine, reject'],
    ['ruf=dmarc@mailgoat.ai', 'has invalid mailto URIs: dmarc@mailgoat.ai'],
  ])('fails %s: it %s, and the fix drops it', (tag, problem) => {
    const verdict = withTag(tag);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(`${tag} at ${NAME} ${problem}`);
    expect(verdict.remediation).toBe(FIX);
  });

  it.each([
    'adkim=r',
    'adkim=s',
    'aspf=r',
    'aspf=s',
    'pct=0',
    'pct=100',
    'ri=86400',
    'ri=0',
    'fo=0',
    'fo=1',
    'fo=d',
    'fo=s',
    'fo=0 : 1:d:s',
    'sp=none',
    'sp=quarantine',
    'np=reject',
    'psd=n',
    't=y',
    'rf=afrf',
  ])('passes %s and keeps it in the suggested record', (tag) => {
    expect(withTag(tag).outcome).toBe('pass');
    expect(run(`v=DMARC1; p=reject; rua=${RUA}; ${tag}`).remediation).toBe(`Set TXT ${NAME} to "v=DMARC1; p=none; rua=${RUA}; ${tag}"`);
  });

  it.each([
    `mailto:dmarc@mailgoat.ai!10m`,
    `mailto:dmarc@mailgoat.ai!10`,
    `mailto:dmarc@mailgoat.ai!1k`,
    `mailto:dmarc@mailgoat.ai!2g`,
    `mailto:dmarc@mailgoat.ai!3t`,
    `MAILTO:dmarc@MAILGOAT.AI`,
    `mailto:a@b.co`,
  ])('reads rua %s as a valid mailto URI', (uri) => {
    expect(run(`v=DMARC1; p=none; rua=${uri}`).summary).not.toMatch(/invalid mailto/);
  });

  it.each([
    'mailto:dmarc@mailgoat.ai!m',
    'mailto:dmarc@mailgoat.ai!10x',
    'xmailto:dmarc@mailgoat.ai',
    'mailto:dmarc@mailgoat.ai x',
    'mailto:@mailgoat.ai',
    'mailto:a b@mailgoat.ai',
    'mailto:dmarc@mailgoat',
    'mailto:dmarc@mailgoat.a',
    'mailto:dmarc@mailgoat.a1',
    `mailto:dmarc@mailgoat.${'a'.repeat(64)}`,
    'mailto:dmarc@mail_goat.ai',
    'mailto:dm@rc@mailgoat.ai',
  ])('fails rua %s as an invalid mailto URI', (uri) => {
    const verdict = run(`v=DMARC1; p=none; rua=${uri}`);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(`rua=${uri} at ${NAME} has invalid mailto URIs: ${uri}`);
  });

  it('names only the invalid URIs of a list, and does not also call the list different', () => {
    expect(run(`v=DMARC1; p=none; rua=${RUA}, bad@mailgoat.ai`).summary).toBe(
      `rua=${RUA}, bad@mailgoat.ai at ${NAME} has invalid mailto URIs: bad@mailgoat.ai`,
    );
  });

  it('reports an invalid policy once, not also as a different one', () => {
    expect(run(`v=DMARC1; p=block; rua=${RUA}`).summary).toBe(`p=block at ${NAME} is not one of none, quarantine, reject`);
  });
});

describe('checkDmarc aggregate-report address', () => {
  it('compares rua as a set: order, case and size limits do not matter', () => {
    const expected = { policy: 'none' as const, rua: 'mailto:a@mailgoat.ai, mailto:b@mailgoat.ai' };
    const verdict = checkDmarc({
      ...base,
      expected,
      observation: okObs('TXT', NAME, ['v=DMARC1; p=none; rua=MAILTO:B@mailgoat.ai!10m,mailto:a@mailgoat.ai']),
    });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(`DMARC at ${NAME}: p=none, rua=MAILTO:B@mailgoat.ai!10m,mailto:a@mailgoat.ai`);
  });

  it('warns on a subset, a superset and an empty rua', () => {
    expect(run('v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai,mailto:x@mailgoat.ai').summary).toBe(
      `rua=mailto:dmarc@mailgoat.ai,mailto:x@mailgoat.ai at ${NAME}, the deployment expects rua=${RUA}`,
    );
    const empty = run('v=DMARC1; p=none; rua= , ');
    expect(empty.outcome).toBe('warn');
    expect(empty.summary).toBe(`the DMARC record at ${NAME} has no rua=: nobody receives aggregate reports`);
    expect(empty.remediation).toBe(FIX);
  });
});

describe('checkDmarc record detection', () => {
  it('passes a record that is only "v=DMARC1" with spacing, read at a differently written name', () => {
    const verdict = checkDmarc({ ...base, observation: okObs('TXT', '_DMARC.MailGoat.ai.', [`  v=DMARC1 ;p=none ; rua=${RUA};  `]) });
    expect(verdict).toMatchObject({
      outcome: 'pass',
      expected: `one TXT at ${NAME} "v=DMARC1; p=none; rua=${RUA}"`,
      observed: `"  v=DMARC1 ;p=none ; rua=${RUA};  "`,
    });
    expect(verdict.evidence[1]).toEqual({ label: 'dmarc record tags', detail: { v: 'DMARC1', p: 'none', rua: RUA } });
  });

  it('fails a bare v=DMARC1 for its missing policy and warns for its missing rua', () => {
    const verdict = run('v=DMARC1');
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      `the DMARC record at ${NAME} has no p= (policy) tag; the DMARC record at ${NAME} has no rua=: nobody receives aggregate reports`,
    );
  });

  it('does not read v=DMARC10 or a lower-case v=dmarc1 as the start of a record', () => {
    expect(run('v=DMARC10; p=none').summary).toBe(`no DMARC record at ${NAME}: receivers apply no policy and send no reports`);
    const lower = run(`v=dmarc1; p=reject; fo=1; rua=${RUA}`);
    expect(lower.summary).toBe(
      `the record "v=dmarc1; p=reject; fo=1; rua=${RUA}" at ${NAME} does not start with "v=DMARC1" (it must be the first tag, exactly so): receivers ignore it`,
    );
    // The suggested record keeps the misplaced record's other known tags.
    expect(lower.remediation).toBe(`Set TXT ${NAME} to "v=DMARC1; p=none; rua=${RUA}; fo=1"`);
  });

  it('reports a misplaced record next to a good one, and judges the good one', () => {
    const verdict = run(`v=DMARC1; p=none; rua=${RUA}`, 'p=none; V = DMARC1');
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/^the record "p=none; V = DMARC1" at _dmarc\.mailgoat\.ai does not start with "v=DMARC1"/);
    expect(verdict.evidence).toHaveLength(2);
  });

  it('fails on two DMARC records with the exact fix', () => {
    const verdict = run(`v=DMARC1; p=none; rua=${RUA}`, 'v=DMARC1; p=reject');
    expect(verdict.summary).toBe(`2 DMARC records at ${NAME}: with more than one, receivers apply none`);
    expect(verdict.remediation).toBe(`Delete all but one TXT starting "v=DMARC1" at ${NAME}; keep "v=DMARC1; p=none; rua=${RUA}"`);
  });

  it('fails on malformed tags: an empty one, a bad name, a repeat', () => {
    expect(run(`v=DMARC1;; p=none; rua=${RUA}`).summary).toBe(`DMARC record at ${NAME} is malformed: empty tag (";;")`);
    expect(run(`v=DMARC1; p=none; rua=${RUA}; 1x=2`).summary).toBe(`DMARC record at ${NAME} is malformed: "1x" is not a valid tag name`);
    expect(run(`v=DMARC1; p=none; rua=${RUA}; p_2=x`).summary).toBe(
      `unknown tags in the DMARC record at ${NAME}: p_2 (receivers ignore them; often a typo)`,
    );
    expect(run(`v=DMARC1; p=none; P=reject; rua=${RUA}`).summary).toBe(
      `DMARC record at ${NAME} is malformed: tag "p" appears more than once`,
    );
  });

  it('fails an observation of another name or type, and an empty answer', () => {
    expect(checkDmarc({ ...base, observation: okObs('TXT', 'mailgoat.ai', [`v=DMARC1; p=none; rua=${RUA}`]) })).toMatchObject({
      outcome: 'fail',
      summary: `the observation is TXT mailgoat.ai, not TXT ${NAME}`,
      remediation: `Look up TXT ${NAME} and check that`,
    });
    expect(checkDmarc({ ...base, observation: okObs('A', NAME, ['1.2.3.4']) }).summary).toBe(
      `the observation is A ${NAME}, not TXT ${NAME}`,
    );
    expect(checkDmarc({ ...base, observation: nodataObs('TXT', NAME) }).remediation).toBe(`Add TXT ${NAME} "v=DMARC1; p=none; rua=${RUA}"`);
  });
});
