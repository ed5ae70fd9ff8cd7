/**
 * The DMARC path from outside, against a world of its own: reports read from an IMAP mailbox (a seed's,
 * delivered through the world's Gmail MX), and `npm run monitor` through the live path — a clean run exits
 * 0, a run whose report folder holds a bomb, a foreign report and a spoofer exits 1 naming what turned red,
 * the history grows and charts, and a bad flag is one line and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvFile } from '../harness/config/live-settings.ts';
import { filesFromImap } from '../harness/clients/dmarc-report-sources.ts';
import { readReports } from '../harness/dmarc/read-reports.ts';
import { gzipReport, sampleReportXml, XML_BOMB, zipReport } from '../harness/dmarc/testing/sample-reports.ts';
import { PROJECT_ROOT } from '../scripts/harness-command.ts';
import { eventually, startCli, type CliProcess } from './support/cli-process.ts';
import { loopbackNet } from './support/loopback-net.ts';

// A fixed net (run under the shared lock), or the engineer's own when POSTAL_QA_WORLD_NET names one.
const NET = loopbackNet(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'postal-qa-dmarc-e2e-'));
const envFile = join(dir, 'world.env');
let world: CliProcess | undefined;
let settings: Record<string, string>;

const monitor = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'harness/monitor/main.ts', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, POSTAL_QA_WORLD_NET: NET },
  });

beforeAll(async () => {
  world = startCli(
    process.execPath,
    ['--import', 'tsx', 'world/main.ts', `--net=${NET}`, `--live-env=${envFile}`, `--out=${join(dir, 'artifacts')}`],
    { cwd: PROJECT_ROOT },
  );
  await eventually(
    'the world writes its live settings',
    90_000,
    () => Promise.resolve(existsSync(envFile) && readFileSync(envFile, 'utf8').includes('DMARC_REPORTS_WAIT_S') ? true : undefined),
    500,
  );
  settings = parseEnvFile(readFileSync(envFile, 'utf8'), envFile);
}, 120_000);

afterAll(async () => {
  // Like Ctrl-C: the world stops itself; SIGKILL only if it has not within 20 s.
  world?.signalGroup('SIGTERM');
  const timer = setTimeout(() => world?.kill(), 20_000);
  await world?.closed;
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('DMARC aggregate reports from outside', () => {
  it('reads a Google-style report from an IMAP mailbox (the Gmail seed, delivered through the world MX)', async () => {
    const xml = sampleReportXml({ style: 'google', reportId: 'imap-1', rows: [{ ip: `${NET}.10`, count: 4 }] });
    const transport = nodemailer.createTransport({
      host: `${NET}.20`,
      port: 25,
      name: 'reporter.example',
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await transport.sendMail({
      from: 'noreply-dmarc-support@reporter.example',
      to: settings.SEED_GMAIL_ADDRESS,
      subject: 'Report domain: mailgoat.ai Submitter: reporter.example Report-ID: imap-1',
      text: 'This is an aggregate report.',
      attachments: [
        {
          filename: 'reporter.example!mailgoat.ai!1!2.zip',
          content: await zipReport([{ name: 'r.xml', data: xml }]),
          contentType: 'application/zip',
        },
      ],
    });
    transport.close();
    const imap = {
      host: `${NET}.20`,
      port: 143,
      secure: false,
      user: settings.SEED_GMAIL_USER!,
      password: settings.SEED_GMAIL_PASSWORD!,
      mailbox: 'INBOX',
      servername: 'imap.gmail.test',
    };
    const ca = readFileSync(settings.CA_FILE!, 'utf8');
    const collected = await eventually('the report in the seed INBOX', 15_000, async () => {
      const got = await filesFromImap(imap, { since: new Date(Date.now() - 86_400_000), ca, timeoutMs: 5_000 });
      return got.files.length > 0 ? got : undefined;
    });
    const read = await readReports(collected.files, { domain: 'mailgoat.ai' });
    expect(read.refused).toEqual([]);
    expect(read.reports.map((r) => [r.orgName, r.reportId, r.records[0]!.count])).toEqual([['google.com', 'imap-1', 4]]);
    expect(collected.files[0]!.origin).toMatch(/^IMAP INBOX message \d+ from noreply-dmarc-support@reporter\.example/);
  }, 60_000);

  it('npm run monitor: exit 0 when nothing is red, exit 1 naming what turned red, the history charted', () => {
    const history = join(dir, 'history.jsonl');
    const reports = join(dir, 'monitor');
    const clean = monitor([`--env-file=${envFile}`, '--once', `--history=${history}`, `--report-dir=${reports}`]);
    expect(clean.status, clean.stdout.slice(-3000) + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('first run in');
    expect(clean.stdout).toMatch(/DMARC: skipped — no DMARC aggregate report for mailgoat\.ai has arrived/);

    const hostile = join(dir, 'hostile');
    mkdirSync(hostile, { recursive: true });
    writeFileSync(join(hostile, 'bomb.xml'), XML_BOMB);
    writeFileSync(join(hostile, 'foreign.xml'), sampleReportXml({ domain: 'example.org', reportId: 'f-1', rows: [{ ip: '192.0.2.25' }] }));
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(
      join(hostile, 'yahoo.xml.gz'),
      gzipReport(
        sampleReportXml({
          style: 'yahoo',
          reportId: 'y-1',
          begin: now - 600,
          end: now,
          rows: [
            { ip: `${NET}.10`, count: 5 },
            { ip: '203.0.113.66', count: 3, dkim: 'fail', spf: 'fail' },
          ],
        }),
      ),
    );
    const withDir = join(dir, 'world-dir.env');
    copyFileSync(envFile, withDir);
    appendFileSync(withDir, `DMARC_REPORTS_DIR=${hostile}\n`);
    const red = monitor([`--env-file=${withDir}`, '--once', `--history=${history}`, `--report-dir=${reports}`]);
    expect(red.status, red.stdout.slice(-3000) + red.stderr).toBe(1);
    expect(red.stdout).toMatch(/TURNED RED {2}FN-08 turned FAIL \(was skipped\): 203\.0\.113\.66 is not in the deployment/);
    expect(red.stdout).toContain('TURNED RED  new unaligned source 203.0.113.66 (spoofed-delivered, 3 messages as the domain)');
    const summary = readFileSync(join(reports, 'dmarc-summary.md'), 'utf8');
    expect(summary).toContain(`| ${NET}.10 | the server | 5 | Yahoo |`);
    expect(summary).toMatch(/bomb\.xml declares a DOCTYPE\/ENTITY/);
    expect(summary).toMatch(/foreign\.xml is a report for example\.org/);
    expect(readFileSync(history, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readFileSync(join(reports, 'pass-rate.svg'), 'utf8').match(/class="point"/g)).toHaveLength(2);
  }, 600_000);

  it('refuses a bad flag in one line with exit 2, before anything starts', () => {
    const bad = monitor(['--evry=1h']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'postal-qa monitor: --evry: unknown option (did you mean --every?); npm run monitor -- --help lists them',
    ]);
  });
});
