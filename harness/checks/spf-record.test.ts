import { describe, expect, it } from 'vitest';
import type { DnsObservation } from './dns-observation.ts';
import { errorObs, nxObs, okObs } from './fake-observations.ts';
import { countsAsLookup, insertSpfTerm, isPlusAll, isSpfRecord, parseSpfTerms, SPF_LOOKUP_LIMIT, walkSpf } from './spf-record.ts';

const lookupFrom = (observations: DnsObservation[]) => (name: string) => Promise.resolve(observations.find((o) => o.name === name));

describe('isSpfRecord', () => {
  it('takes "v=spf1" alone or followed by space, in any case, after trimming', () => {
    expect(['v=spf1', ' v=spf1 -all', 'V=SPF1\t~all'].map(isSpfRecord)).toEqual([true, true, true]);
    expect(['v=spf10 -all', 'x v=spf1', 'v=spf1:-all', ''].map(isSpfRecord)).toEqual([false, false, false, false]);
  });
});

describe('parseSpfTerms', () => {
  it('reads qualifiers, mechanisms with values or prefixes, and modifiers', () => {
    expect(parseSpfTerms('  v=spf1   -ip4:1.2.3.4  ~INCLUDE:spf.x ?a/24 +mx:m.x:x redirect=_spf.x exp=explain.x all ')).toEqual([
      { raw: '-ip4:1.2.3.4', qualifier: '-', name: 'ip4', kind: 'mechanism', value: '1.2.3.4' },
      { raw: '~INCLUDE:spf.x', qualifier: '~', name: 'include', kind: 'mechanism', value: 'spf.x' },
      { raw: '?a/24', qualifier: '?', name: 'a', kind: 'mechanism' },
      { raw: '+mx:m.x:x', qualifier: '+', name: 'mx', kind: 'mechanism', value: 'm.x:x' },
      { raw: 'redirect=_spf.x', qualifier: '+', name: 'redirect', kind: 'modifier', value: '_spf.x' },
      { raw: 'exp=explain.x', qualifier: '+', name: 'exp', kind: 'modifier', value: 'explain.x' },
      { raw: 'all', qualifier: '+', name: 'all', kind: 'mechanism' },
    ]);
  });

  it('does not read a qualified term with "=" as a modifier, and keeps an odd term whole', () => {
    expect(parseSpfTerms('v=spf1 -x=y')).toEqual([{ raw: '-x=y', qualifier: '-', name: 'x=y', kind: 'mechanism' }]);
    expect(parseSpfTerms('v=spf1 Redirect=A.x 9x=1')).toEqual([
      { raw: 'Redirect=A.x', qualifier: '+', name: 'redirect', kind: 'modifier', value: 'A.x' },
      { raw: '9x=1', qualifier: '+', name: '9x=1', kind: 'mechanism' },
    ]);
  });
});

describe('countsAsLookup and isPlusAll', () => {
  it('counts include, a, mx, ptr, exists and redirect, nothing else', () => {
    const terms = parseSpfTerms('v=spf1 include:x a mx ptr exists:x redirect=x ip4:1.2.3.4 ip6:::1 all exp=x');
    expect(terms.map(countsAsLookup)).toEqual([true, true, true, true, true, true, false, false, false, false]);
    // A modifier named like a mechanism is not one.
    expect(countsAsLookup({ raw: 'a=x', qualifier: '+', name: 'a', kind: 'modifier', value: 'x' })).toBe(false);
  });

  it('finds +all and bare all only', () => {
    expect(parseSpfTerms('v=spf1 +all all -all ~all ?all allx').map(isPlusAll)).toEqual([true, true, false, false, false, false]);
    expect(isPlusAll({ raw: 'all=x', qualifier: '+', name: 'all', kind: 'modifier', value: 'x' })).toBe(false);
  });
});

describe('insertSpfTerm', () => {
  it('inserts before all or redirect, else at the end, normalising spaces', () => {
    expect(insertSpfTerm(' v=spf1   mx ~all ', 'ip4:1.2.3.4')).toBe('v=spf1 mx ip4:1.2.3.4 ~all');
    expect(insertSpfTerm('v=spf1 mx -ALL', 'a')).toBe('v=spf1 mx a -ALL');
    expect(insertSpfTerm('v=spf1 all', 'a')).toBe('v=spf1 a all');
    expect(insertSpfTerm('v=spf1 mx Redirect=x', 'a')).toBe('v=spf1 mx a Redirect=x');
    expect(insertSpfTerm('v=spf1 mx', 'a')).toBe('v=spf1 mx a');
    expect(insertSpfTerm('v=spf1 mx allow.x xall', 'a')).toBe('v=spf1 mx allow.x xall a');
    expect(insertSpfTerm('all', 'a')).toBe('all a');
  });
});

describe('walkSpf', () => {
  it('counts every querying term over the tree and records each node', async () => {
    const walk = await walkSpf(
      'MailGoat.ai.',
      lookupFrom([
        okObs('TXT', 'mailgoat.ai', ['v=spf1 a mx include:spf.mailgoat.ai ip4:1.2.3.4 ~all', 'other']),
        okObs('TXT', 'spf.mailgoat.ai', ['v=spf1 exists:x.y ptr +all']),
      ]),
    );
    expect(walk.lookupCount).toBe(5);
    expect(walk.plusAll).toEqual([{ name: 'spf.mailgoat.ai', term: '+all' }]);
    expect(walk.brokenReferences).toEqual([]);
    expect(walk.root).toEqual({
      name: 'mailgoat.ai',
      via: 'apex',
      status: 'ok',
      record: 'v=spf1 a mx include:spf.mailgoat.ai ip4:1.2.3.4 ~all',
      lookupTerms: ['a', 'mx', 'include:spf.mailgoat.ai'],
      children: [
        {
          name: 'spf.mailgoat.ai',
          via: 'include:spf.mailgoat.ai',
          status: 'ok',
          record: 'v=spf1 exists:x.y ptr +all',
          lookupTerms: ['exists:x.y', 'ptr'],
          children: [],
        },
      ],
    });
    expect(SPF_LOOKUP_LIMIT).toBe(10);
  });

  it('follows redirect only without all, and does not count an ignored redirect', async () => {
    const observations = [okObs('TXT', 'b.x', ['v=spf1 a -all'])];
    const followed = await walkSpf('a.x', lookupFrom([okObs('TXT', 'a.x', ['v=spf1 redirect=B.x']), ...observations]));
    expect(followed.lookupCount).toBe(2);
    expect(followed.root.children[0]).toMatchObject({ name: 'b.x', via: 'redirect=B.x', status: 'ok' });
    const ignored = await walkSpf('a.x', lookupFrom([okObs('TXT', 'a.x', ['v=spf1 redirect=b.x ~all']), ...observations]));
    expect(ignored.lookupCount).toBe(0);
    expect(ignored.root.children).toEqual([]);
  });

  it('reports broken references: missing, multiple, unreadable, unobserved, looping, too deep', async () => {
    const walk = await walkSpf(
      'a.x',
      lookupFrom([
        okObs('TXT', 'a.x', [
          'v=spf1 include:none.x include:two.x include:err.x include:unseen.x include:a.x include:d1.x include: include:%{i}.x ~all',
        ]),
        nxObs('TXT', 'none.x'),
        okObs('TXT', 'two.x', ['v=spf1 -all', 'v=spf1 ~all']),
        errorObs('TXT', 'err.x', 'ESERVFAIL'),
        ...Array.from({ length: 12 }, (_, i) => okObs('TXT', `d${i + 1}.x`, [`v=spf1 include:d${i + 2}.x`])),
      ]),
    );
    expect(walk.brokenReferences.map((b) => [b.name, b.status, b.note])).toEqual([
      ['none.x', 'no-spf', undefined],
      ['two.x', 'multiple', 'v=spf1 -all | v=spf1 ~all'],
      ['err.x', 'dns-error', 'ESERVFAIL: no answer for TXT err.x from DNS server 127.0.0.53:53'],
      ['unseen.x', 'not-observed', undefined],
      ['a.x', 'loop', 'a.x includes itself via a.x'],
      ['d12.x', 'too-deep', undefined],
    ]);
    // "include:" with no target counts but leads nowhere; a macro target is not followed.
    expect(walk.root.children.map((c) => c.status)).toEqual(['no-spf', 'multiple', 'dns-error', 'not-observed', 'loop', 'ok', 'macro']);
    expect(walk.root.children[6]).toEqual({ name: '%{i}.x', via: 'include:%{i}.x', status: 'macro', lookupTerms: [], children: [] });
    expect(walk.root.lookupTerms).toHaveLength(8);
    expect(walk.lookupCount).toBe(8 + 11);
  });

  it('names the whole path of a loop, and reads an error without a message as "query failed"', async () => {
    const walk = await walkSpf(
      'a.x',
      lookupFrom([
        okObs('TXT', 'a.x', ['v=spf1 include:b.x include:c.x']),
        okObs('TXT', 'b.x', ['v=spf1 include:a.x']),
        { name: 'c.x', type: 'TXT', resolver: 'r', status: 'error', answers: [] },
      ]),
    );
    expect(walk.brokenReferences.map((b) => b.note)).toEqual(['a.x includes itself via a.x → b.x', 'query failed']);
  });
});
