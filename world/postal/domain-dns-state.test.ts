import { describe, expect, it, vi } from 'vitest';
import { postalDkimRecord } from '../../core/artifacts/postal-dns-checks.ts';
import { DomainDnsState } from './domain-dns-state.ts';
import type { PostalConfig } from './postal-config.ts';
import type { PostalResolver } from './postal-resolver.ts';

// Postal 3.3.2: Domain#check_dns is never run on create; check_all_dns_scheduled_task.rb re-checks only
// domains whose dns_checked_at is set; dkim_header.rb signs with the domain key only while dkim_status is OK.
const config = {
  domain: 'mailgoat.ai',
  returnPathDomain: 'rp.mail.mailgoat.ai',
  manifest: { domain: { dkimSelector: 'postal-qpMdyI' } },
  deployment: { dns: { returnPath: { name: 'psrp' } } },
} as unknown as PostalConfig;

function resolverServing(txt: string[], cname: string[]): PostalResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    mx: () => Promise.resolve([]),
    a: () => Promise.resolve([]),
    txt: (name) => Promise.resolve((asked.push(`TXT ${name}`), txt)),
    cname: (name) => Promise.resolve((asked.push(`CNAME ${name}`), cname)),
    ipToHostname: (ip) => Promise.resolve(ip),
  };
}

describe('DomainDnsState', () => {
  it('is unchecked after creation and OK after a check that finds exactly its record and CNAME', async () => {
    const resolver = resolverServing([postalDkimRecord('KEY')], ['rp.mail.mailgoat.ai']);
    const state = DomainDnsState.forKey(config, resolver, 'KEY');
    expect(state.dkimOk).toBe(false);
    expect(state.statuses.checkedAt).toBeUndefined();
    await state.checkDns();
    expect(state.statuses.dkim).toEqual({ status: 'OK' });
    expect(state.dkimOk && state.returnPathOk).toBe(true);
    expect(resolver.asked).toEqual(['TXT postal-qpMdyI._domainkey.mailgoat.ai', 'CNAME psrp.mailgoat.ai']);
  });

  it('never checks a domain that was never checked, and re-checks one that was', async () => {
    vi.useFakeTimers();
    try {
      const resolver = resolverServing([postalDkimRecord('KEY')], []);
      const never = DomainDnsState.forKey(config, resolver, 'KEY');
      never.startScheduledChecks(1_000);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(resolver.asked).toEqual([]);
      expect(never.dkimOk).toBe(false);
      never.stop();

      const checked = DomainDnsState.forKey(config, resolver, 'KEY');
      await checked.checkDns();
      resolver.asked.length = 0;
      checked.startScheduledChecks(1_000);
      await vi.advanceTimersByTimeAsync(2_500);
      expect(resolver.asked.filter((q) => q.startsWith('TXT'))).toHaveLength(2);
      checked.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('treats a DNS failure as a failed check, as Postal does', async () => {
    const failing: PostalResolver = {
      mx: () => Promise.resolve([]),
      a: () => Promise.resolve([]),
      txt: async () => Promise.reject(new Error('SERVFAIL')),
      cname: async () => Promise.reject(new Error('SERVFAIL')),
      ipToHostname: (ip) => Promise.resolve(ip),
    };
    const state = DomainDnsState.forKey(config, failing, 'KEY');
    await state.checkDns();
    expect(state.statuses.dkim?.status).toBe('Missing');
    expect(state.dkimOk).toBe(false);
  });
});
