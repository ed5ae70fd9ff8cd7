/**
 * The configuration the world gives Debian's rspamd: the package's own rules and modules (CONFDIR stays
 * /etc/rspamd), with the world's overrides in a LOCAL_CONFDIR of its own — so a world never touches the
 * system's /etc/rspamd/local.d, and several worlds run side by side.
 *
 * What is changed, and why (the judgement is otherwise the package's):
 * - workers bound to the world's rspamd address only (never localhost:1133x, which a system rspamd may hold);
 * - DNS asked of the world's own server: SPF/DKIM/DMARC lookups are real for world zones, and nothing
 *   leaves loopback (remote maps at maps.rspamd.com resolve nowhere, and are simply absent);
 * - the modules that exist to ask the Internet are off, as SpamAssassin's network tests are off (`-L`) in
 *   the world's spamd: DNS blocklists (rbl), rspamd.com's fuzzy hashes (fuzzy_check), ASN lookups (asn),
 *   phishing feeds (phishing). Same message, same score, every run;
 * - Bayes and every Redis-backed module stay off because no Redis is configured (the package's default).
 */
export interface RspamdConfigOptions {
  /** the address the workers bind, e.g. 127.0.0.61 */
  address: string;
  /** the normal (scanning) worker's port; Postal is pointed here */
  port: number;
  /** the controller's port (rspamd's default 11334) */
  controllerPort: number;
  /** the world's DNS server, `ip` or `ip:port` */
  dnsServer: string;
  /** scanning worker processes (one per core on the reference machine) */
  workers: number;
  /**
   * where compiled Hyperscan databases are kept between worlds: compiling them takes ~15 s of CPU, which a
   * fresh folder per world would spend again in the middle of every benchmark
   */
  hyperscanCacheDir: string;
}

/** Modules that reach the Internet by design. */
export const RSPAMD_NETWORK_MODULES = ['rbl', 'fuzzy_check', 'asn', 'phishing'] as const;

/** File name under LOCAL_CONFDIR → content. */
export function rspamdLocalConfig(options: RspamdConfigOptions): Record<string, string> {
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new Error(`rspamd workers must be a positive integer (got ${options.workers})`);
  const nameserver = options.dnsServer.includes(':') ? options.dnsServer : `${options.dnsServer}:53`;
  const files: Record<string, string> = {
    // override.d (priority 10) replaces the bind_socket rspamd.conf sets inline; local.d would add to it.
    'override.d/worker-normal.inc': `bind_socket = "${options.address}:${options.port}";\ncount = ${options.workers};\n`,
    'override.d/worker-controller.inc': `bind_socket = "${options.address}:${options.controllerPort}";\ncount = 1;\n`,
    'override.d/worker-proxy.inc': `enabled = false;\nbind_socket = "${options.address}:${options.port - 1}";\n`,
    'override.d/logging.inc': 'type = "console";\nlevel = "warning";\n',
    'local.d/options.inc': `dns {\n  nameserver = ["${nameserver}"];\n  timeout = 1s;\n  retransmits = 1;\n}\nhs_cache_dir = "${options.hyperscanCacheDir}";\n`,
  };
  for (const module of RSPAMD_NETWORK_MODULES) files[`local.d/${module}.conf`] = 'enabled = false;\n';
  return files;
}
