import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import { parseApiKeysFile } from '../../core/artifacts/api-keys-file.ts';
import { postalDkimRecord } from '../../core/artifacts/postal-dns-checks.ts';
import { parsePostalState } from '../../core/artifacts/postal-state.ts';
import { buildAccountsPlan } from './accounts-plan.ts';
import type { AccountsResult } from './accounts-plan.ts';
import { buildDeliverables, deliverableChanges, deliverableProblems, dkimPublicKeyOf } from './deliverables.ts';

const deployment = loadDeployment('fixtures/deployment.json');
const spki = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const domainKey = spki();
const installKey = spki();
const plan = buildAccountsPlan(deployment, { email_address: 'admin@mailgoat.ai', first_name: 'Postal', last_name: 'Admin', password: 'x' });
const key = (i: number): string => `K${String(i).padStart(23, '0')}`;
const result: AccountsResult = {
  dry_run: false,
  changes: [],
  server_token: 'ab12cd',
  dkim_selector: 'postal-Ab3x9Q',
  dkim_record: postalDkimRecord(domainKey),
  dns: null,
  credentials: plan.credentials.map((c, i) => ({ ...c, key: key(i) })),
};

describe('buildDeliverables', () => {
  const out = mkdtempSync(join(tmpdir(), 'postal-qa-deliv-'));
  const files = buildDeliverables(deployment, result, postalDkimRecord(installKey), out, 'https://postal.mailgoat.ai');
  const file = (name: string): string => files.find((f) => f.path.endsWith(name))!.text;

  it('postal-api-keys.txt lists each agent with the key Postal generated, readable by the live harness', () => {
    const parsed = parseApiKeysFile(file('postal-api-keys.txt'), 'x');
    expect(parsed.apiKeys.size).toBe(13);
    expect(parsed.apiKeys.get('ceo@mailgoat.ai')).toBe(key(0));
    expect(parsed.smtpKey).toBe(key(13));
  });

  it("postal-dns-records.txt carries Postal's DKIM record at Postal's selector, and its install key's record", () => {
    const zone = file('postal-dns-records.txt');
    expect(zone).toContain('postal-Ab3x9Q._domainkey');
    expect(zone).toContain(domainKey.slice(0, 60));
    expect(zone).toContain(installKey.slice(0, 60));
    expect(zone).not.toContain('postal-qpMdyI._domainkey');
  });

  it('postal-state.json records what Postal generated (selector, records, token, its DNS check), readable by the harness', () => {
    const state = parsePostalState(file('postal-state.json'), 'x');
    expect(state).toEqual({
      version: 1,
      domain: 'mailgoat.ai',
      dkim: { selector: 'postal-Ab3x9Q', record: postalDkimRecord(domainKey) },
      installDkimRecord: postalDkimRecord(installKey),
      serverToken: 'ab12cd',
      dnsCheck: null,
    });
    const checked = buildDeliverables(
      deployment,
      {
        ...result,
        dns: {
          spf: 'OK',
          dkim: 'Missing',
          dkim_error: 'No TXT records were returned for x',
          mx: 'OK',
          return_path: 'OK',
          checked_at: '2026-12-06T21:00:00Z',
        },
      },
      postalDkimRecord(installKey),
      out,
      'x',
    );
    const text = checked.find((f) => f.path.endsWith('postal-state.json'))!.text;
    expect(parsePostalState(text, 'x').dnsCheck).toEqual({
      spf: 'OK',
      dkim: 'Missing',
      mx: 'OK',
      returnPath: 'OK',
      dkimError: 'No TXT records were returned for x',
    });
    // The check's time is left out: a second run with the same statuses rewrites nothing.
    expect(text).not.toContain('2026-12-06');
  });

  it('writes 13 CLI configs (mode 600) and 13 AGENTS.md sections', () => {
    expect(files.filter((f) => f.path.endsWith('config.json') && f.mode === 0o600)).toHaveLength(13);
    expect(files.filter((f) => f.path.endsWith('AGENTS-email.md'))).toHaveLength(13);
    expect(JSON.parse(file(join('qa', 'config.json')))).toEqual({
      server: 'https://postal.mailgoat.ai',
      fromAddress: 'qa@mailgoat.ai',
      fromName: 'QA Agent',
      api_key: key(6),
    });
    expect(file(join('qa', 'AGENTS-email.md'))).not.toContain(key(6));
  });

  it('refuses when Postal lacks a credential or a DKIM record (the broken read-back)', () => {
    expect(() =>
      buildDeliverables(deployment, { ...result, credentials: result.credentials.slice(1) }, postalDkimRecord(installKey), out, 'x'),
    ).toThrow('Postal holds no API credential named ceo');
    expect(() => buildDeliverables(deployment, { ...result, dkim_record: null }, postalDkimRecord(installKey), out, 'x')).toThrow(
      'no DKIM selector or record',
    );
    expect(() => dkimPublicKeyOf('v=DKIM1; t=s;')).toThrow('no p= key');
  });

  it('writes what differs, with the modes, then has nothing left to write', async () => {
    expect(deliverableProblems(files)).toHaveLength(files.length);
    for (const change of deliverableChanges(files, out)) await change.apply();
    expect(deliverableChanges(files, out)).toEqual([]);
    expect(deliverableProblems(files)).toEqual([]);
    expect(statSync(join(out, 'postal-api-keys.txt')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'agents', 'qa')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(out, 'agents', 'qa', 'config.json'), 'utf8')).toContain('qa@mailgoat.ai');
  });
});

describe('buildAccountsPlan', () => {
  it("one API credential per agent, one SMTP, one endpoint and route per agent, and the catch-all to the team's endpoint", () => {
    expect(plan.credentials.filter((c) => c.type === 'API')).toHaveLength(13);
    expect(plan.credentials.filter((c) => c.type === 'SMTP')).toEqual([{ name: 'smtp', type: 'SMTP' }]);
    expect(plan.endpoints).toHaveLength(13);
    expect(plan.routes).toHaveLength(14);
    expect(plan.routes.find((r) => r.name === '*')).toEqual({ name: '*', spam_mode: 'Mark', endpoint: 'team-inbox' });
    expect(plan.server.mode).toBe('Live');
    expect(plan).not.toHaveProperty('dkim_private_key');
    // Postal makes 1024-bit keys; the deployment wants 2048: the runner makes that one in Postal's container.
    expect(plan.dkim_key_bits).toBe(2048);
    expect(buildAccountsPlan(deployment, plan.admin, { dkimPrivateKeyPem: 'PEM' })).not.toHaveProperty('dkim_key_bits');
  });
});
