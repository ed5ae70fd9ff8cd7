import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-error.ts';
import { renderDmarcMarkdown, renderPassRateChart, type DmarcFacts } from './dmarc-summary-report.ts';
import { compareEntries } from './monitor-changes.ts';
import { appendHistory, historyEntry, readHistory, type HistoryEntry } from './monitor-history.ts';
import { harnessArgs, parseMonitorOptions } from './monitor-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'monitor-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = (ip: string, cls: string, inDeployment = false) => ({ ip, class: cls, inDeployment, messages: 2 });
function entry(at: string, outcomes: Record<string, string>, dmarc?: Partial<NonNullable<HistoryEntry['dmarc']>>): HistoryEntry {
  return {
    at,
    target: 'world',
    verdict: 'PASS',
    controls: Object.entries(outcomes).map(([id, outcome]) => ({ id, outcome, summary: `${id} says ${outcome}` })),
    ...(dmarc
      ? {
          dmarc: {
            reports: 2,
            reporters: ['gmail.test'],
            messages: 10,
            passRate: 1,
            deploymentMessages: 10,
            deploymentPassRate: 1,
            sources: [source('10.0.0.1', 'deployment', true)],
            refused: 0,
            ...dmarc,
          },
        }
      : {}),
  };
}

describe('compareEntries', () => {
  it('names a control that turned red, one still red, and one that recovered', () => {
    const before = entry('2026-01-01T00:00:00Z', { 'DNS-08': 'pass', 'INF-04': 'fail', 'DNS-03': 'fail', 'SEC-03': 'skipped' });
    const now = entry('2026-01-01T01:00:00Z', {
      'DNS-08': 'fail',
      'INF-04': 'fail',
      'DNS-03': 'pass',
      'SEC-03': 'error',
      'FN-08': 'blocked',
    });
    expect(compareEntries(before, now)).toEqual({
      alerts: [
        'DNS-08 turned FAIL (was pass): DNS-08 says fail',
        'SEC-03 turned ERROR (was skipped): SEC-03 says error',
        'FN-08 turned BLOCKED: FN-08 says blocked',
      ],
      stillRed: ['INF-04 still FAIL: INF-04 says fail'],
      recovered: ['DNS-03 fail → pass'],
    });
  });

  it('on a first run every red control is an alert', () => {
    expect(compareEntries(undefined, entry('2026-01-01T00:00:00Z', { 'DNS-08': 'fail', 'DNS-01': 'pass' })).alerts).toEqual([
      'DNS-08 turned FAIL: DNS-08 says fail',
    ]);
  });

  it('alerts on a new unaligned source, not on one seen before, on forwarding or on the server', () => {
    const before = entry('a', {}, { sources: [source('10.0.0.1', 'deployment', true), source('192.0.2.1', 'spoofed-delivered')] });
    const now = entry(
      'b',
      {},
      {
        sources: [
          source('10.0.0.1', 'deployment', true),
          source('192.0.2.1', 'spoofed-delivered'),
          source('192.0.2.2', 'spoofed-blocked'),
          source('192.0.2.3', 'forwarded'),
          source('192.0.2.4', 'authorised-outside'),
        ],
      },
    );
    expect(compareEntries(before, now).alerts).toEqual([
      'new unaligned source 192.0.2.2 (spoofed-blocked, 2 messages as the domain) in the DMARC reports',
      'new unaligned source 192.0.2.4 (authorised-outside, 2 messages as the domain) in the DMARC reports',
    ]);
  });

  it('alerts on a pass-rate drop of 5 points or more, for the server and for all mail', () => {
    const before = entry('a', {}, { passRate: 1, deploymentPassRate: 1 });
    expect(compareEntries(before, entry('b', {}, { passRate: 0.96, deploymentPassRate: 0.951 })).alerts).toEqual([]);
    expect(compareEntries(before, entry('b', {}, { passRate: 0.95, deploymentPassRate: 0.5 })).alerts).toEqual([
      "the server's DMARC pass rate dropped from 100% to 50%",
      'the DMARC pass rate of all mail as the domain dropped from 100% to 95%',
    ]);
    // Without messages there is no rate to compare.
    expect(
      compareEntries(before, entry('b', {}, { messages: 0, passRate: 0, deploymentMessages: 0, deploymentPassRate: 0 })).alerts,
    ).toEqual([]);
  });
});

describe('the history file', () => {
  it('appends one line per run and reads them back; a foreign line is one ConfigError naming the file and line', () => {
    const path = join(dir, 'h', 'history.jsonl');
    expect(readHistory(path)).toEqual([]);
    const facts = {
      reports: 1,
      reporters: [{ org: 'gmail.test' }],
      messages: 3,
      passRate: 1,
      deploymentMessages: 3,
      deploymentPassRate: 1,
      sources: [{ ip: '10.0.0.1', class: 'deployment', inDeployment: true, messages: 3, reporters: ['x'] }],
      refused: ['bad'],
    };
    const one = historyEntry(new Date('2026-01-01T00:00:00Z'), 'world', 'PASS', [
      { id: 'FN-08', outcome: 'pass', summary: 's', facts: { dmarcReports: facts } },
    ]);
    expect(one.dmarc).toEqual({
      reports: 1,
      reporters: ['gmail.test'],
      messages: 3,
      passRate: 1,
      deploymentMessages: 3,
      deploymentPassRate: 1,
      sources: [{ ip: '10.0.0.1', class: 'deployment', inDeployment: true, messages: 3 }],
      refused: 1,
    });
    appendHistory(path, one);
    appendHistory(path, historyEntry(new Date('2026-01-01T01:00:00Z'), 'world', 'FAIL', []));
    expect(readHistory(path).map((h) => h.verdict)).toEqual(['PASS', 'FAIL']);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"at":"x"}\n');
    expect(() => readHistory(bad)).toThrow(ConfigError);
    expect(() => readHistory(bad)).toThrow(`--history=${bad}: line 1 is not a monitor history entry`);
  });
});

describe('monitor options', () => {
  it('defaults to the embedded world, once, read-only', () => {
    const o = parseMonitorOptions([]);
    expect(o).toMatchObject({
      env: 'embedded',
      everyMs: undefined,
      history: 'reports/monitor/history.jsonl',
      reportDir: 'reports/monitor',
      allowLoad: false,
    });
    expect(harnessArgs(o, ['DNS-01'])).toEqual(['--env=embedded', '--report-dir=reports/monitor', '--read-only']);
  });

  it('--env-file means live; --allow-load asks for the seed send and not the rest, under a cap', () => {
    const o = parseMonitorOptions(['--env-file=world.env', '--every=1h', '--allow-load', '--max-messages', '4']);
    expect(o).toMatchObject({ env: 'live', envFile: 'world.env', everyMs: 3_600_000, maxMessages: 4 });
    expect(harnessArgs(o, ['DNS-01', 'INF-05', 'FN-01', 'FN-02', 'FN-08', 'PERF-01'])).toEqual([
      '--env=live',
      '--env-file=world.env',
      '--report-dir=reports/monitor',
      '--only=DNS-01,FN-02,FN-08',
      '--allow-load',
      '--max-messages=4',
    ]);
  });

  it.each([
    [['--evry=1h'], '--evry: unknown option (did you mean --every?)'],
    [['--once', '--every=1h'], '--once and --every contradict each other'],
    [['--every=2x'], '--every=2x: expected a duration'],
    [['--env=local', '--env-file=x'], '--env-file holds live settings: it cannot go with --env=local'],
    [['--env=prod'], '--env=prod: unknown environment'],
    [['--history'], '--history needs a value'],
    [['--max-messages=0'], '--max-messages=0: must be a whole number from 1 to 500'],
  ])('refuses %j in one line', (argv, message) => {
    expect(() => parseMonitorOptions(argv)).toThrow(ConfigError);
    expect(() => parseMonitorOptions(argv)).toThrow(message);
  });
});

describe('the DMARC summary and its chart', () => {
  const facts: DmarcFacts = {
    domain: 'mailgoat.ai',
    deploymentIps: ['10.0.0.1'],
    reports: 2,
    begin: '2026-01-01T00:00:00.000Z',
    end: '2026-01-01T23:59:59.000Z',
    messages: 5,
    dmarcPass: 4,
    passRate: 0.8,
    deploymentMessages: 4,
    deploymentPass: 4,
    deploymentPassRate: 1,
    reporters: [
      {
        org: 'gmail.test',
        email: 'noreply-dmarc-support@gmail.test',
        reports: 1,
        messages: 5,
        dmarcPass: 4,
        spfAligned: 4,
        dkimAligned: 4,
        dispositions: { none: 5 },
        sources: 2,
        begin: 'b',
        end: 'e',
      },
    ],
    sources: [
      {
        ip: '10.0.0.1',
        inDeployment: true,
        class: 'deployment',
        messages: 4,
        reporters: ['gmail.test'],
        headerFrom: ['mailgoat.ai'],
        envelopeFrom: ['psrp.mailgoat.ai'],
        dkimDomains: ['mailgoat.ai'],
        spf: { pass: 4 },
        dkim: { pass: 4 },
        spfAligned: 4,
        dkimAligned: 4,
        dmarcPass: 4,
        dispositions: { none: 4 },
      },
      {
        ip: '192.0.2.9',
        inDeployment: false,
        class: 'spoofed-delivered',
        messages: 1,
        reporters: ['gmail.test'],
        headerFrom: ['mailgoat.ai'],
        envelopeFrom: ['sender.test'],
        dkimDomains: ['sender.test'],
        spf: { pass: 1 },
        dkim: { pass: 1 },
        spfAligned: 0,
        dkimAligned: 0,
        dmarcPass: 0,
        dispositions: { none: 1 },
      },
    ],
    days: [{ day: '2026-01-01', messages: 5, dmarcPass: 4, deploymentMessages: 4, deploymentPass: 4 }],
    rua: ['dmarc@mailgoat.ai'],
    readFrom: 'the agent inbox',
    windowDays: 7,
    refused: ['message 9: x.xml declares a DOCTYPE'],
    duplicates: 1,
  };

  it('shows the reporters, the server, the spoofing source and every refusal', () => {
    const md = renderDmarcMarkdown(facts, 'fail', 'a | b').join('\n');
    expect(md).toContain('FN-08 **FAIL** — a \\| b');
    expect(md).toContain('| gmail.test (noreply-dmarc-support@gmail.test) | 1 | 5 | 80% | 80% | 80% | none 5 | 2 | b – e |');
    expect(md).toContain('| 10.0.0.1 | the server | 4 |');
    expect(md).toContain('| 192.0.2.9 | **not in the deployment, failed DMARC, delivered** (spoofing?) | 1 |');
    expect(md).toContain('- message 9: x.xml declares a DOCTYPE');
    expect(md).toContain('(1 duplicate dropped)');
  });

  it('charts the pass rate of every run with reports as well-formed SVG', () => {
    const history = [
      entry('2026-01-01T00:00:00Z', {}, { passRate: 1 }),
      entry('2026-01-01T01:00:00Z', {}),
      entry('2026-01-01T02:00:00Z', {}, { passRate: 0.5, deploymentPassRate: 0.9 }),
    ];
    const svg = renderPassRateChart(history);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('DMARC pass rate over 2 monitor runs');
    expect(svg.match(/class="point"/g)).toHaveLength(4);
    expect(svg).toContain('all mail as the domain (DMARC pass) 2026-01-01 02:00 UTC: 50%');
    expect(XMLValidator.validate(renderPassRateChart([]))).toBe(true);
  });
});
