/** The stand-in's answer to the accounts script: empty → everything created once, then nothing; a dry run changes nothing. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import { postalDkimRecord } from '../../core/artifacts/postal-dns-checks.ts';
import { generateAccountsManifest } from '../../provisioning/accounts/generate-accounts-manifest.ts';
import { buildAccountsPlan } from '../../provisioning/deploy/accounts-plan.ts';
import { DomainDnsState } from './domain-dns-state.ts';
import { PostalAccounts, type RunnerPlan } from './postal-accounts.ts';
import { PostalConfig } from './postal-config.ts';
import type { PostalResolver } from './world-resolver.ts';

const deployment = loadDeployment('fixtures/deployment.json');
const keys = generateKeyPairSync('rsa', { modulusLength: 1024 });
const pem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const spki = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

function setup(empty: boolean, publishedRecord = postalDkimRecord(spki)) {
  const inWorld = (url: string): string => url.replace('127.0.0.1', '127.0.9.40');
  const manifest = generateAccountsManifest(deployment, { dkimPrivateKeyFile: '-' });
  // as the world boots it: every endpoint at the inboxes address
  const config = new PostalConfig(deployment, { ...manifest, endpoints: manifest.endpoints.map((e) => ({ ...e, url: inWorld(e.url) })) });
  const resolver: PostalResolver = {
    mx: async () => [],
    a: async () => [],
    txt: async (name) => (name.startsWith(`${deployment.dns.dkim.selector.toLowerCase()}._domainkey`) || name.startsWith(`${deployment.dns.dkim.selector}._domainkey`) ? [publishedRecord] : []),
    cname: async () => [deployment.dns.returnPath.target],
  };
  const dns = DomainDnsState.forKey(config, resolver, spki);
  const accounts = new PostalAccounts({ config, deployment, domainDns: dns, domainDkimPrivateKeyPem: pem, empty, endpointUrl: inWorld });
  return { config, dns, accounts };
}
const plan = buildAccountsPlan(deployment, { email_address: 'admin@mailgoat.ai', first_name: 'Postal', last_name: 'Admin', password: 'secret-pass' }) as RunnerPlan;

describe('PostalAccounts (the stand-in side of accounts-runner.rb)', () => {
  it('an empty Postal refuses the runner until initialized, and holds no key or route', async () => {
    const { config, accounts } = setup(true);
    await expect(accounts.apply(plan, true)).rejects.toThrow('Unknown database');
    expect(config.manifest.credentials).toEqual([]);
    expect(config.routeFor('ceo@mailgoat.ai')).toBeUndefined();
    expect(config.authenticatedDomainFor('ceo@mailgoat.ai')).toBeNull();
  });

  it('a dry run lists everything and changes nothing', async () => {
    const { config, accounts } = setup(true);
    accounts.initialize();
    const result = await accounts.apply(plan, true);
    expect((result.changes as string[]).length).toBe(1 + 1 + 1 + 1 + 14 + 13 + 14);
    expect(config.manifest.credentials).toEqual([]);
    expect(result.credentials).toEqual(plan.credentials.map((c) => ({ ...c, key: null })));
  });

  it('a real run creates what is missing, serves it at once, checks DNS; a second run changes nothing and reads the same keys', async () => {
    const { config, accounts, dns } = setup(true);
    accounts.initialize();
    const first = await accounts.apply(plan, false);
    expect((first.changes as string[]).at(-1)).toMatch(/^DNS check of mailgoat.ai: dkim OK/);
    expect(dns.dkimOk).toBe(true);
    const ceoKey = (first.credentials as Array<{ name: string; key: string }>).find((c) => c.name === 'ceo')!.key;
    expect(ceoKey).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(config.apiCredential(ceoKey)).toBe(true);
    expect(config.routeFor('nobody@mailgoat.ai')?.agentId).toBe('team');
    expect(config.endpointFor(config.routeFor('qa@mailgoat.ai')!)?.url).toContain('127.0.9.40');
    expect(config.authenticatedDomainFor('ceo@mailgoat.ai')).toBe('mailgoat.ai');
    const second = await accounts.apply(plan, false);
    expect(second.changes).toEqual([]);
    expect(second.credentials).toEqual(first.credentials);
    expect(second.dkim_record).toBe(postalDkimRecord(spki));
  });

  it('a provisioned world already holds the accounts: only the admin user is new', async () => {
    const { accounts } = setup(false);
    expect((await accounts.apply(plan, true)).changes).toEqual(['admin user admin@mailgoat.ai']);
  });

  it('an unpublished DKIM record leaves the check Invalid, reported, and re-checked next run', async () => {
    const { accounts, dns } = setup(true, 'v=DKIM1; p=other;');
    accounts.initialize();
    await accounts.apply(plan, false);
    expect(dns.statuses.dkim?.status).toBe('Invalid');
    expect((await accounts.apply(plan, false)).changes).toEqual([]);
  });

  it('refuses to import a DKIM key it does not sign with', async () => {
    const { accounts } = setup(true);
    accounts.initialize();
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(accounts.apply({ ...plan, dkim_private_key: other }, false)).rejects.toThrow('can only import the DKIM key it signs with');
  });
});
