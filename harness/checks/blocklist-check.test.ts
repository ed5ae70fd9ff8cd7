import { describe, expect, it } from 'vitest';
import { BLOCKLISTS, blocklistQuery, TEST_POINTS } from '../../core/dnsbl/blocklists.ts';
import { blocklistStatus, checkBlocklists, type BlocklistLookup } from './blocklist-check.ts';
import type { DnsObservation } from './dns-observation.ts';

const IP = '91.98.35.3';
const zen = BLOCKLISTS.find((b) => b.zone === 'zen.spamhaus.org')!;
const psbl = BLOCKLISTS.find((b) => b.zone === 'psbl.surriel.com')!;
const dbl = BLOCKLISTS.find((b) => b.zone === 'dbl.spamhaus.org')!;

const obs = (name: string, status: DnsObservation['status'], answers: string[] = [], error?: string): DnsObservation => ({
  name,
  type: 'A',
  resolver: '127.0.0.53:53',
  status,
  answers,
  ...(error ? { error } : {}),
});

function lookup(list = zen, answer: Partial<DnsObservation> = {}, testAnswers: string[] = ['127.0.0.2'], subject = IP): BlocklistLookup {
  return {
    list,
    subject,
    answer: { ...obs(blocklistQuery(list, subject), 'nxdomain'), ...answer },
    testPoint: obs(blocklistQuery(list, TEST_POINTS[list.lists].listed), testAnswers.length ? 'ok' : 'nxdomain', testAnswers),
  };
}

describe('DNS-08 blocklists', () => {
  it('looks names up the way the lists expect', () => {
    expect(blocklistQuery(zen, IP)).toBe('3.35.98.91.zen.spamhaus.org');
    expect(blocklistQuery(dbl, 'mailgoat.ai')).toBe('mailgoat.ai.dbl.spamhaus.org');
  });

  it('passes when no list lists the subject and every list lists its test point', () => {
    const verdict = checkBlocklists({
      lookups: [lookup(zen), lookup(psbl), lookup(dbl, {}, ['127.0.1.2'], 'mailgoat.ai')],
      resolver: '127.0.0.53',
    });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('91.98.35.3 and mailgoat.ai on none of 3 blocklist(s) asked (Spamhaus ZEN, PSBL, Spamhaus DBL)');
  });

  it('fails a listing on a major list with its reason and where to delist; warns on a minor one', () => {
    const listed = { ...lookup(zen, { status: 'ok', answers: ['127.0.0.2'] }), reason: ['https://check.spamhaus.org/query/ip/91.98.35.3'] };
    const verdict = checkBlocklists({ lookups: [listed, lookup(psbl)], resolver: '127.0.0.53' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      '91.98.35.3 is listed on Spamhaus ZEN (zen.spamhaus.org: 127.0.0.2) — "https://check.spamhaus.org/query/ip/91.98.35.3"',
    );
    expect(verdict.remediation).toMatch(/^Look 91\.98\.35\.3 up at https:\/\/check\.spamhaus\.org\/.*request removal/);
    const minor = checkBlocklists({
      lookups: [lookup(zen), lookup(psbl, { status: 'ok', answers: ['127.0.0.2'] })],
      resolver: '127.0.0.53',
    });
    expect(minor.outcome).toBe('warn');
  });

  it('never calls a list clean that was not really asked', () => {
    // Spamhaus refuses public resolvers with a code that looks like a listing.
    expect(blocklistStatus(lookup(zen, { status: 'ok', answers: ['127.255.255.254'] }))).toEqual({
      state: 'unchecked',
      why: 'Spamhaus refuses queries that come through a public or open resolver (127.255.255.254)',
    });
    // A resolver that rewrites NXDOMAIN to a search page.
    expect(blocklistStatus(lookup(zen, { status: 'ok', answers: ['93.184.216.34'] })).state).toBe('unchecked');
    // The list does not list its own test point: retired or refusing this resolver.
    expect(blocklistStatus(lookup(zen, {}, []))).toMatchObject({
      state: 'unchecked',
      why: expect.stringMatching(/RFC 5782 test point is not listed/),
    });
    expect(blocklistStatus(lookup(zen, { status: 'error', error: 'no answer' })).state).toBe('unchecked');
    const verdict = checkBlocklists({ lookups: [lookup(zen, {}, [])], resolver: '8.8.8.8' });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.remediation).toMatch(/set DNSBL_RESOLVER/);
    // An unchecked minor list is evidence, not a warning.
    expect(checkBlocklists({ lookups: [lookup(zen), lookup(psbl, {}, [])], resolver: '127.0.0.53' }).outcome).toBe('pass');
  });

  it('fails when nothing was asked', () => {
    expect(checkBlocklists({ lookups: [], resolver: '127.0.0.53' }).outcome).toBe('fail');
  });
});
