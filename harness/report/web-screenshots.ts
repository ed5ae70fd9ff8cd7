/**
 * Screenshots of Postal's web UI with headless Chromium (Debian's `chromium`), taken from the harness
 * after the specs ran, so embedded and live work alike. Never fails the run: every problem is one line
 * for the report.
 */
import { runProcess } from '../../core/process/run-process.ts';
import { X509Certificate } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { connect } from 'node:tls';
import type { TargetDescriptor } from '../targets/target.ts';
import { chromiumScreenshotArgs, pemCertificates, spkiSha256 } from './chromium-args.ts';

export interface Screenshot {
  label: string;
  /** Path of the PNG. */
  path: string;
}

export interface Screenshots {
  taken: Screenshot[];
  /** One line each: what was not taken and why. */
  notes: string[];
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

export function findChromium(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

async function resolveWebHost(host: string, server: string, timeoutMs: number): Promise<string> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  resolver.setServers([server]);
  const [address] = await resolver.resolve4(host);
  if (!address) throw new Error(`no A record for ${host} at ${server}`);
  return address;
}

/**
 * The SPKI hashes of the chain the web host presents, verified against the target's CA first: Chromium
 * then accepts exactly what Node already trusted, and nothing else.
 */
function verifiedChainHashes(ip: string, port: number, host: string, caPem: string, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port, servername: host, ca: caPem, timeout: timeoutMs }, () => {
      const hashes = new Set(pemCertificates(caPem).map((pem) => spkiSha256(pem)));
      let cert = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert?.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        hashes.add(spkiSha256(new X509Certificate(cert.raw)));
        cert = cert.issuerCertificate;
      }
      socket.end();
      resolve([...hashes]);
    });
    socket.once('timeout', () => socket.destroy(new Error(`TLS to ${host} (${ip}:${port}) timed out after ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
}

async function runChromium(binary: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  // Chromium and its helper processes go with the run however it ends (a second signal's process.exit included).
  const run = await runProcess(binary, args, { timeoutMs, maxOutput: 3_000, overflow: 'keep-newest', group: true, killOnExit: true });
  if (run.startError) return run.startError.message;
  if (run.signal) return `chromium stopped by ${run.signal} after ${timeoutMs} ms`;
  return run.code === 0 ? undefined : `chromium exit ${run.code}: ${run.stderr.slice(-1500).trim().split('\n').pop() ?? ''}`;
}

export async function takeScreenshots(
  target: TargetDescriptor | undefined,
  dir: string,
  options: { timeoutMs?: number; chromium?: () => string | undefined } = {},
): Promise<Screenshots> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const notes: string[] = [];
  const binary = (options.chromium ?? findChromium)();
  if (!binary) return { taken: [], notes: ['no screenshot: chromium not installed (apt-get install chromium)'] };
  if (!target?.postal?.webUrl) return { taken: [], notes: ['no screenshot: the target was not opened or has no web UI URL'] };
  const base = new URL(target.postal.webUrl);
  const host = base.hostname;
  const port = Number(base.port || (base.protocol === 'https:' ? 443 : 80));

  let hostMap: { host: string; ip: string } | undefined;
  let spkiHashes: string[] | undefined;
  try {
    if (target.hostResolver !== 'system') hostMap = { host, ip: await resolveWebHost(host, target.hostResolver, target.timeouts.dnsMs) };
    // Only a target with its own CA (the embedded world) gets a pin; live uses the system store.
    if (target.trustedCaPem && base.protocol === 'https:') {
      spkiHashes = await verifiedChainHashes(hostMap?.ip ?? host, port, host, target.trustedCaPem, target.timeouts.connectMs);
    }
  } catch (error) {
    return { taken: [], notes: [`no screenshot: could not reach ${host} the way the target names it (${(error as Error).message})`] };
  }

  mkdirSync(dir, { recursive: true });
  const pages = [{ label: 'Postal web UI: login page', name: 'postal-login.png', url: new URL('/login', base).href }];
  const taken: Screenshot[] = [];
  for (const page of pages) {
    const file = join(dir, page.name);
    rmSync(file, { force: true });
    // Inside `dir` (the run's own folder): a hard stop that kills Chromium leaves no profile behind.
    const userDataDir = mkdtempSync(join(dir, '.chromium-profile-'));
    try {
      const problem = await runChromium(
        binary,
        chromiumScreenshotArgs({ url: page.url, file, userDataDir, hostMap, spkiHashes }),
        timeoutMs,
      );
      const png = existsSync(file) && readFileSync(file).subarray(0, 4).equals(PNG);
      if (png) taken.push({ label: page.label, path: file });
      else notes.push(`no screenshot of ${page.url}: ${problem ?? 'chromium wrote no PNG'}`);
    } finally {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  }
  // Postal's domain and DNS pages sit behind a user session; the target descriptor carries no web-UI login.
  notes.push("Postal's domain and DNS pages: not taken — they need a web-UI login, and the target provides none (API keys only).");
  return { taken, notes };
}
