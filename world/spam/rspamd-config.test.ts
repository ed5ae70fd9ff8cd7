import { describe, expect, it } from 'vitest';
import { RSPAMD_NETWORK_MODULES, rspamdLocalConfig } from './rspamd-config.ts';

const base = {
  address: '127.0.9.61',
  port: 11333,
  controllerPort: 11334,
  dnsServer: '127.0.9.53',
  workers: 2,
  hyperscanCacheDir: '/var/cache/postal-qa/rspamd-hyperscan',
};

describe('rspamdLocalConfig', () => {
  it("binds every worker to the world's address only and asks the world's DNS", () => {
    const files = rspamdLocalConfig(base);
    expect(files['override.d/worker-normal.inc']).toContain('bind_socket = "127.0.9.61:11333";');
    expect(files['override.d/worker-normal.inc']).toContain('count = 2;');
    expect(files['override.d/worker-controller.inc']).toContain('"127.0.9.61:11334"');
    expect(files['override.d/worker-proxy.inc']).toContain('enabled = false;');
    expect(Object.values(files).join('\n')).not.toMatch(/localhost|127\.0\.0\.1/);
    expect(files['local.d/options.inc']).toContain('nameserver = ["127.0.9.53:53"]');
    expect(files['local.d/options.inc']).toContain('hs_cache_dir = "/var/cache/postal-qa/rspamd-hyperscan";');
    expect(rspamdLocalConfig({ ...base, dnsServer: '127.0.9.53:5353' })['local.d/options.inc']).toContain('"127.0.9.53:5353"');
  });

  it('turns off the modules that ask the Internet, and only those', () => {
    const files = rspamdLocalConfig(base);
    for (const module of RSPAMD_NETWORK_MODULES) expect(files[`local.d/${module}.conf`]).toBe('enabled = false;\n');
    expect(Object.keys(files).filter((f) => f.startsWith('local.d/') && f !== 'local.d/options.inc')).toHaveLength(
      RSPAMD_NETWORK_MODULES.length,
    );
  });

  it('refuses a worker count that is not a positive integer', () => {
    expect(() => rspamdLocalConfig({ ...base, workers: 0 })).toThrow(/workers must be a positive integer/);
    expect(() => rspamdLocalConfig({ ...base, workers: 1.5 })).toThrow(/workers/);
  });
});
