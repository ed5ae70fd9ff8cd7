import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { deploymentSchema } from '../../core/deployment/deployment-schema.ts';
import { accountsManifestSchema } from '../../core/artifacts/accounts-manifest-schema.ts';
import { readApiKeysFile, readCredentialsFile } from '../../core/artifacts/api-keys-file.ts';
import { generateAccountsManifest } from './generate-accounts-manifest.ts';
import { provisionAccounts } from './provision-accounts.ts';
import { readAccountsManifest } from '../../core/artifacts/read-accounts-manifest.ts';

const root = new URL('../../', import.meta.url).pathname;
const deployment = deploymentSchema.parse(JSON.parse(readFileSync(join(root, 'fixtures/deployment.json'), 'utf8')));
const out = mkdtempSync(join(tmpdir(), 'provision-accounts-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('generateAccountsManifest', () => {
  const manifest = generateAccountsManifest(deployment, { dkimPrivateKeyFile: 'dkim/postal-qpMdyI.private.pem' });

  it('gives every agent an endpoint on its own port and a route, plus the catch-all to team', () => {
    expect(manifest.endpoints).toHaveLength(13);
    expect(manifest.endpoints[0]).toMatchObject({
      agentId: 'ceo',
      url: 'http://127.0.0.1:3001/webhooks/postal',
      encoding: 'BodyAsJSON',
      format: 'Hash',
      includeAttachments: true,
      timeout: 5,
    });
    expect(manifest.endpoints[12]).toMatchObject({ agentId: 'team', url: 'http://127.0.0.1:3013/webhooks/postal' });
    expect(new Set(manifest.endpoints.map((e) => e.uuid)).size).toBe(13);

    expect(manifest.routes).toHaveLength(14);
    const byName = new Map(manifest.routes.map((r) => [r.name, r]));
    for (const agent of deployment.agents) {
      const endpoint = manifest.endpoints.find((e) => e.agentId === agent.id)!;
      expect(byName.get(agent.address.split('@')[0]!)).toEqual({
        name: agent.address.split('@')[0],
        domain: 'mailgoat.ai',
        spamMode: 'Mark',
        endpoint: `HTTPEndpoint#${endpoint.uuid}`,
        agentId: agent.id,
      });
    }
    const team = manifest.endpoints.find((e) => e.agentId === 'team')!;
    expect(byName.get('*')).toMatchObject({ endpoint: `HTTPEndpoint#${team.uuid}`, agentId: 'team', spamMode: 'Mark' });
  });

  it('makes 13 distinct 24-alphanumeric API keys and one SMTP key', () => {
    const api = manifest.credentials.filter((c) => c.type === 'API');
    expect(api).toHaveLength(13);
    expect(api.every((c) => /^[A-Za-z0-9]{24}$/.test(c.key))).toBe(true);
    expect(new Set(manifest.credentials.map((c) => c.key)).size).toBe(14);
    expect(manifest.credentials.filter((c) => c.type === 'SMTP')).toHaveLength(1);
  });

  it('describes a Live server and the verified domain', () => {
    expect(manifest.organization).toEqual({ name: 'MailGoat', permalink: 'mailgoat' });
    expect(manifest.server.mode).toBe('Live');
    expect(manifest.server.token).toMatch(/^[a-z0-9]{6}$/);
    expect(manifest.domain).toEqual({
      name: 'mailgoat.ai',
      verificationMethod: 'DNS',
      verified: true,
      dkimSelector: 'postal-qpMdyI',
      dkimPrivateKeyFile: 'dkim/postal-qpMdyI.private.pem',
      returnPathDomain: 'rp.mail.mailgoat.ai',
      dnsChecked: true,
    });
    expect(accountsManifestSchema.safeParse(manifest).success).toBe(true);
  });

  it('keeps what an existing agent had and gives a new agent new credentials', () => {
    const grown = structuredClone(deployment);
    grown.agents.splice(1, 0, { id: 'intern', name: 'Intern Agent', role: 'Intern', address: 'intern@mailgoat.ai' });
    const next = generateAccountsManifest(grown, { dkimPrivateKeyFile: 'dkim/postal-qpMdyI.private.pem', existing: manifest });
    expect(next.server.token).toBe(manifest.server.token);
    const keyOf = (m: typeof manifest, id: string) => m.credentials.find((c) => c.agentId === id)?.key;
    expect(keyOf(next, 'qa')).toBe(keyOf(manifest, 'qa'));
    expect(next.endpoints.find((e) => e.agentId === 'qa')!.uuid).toBe(manifest.endpoints.find((e) => e.agentId === 'qa')!.uuid);
    // URLs follow the agent's position, so the shifted agents move port but keep their uuid.
    expect(next.endpoints.find((e) => e.agentId === 'qa')!.url).toBe('http://127.0.0.1:3008/webhooks/postal');
    expect(keyOf(next, 'intern')).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(new Set(next.credentials.map((c) => c.key)).size).toBe(15);
  });
});

describe('provisionAccounts', () => {
  it('writes the manifest and postal-api-keys.txt with mode 600 in a 700 folder', () => {
    const dir = join(out, 'first');
    const result = provisionAccounts(deployment, dir);
    expect(result.manifestPath).toBe(join(dir, 'accounts-manifest.json'));
    expect(result.apiKeysPath).toBe(join(dir, 'postal-api-keys.txt'));
    expect(statSync(result.manifestPath).mode & 0o777).toBe(0o600);
    expect(statSync(result.apiKeysPath).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(result.manifest.domain.dkimPrivateKeyFile).toBe('dkim/postal-qpMdyI.private.pem');
    expect(statSync(join(dir, result.manifest.domain.dkimPrivateKeyFile)).isFile()).toBe(true);
    expect(readAccountsManifest(result.manifestPath)).toEqual(result.manifest);
  });

  it('round-trips the keys file', () => {
    const { manifest, apiKeysPath } = provisionAccounts(deployment, join(out, 'round-trip'));
    const keys = readApiKeysFile(apiKeysPath);
    expect(keys.size).toBe(13);
    for (const agent of deployment.agents)
      expect(keys.get(agent.address)).toBe(manifest.credentials.find((c) => c.agentId === agent.id)!.key);
    expect(readCredentialsFile(apiKeysPath).smtpKey).toBe(manifest.credentials.find((c) => c.type === 'SMTP')!.key);
    expect(readFileSync(apiKeysPath, 'utf8')).toMatch(/^# /);
  });

  it('keeps every key on re-provisioning and rotates them with fresh', () => {
    const dir = join(out, 'again');
    const first = provisionAccounts(deployment, dir);
    const second = provisionAccounts(deployment, dir);
    expect(second.reusedCredentials).toBe(14);
    expect(second.manifest.credentials).toEqual(first.manifest.credentials);
    expect(second.manifest.endpoints).toEqual(first.manifest.endpoints);
    expect(second.manifest.server.token).toBe(first.manifest.server.token);
    const fresh = provisionAccounts(deployment, dir, { fresh: true });
    expect(fresh.reusedCredentials).toBe(0);
  });

  it('refuses a damaged manifest instead of rotating keys, naming the field', () => {
    const dir = join(out, 'damaged');
    const { manifestPath } = provisionAccounts(deployment, dir);
    const broken = JSON.parse(readFileSync(manifestPath, 'utf8'));
    broken.credentials[2].key = 'short';
    writeFileSync(manifestPath, JSON.stringify(broken));
    expect(() => provisionAccounts(deployment, dir)).toThrow(/credentials\[2\]\.key: must be 24 letters and digits.*--fresh/);
    try {
      provisionAccounts(deployment, dir);
    } catch (error) {
      expect((error as Error).message).not.toContain('short');
    }
  });
});

describe('readApiKeysFile', () => {
  const write = (name: string, text: string): string => {
    const path = join(out, name);
    writeFileSync(path, text);
    return path;
  };
  const key = 'A'.repeat(12) + 'b1'.repeat(6);

  it('accepts comments, blank lines, tabs and CRLF', () => {
    const path = write('ok.txt', `# keys\r\n\r\nCEO@mailgoat.ai\t${key}\r\nsmtp ${key.toLowerCase()}\r\n`);
    expect([...readApiKeysFile(path)]).toEqual([['ceo@mailgoat.ai', key]]);
  });

  it.each([
    ['wrong field count', `ceo@mailgoat.ai ${key} extra\n`, /bad\.txt:1:1: expected "<address> <key>".*found 3 fields/],
    ['not an address', `# c\nceo ${key}\n`, /bad\.txt:2:1: the first field is not an email address/],
    [
      'columns swapped',
      `${key} ceo@mailgoat.ai\n`,
      /bad\.txt:1:1: the first field is not an email address \(or "smtp"\); the two columns look swapped/,
    ],
    [
      'short key',
      `ceo@mailgoat.ai abc123\n`,
      /bad\.txt:1:17: the key for ceo@mailgoat.ai is not 24 letters and digits \(got 6 characters\)/,
    ],
    ['duplicate', `qa@mailgoat.ai ${key}\nqa@mailgoat.ai ${key}\n`, /bad\.txt:2:1: qa@mailgoat.ai is listed twice/],
    ['empty', `# nothing\n`, /bad\.txt: no "<address> <key>" lines found/],
  ])('%s → one line naming the line', (_name, text, message) => {
    const path = write('bad.txt', text);
    expect(() => readApiKeysFile(path)).toThrow(message);
    try {
      readApiKeysFile(path);
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(1);
      expect((error as Error).message).not.toContain('abc123');
      expect((error as Error).message).not.toContain(key);
    }
  });

  it('says where to look when the file is missing', () => {
    expect(() => readApiKeysFile(join(out, 'absent.txt'))).toThrow(/not found; set POSTAL_API_KEYS_FILE/);
  });
});

describe('provisioning/accounts/main.ts', () => {
  const run = promisify(execFile);
  const tsx = join(root, 'node_modules/.bin/tsx');

  it('prints the paths and never a key', async () => {
    const dir = join(out, 'cli');
    const { stdout } = await run(tsx, ['provisioning/accounts/main.ts', `--out=${dir}`], { cwd: root });
    expect(stdout).toContain(join(dir, 'accounts-manifest.json'));
    expect(stdout).toContain(join(dir, 'postal-api-keys.txt'));
    for (const key of readCredentialsFile(join(dir, 'postal-api-keys.txt')).apiKeys.values()) expect(stdout).not.toContain(key);
    expect(stdout).not.toContain(readCredentialsFile(join(dir, 'postal-api-keys.txt')).smtpKey!);
  });

  it('exits 2 with one line on a bad flag', async () => {
    const error = await run(tsx, ['provisioning/accounts/main.ts', '--nope'], { cwd: root }).catch((e: unknown) => e);
    expect((error as { code: number }).code).toBe(2);
    expect((error as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});
