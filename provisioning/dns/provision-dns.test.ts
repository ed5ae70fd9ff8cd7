import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { postalDkimRecord } from '../../core/artifacts/postal-dns-checks.ts';
import { renderPostalState } from '../../core/artifacts/postal-state.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { deploymentSchema } from '../../core/deployment/deployment-schema.ts';
import { provisionDns } from './provision-dns.ts';
import { parseZoneFile } from '../../core/artifacts/zone-file.ts';

const root = new URL('../../', import.meta.url).pathname;
const deployment = deploymentSchema.parse(JSON.parse(readFileSync(join(root, 'fixtures/deployment.json'), 'utf8')));
const out = mkdtempSync(join(tmpdir(), 'provision-dns-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('provisionDns', () => {
  it('writes postal-dns-records.txt and the DKIM key, and keeps the key on the next run', () => {
    const first = provisionDns(deployment, out);
    expect(first.zoneFilePath).toBe(join(out, 'postal-dns-records.txt'));
    expect(first.dkimPrivateKeyPath).toBe(join(out, 'dkim', 'postal-qpMdyI.private.pem'));
    expect(statSync(first.dkimPrivateKeyPath).mode & 0o777).toBe(0o600);
    expect(parseZoneFile(readFileSync(first.zoneFilePath, 'utf8'))).toEqual(first.records);

    const second = provisionDns(deployment, out);
    expect(second.dkimKeyReused).toBe(true);
    expect(readFileSync(second.zoneFilePath, 'utf8')).toBe(first.zoneText);

    const rotated = provisionDns(deployment, out, { fresh: true });
    expect(rotated.dkimPublicKeyBase64).not.toBe(first.dkimPublicKeyBase64);
  });
});

describe('provision:dns command', () => {
  const run = promisify(execFile);
  const tsx = join(root, 'node_modules/.bin/tsx');

  it("writes the records with Postal's DKIM records as commented placeholders, and makes no key", async () => {
    const { stdout } = await run(tsx, ['provisioning/dns/main.ts', `--out=${join(out, 'cli')}`], { cwd: root });
    expect(stdout).toContain(join(out, 'cli', 'postal-dns-records.txt'));
    expect(stdout).toContain('placeholders only');
    expect(existsSync(join(out, 'cli', 'dkim'))).toBe(false);
    const text = readFileSync(join(out, 'cli', 'postal-dns-records.txt'), 'utf8');
    const records = parseZoneFile(text);
    expect(records.filter((r) => r.name.includes('_domainkey'))).toEqual([]);
    expect(records.map((r) => r.type)).toEqual(expect.arrayContaining(['MX', 'A', 'TXT', 'CNAME', 'PTR']));
    expect(text).toContain(
      '; postal-??????._domainkey.mailgoat.ai.  IN TXT  "v=DKIM1; t=s; h=sha256; p=<the key Postal shows for mailgoat.ai>;"',
    );
  });

  it("once provisioning has read Postal's records back (postal-state.json), writes them as Postal made them", async () => {
    const folder = join(out, 'provisioned');
    mkdirSync(folder);
    const key = (bits: number) =>
      generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const [domainKey, installKey] = [key(1024), key(1024)];
    writeFileSync(
      join(folder, 'postal-state.json'),
      renderPostalState({
        version: 1,
        domain: 'mailgoat.ai',
        dkim: { selector: 'postal-YsUd4X', record: postalDkimRecord(domainKey) },
        installDkimRecord: postalDkimRecord(installKey),
        dnsCheck: null,
      }),
    );
    const { stdout } = await run(tsx, ['provisioning/dns/main.ts', `--out=${folder}`], { cwd: root });
    expect(stdout).toContain("Postal's records, selector postal-YsUd4X");
    const records = parseZoneFile(readFileSync(join(folder, 'postal-dns-records.txt'), 'utf8'));
    expect(records.find((r) => r.name === 'postal-ysud4x._domainkey.mailgoat.ai')?.data).toBe(postalDkimRecord(domainKey));
    expect(records.find((r) => r.name === 'postal._domainkey.rp.mail.mailgoat.ai')?.data).toBe(postalDkimRecord(installKey));
    expect(records.some((r) => r.name.startsWith('postal-qpmdyi.'))).toBe(false);
  });

  it('names the bad field in one line and exits 2', async () => {
    const bad = JSON.parse(JSON.stringify(deployment));
    bad.dns.dmarc.policy = 'block';
    const file = join(out, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const error = await run(tsx, ['provisioning/dns/main.ts', `--deployment=${file}`, `--out=${join(out, 'bad')}`], { cwd: root }).catch(
      (e: unknown) => e,
    );
    expect((error as { code: number }).code).toBe(2);
    const stderr = (error as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain('dns.dmarc.policy');
  });
});
