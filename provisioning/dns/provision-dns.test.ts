import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('prints the paths it wrote', async () => {
    const { stdout } = await run(tsx, ['provisioning/dns/main.ts', `--out=${join(out, 'cli')}`], { cwd: root });
    expect(stdout).toContain(join(out, 'cli', 'postal-dns-records.txt'));
    expect(stdout).toContain(join(out, 'cli', 'dkim', 'postal-qpMdyI.private.pem'));
  });

  it('names the bad field in one line and exits 2', async () => {
    const bad = JSON.parse(JSON.stringify(deployment));
    bad.dns.dmarc.policy = 'block';
    const file = join(out, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const error = await run(tsx, ['provisioning/dns/main.ts', `--deployment=${file}`, `--out=${join(out, 'bad')}`], { cwd: root }).catch((e: unknown) => e);
    expect((error as { code: number }).code).toBe(2);
    const stderr = (error as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain('dns.dmarc.policy');
  });
});
