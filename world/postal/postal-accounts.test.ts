/** The stand-in's answer to the accounts script: empty → everything created once, then nothing; a dry run changes nothing. */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import { postalDkimRecord } from '../../core/artifacts/postal-dns-checks.ts';
import { generateAccountsManifest } from '../../provisioning/accounts/generate-accounts-manifest.ts';
import { buildAccountsPlan } from '../../provisioning/deploy/accounts-plan.ts';
import { DomainDnsState } from './domain-dns-state.ts';
import { PostalAccounts } from './postal-accounts.ts';
import { PostalConfig } from './postal-config.ts';
import type { PostalResolver } from './postal-resolver.ts';

const deployment = loadDeployment('fixtures/deployment.json');
const keys = generateKeyPairSync('rsa', { modulusLength: 1024 });
const pem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const spki = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** DNS as the operator has published it: name → TXT records. */
function setup(
  empty: boolean,
  published = new Map<string, string[]>([
    [`${deployment.dns.dkim.selector.toLowerCase()}._domainkey.mailgoat.ai`, [postalDkimRecord(spki)]],
  ]),
) {
  const inWorld = (url: string): string => url.replace('127.0.0.1', '127.0.9.40');
  const manifest = generateAccountsManifest(deployment, { dkimPrivateKeyFile: '-' });
  // as the world boots it: every endpoint at the inboxes address
  const config = new PostalConfig(deployment, { ...manifest, endpoints: manifest.endpoints.map((e) => ({ ...e, url: inWorld(e.url) })) });
  const resolver: PostalResolver = {
    mx: () => Promise.resolve([]),
    a: () => Promise.resolve([]),
    txt: (name) => Promise.resolve(published.get(name.toLowerCase()) ?? []),
    cname: () => Promise.resolve([deployment.dns.returnPath.target]),
    ipToHostname: (ip) => Promise.resolve(ip),
  };
  const dns = DomainDnsState.forKey(config, resolver, spki);
  const domainKey = { pem };
  const accounts = new PostalAccounts({ config, deployment, domainDns: dns, domainKey, empty, endpointUrl: inWorld });
  return { config, dns, accounts, domainKey, published };
}
const plan = buildAccountsPlan(deployment, {
  email_address: 'admin@mailgoat.ai',
  first_name: 'Postal',
  last_name: 'Admin',
  password: 'secret-pass',
});
const bitsOf = (record: string): number | undefined =>
  createPublicKey({ key: Buffer.from(/p=([^;]+);/.exec(record)![1]!, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyDetails
    ?.modulusLength;

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
    // admin, organization, server, domain, its 2048-bit key (the deployment's keyBits), credentials, endpoints, routes
    expect((result.changes as string[]).length).toBe(1 + 1 + 1 + 1 + 1 + 14 + 13 + 14);
    expect(config.manifest.credentials).toEqual([]);
    expect(result.credentials).toEqual(plan.credentials.map((c) => ({ ...c, key: null })));
    expect(result.dkim_selector).toBeNull();
  });

  it('a real run creates what is missing and serves it at once; the domain gets a random selector and its own 1024-bit key, as Postal makes them', async () => {
    const { config, accounts, dns, domainKey } = setup(true);
    accounts.initialize();
    const { dkim_key_bits: _postalsOwn, ...asPostalMadeIt } = plan;
    const first = await accounts.apply(asPostalMadeIt, false);
    const selector = first.dkim_selector as string;
    expect(selector).toMatch(/^postal-[A-Za-z][A-Za-z0-9]{4}[A-Za-z]$/);
    expect(selector).not.toBe(deployment.dns.dkim.selector);
    expect(first.dkim_record).not.toBe(postalDkimRecord(spki));
    expect(bitsOf(first.dkim_record as string)).toBe(1024);
    expect(domainKey.pem).not.toBe(pem);
    // Nothing is published at Postal's new selector yet: its DNS check says Missing, and it signs with its fallback key.
    expect((first.changes as string[]).at(-1)).toMatch(/^DNS check of mailgoat.ai: dkim Missing/);
    expect(dns.dkimOk).toBe(false);
    const ceoKey = (first.credentials as Array<{ name: string; key: string }>).find((c) => c.name === 'ceo')!.key;
    expect(ceoKey).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(config.apiCredential(ceoKey)).toBe(true);
    expect(config.routeFor('nobody@mailgoat.ai')?.agentId).toBe('team');
    expect(config.endpointFor(config.routeFor('qa@mailgoat.ai')!)?.url).toContain('127.0.9.40');
    expect(config.authenticatedDomainFor('ceo@mailgoat.ai')).toBe('mailgoat.ai');
    const second = await accounts.apply(asPostalMadeIt, false);
    expect(second.changes).toEqual([]);
    expect(second.credentials).toEqual(first.credentials);
    expect([second.dkim_selector, second.dkim_record]).toEqual([selector, first.dkim_record]);
    // The deployment asks for 2048 bits: the runner makes that key in Postal's container, once; the selector stays.
    const bigger = await accounts.apply(plan, false);
    expect((bigger.changes as string[])[0]).toBe(
      "DKIM key of mailgoat.ai: a 2048-bit key made in Postal's container (Postal makes 1024 bits)",
    );
    expect(bitsOf(bigger.dkim_record as string)).toBe(2048);
    expect(bigger.dkim_selector).toBe(selector);
    expect((await accounts.apply(plan, false)).changes).toEqual([]);
  });

  it('two empty Postals make two selectors; publishing the record Postal shows turns its check OK', async () => {
    const one = setup(true);
    const two = setup(true);
    for (const s of [one, two]) s.accounts.initialize();
    const a = await one.accounts.apply(plan, false);
    const b = await two.accounts.apply(plan, false);
    expect(a.dkim_selector).not.toBe(b.dkim_selector);
    one.published.set(`${(a.dkim_selector as string).toLowerCase()}._domainkey.mailgoat.ai`, [a.dkim_record as string]);
    await one.dns.checkDns();
    expect(one.dns.dkimOk).toBe(true);
  });

  it('a provisioned world already holds the accounts: only the admin user is new', async () => {
    const { accounts } = setup(false);
    // (this world's domain key is 1024 bits: the deployment's 2048 would be one more change)
    const { dkim_key_bits: _bits, ...plan1024 } = plan;
    expect((await accounts.apply(plan1024, true)).changes).toEqual(['admin user admin@mailgoat.ai']);
  });

  it('an imported DKIM key replaces the key (the record and the signer follow), never the selector', async () => {
    const { accounts, domainKey } = setup(true);
    accounts.initialize();
    const made = await accounts.apply(plan, false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherPem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const imported = await accounts.apply({ ...plan, dkim_private_key: otherPem }, false);
    expect(imported.changes).toContain("DKIM key of mailgoat.ai: import the deployment's key");
    expect(imported.dkim_selector).toBe(made.dkim_selector);
    expect(imported.dkim_record).toBe(postalDkimRecord(other.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')));
    expect(domainKey.pem).toBe(otherPem);
    expect((await accounts.apply({ ...plan, dkim_private_key: otherPem }, false)).changes).toEqual([]);
  });
});
