import { promises as dnsPromises } from 'node:dns';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../core/poll.ts';
import { DnsServer } from '../dns-server.ts';
import { record as r, soaRecord as soa } from '../testing/test-records.ts';
import { createCertificateAuthority, type WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { closeSmtp, listenSmtp, readMessage } from './smtp-listen.ts';
import nodemailer from 'nodemailer';
import { createDmarcReporter, ruaAddresses, type RelayMail } from './dmarc-reporter.ts';
import type { JudgedMessage, PublishedPolicy } from './dmarc-report-xml.ts';

// A fixed net of its own (run under the shared lock with the other world tests).
const NET = '127.0.74';
const DNS = `${NET}.53`;
const REPORTER = `${NET}.20`;
const MX = `${NET}.10`;
const EXTERNAL_MX = `${NET}.11`;

const records = [
  soa('owner.test'),
  r('owner.test', 'MX', '10 mx.owner.test'),
  r('mx.owner.test', 'A', MX),
  r('_dmarc.owner.test', 'TXT', 'v=DMARC1; p=none; rua=mailto:dmarc@owner.test,mailto:reports@vendor.test!10m,mailto:x@unauthorised.test'),
  soa('vendor.test'),
  r('vendor.test', 'MX', '10 mx.vendor.test'),
  r('mx.vendor.test', 'A', EXTERNAL_MX),
  r('owner.test._report._dmarc.vendor.test', 'TXT', 'v=DMARC1'),
  soa('unauthorised.test'),
  r('unauthorised.test', 'MX', '10 mx.vendor.test'),
];

const policy: PublishedPolicy = { domain: 'owner.test', adkim: 'r', aspf: 'r', p: 'none', sp: 'none', pct: 100 };
const message = (over: Partial<JudgedMessage> = {}): JudgedMessage => ({
  sourceIp: '127.0.74.99',
  headerFrom: 'owner.test',
  envelopeFrom: 'rp.owner.test',
  envelopeTo: 'gmail.test',
  disposition: 'none',
  dkimAligned: true,
  spfAligned: true,
  dkim: [{ domain: 'owner.test', selector: 'postal-abc', result: 'pass' }],
  spf: { domain: 'rp.owner.test', scope: 'mfrom', result: 'pass' },
  ...over,
});

let ca: WorldCertificateAuthority;
let dns: DnsServer;
const received: Array<{ to: string[]; from: string; raw: Buffer; at: string }> = [];
const sinks: SMTPServer[] = [];

beforeAll(async () => {
  ca = await createCertificateAuthority();
  dns = new DnsServer({ address: DNS, records });
  await dns.start();
  for (const [address, name] of [
    [MX, 'mx.owner.test'],
    [EXTERNAL_MX, 'mx.vendor.test'],
  ] as const) {
    const cert = await ca.issue([name]);
    const sink = new SMTPServer({
      name,
      key: cert.privateKeyPem,
      cert: cert.certificatePem,
      authOptional: true,
      disabledCommands: ['AUTH'],
      logger: false,
      onData(stream, session, callback) {
        void readMessage(stream).then((raw) => {
          received.push({
            at: address,
            to: session.envelope.rcptTo.map((x) => x.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            raw,
          });
          callback();
        });
      },
    });
    await listenSmtp(sink, address, 25);
    sinks.push(sink);
  }
}, 30_000);

afterAll(async () => {
  await Promise.allSettled([...sinks.map((s) => closeSmtp(s)), dns?.stop()]);
});

/** A plain MTA relay for the test: the first MX's address, STARTTLS against the test CA. */
const relay: RelayMail = async (domain, envelope, raw, options) => {
  const [mx] = await options.resolver.resolveMx(domain);
  const [ip] = await options.resolver.resolve4(mx!.exchange);
  const transport = nodemailer.createTransport({
    host: ip,
    port: 25,
    name: options.helo,
    localAddress: options.localAddress,
    tls: { ca: [options.ca], servername: mx!.exchange },
    logger: false,
  });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return { accepted: true, response: info.response };
  } finally {
    transport.close();
  }
};

interface Feedback {
  version: number;
  report_metadata: { org_name: string };
  policy_published: Record<string, unknown>;
  record: Array<{ row: { policy_evaluated: unknown }; auth_results: { spf: unknown } }>;
}

const xmlOf = (bytes: Buffer): Feedback =>
  (new XMLParser({ isArray: (name) => name === 'record' }).parse(bytes.toString('utf8')) as { feedback: Feedback }).feedback;

describe('the DMARC reporter', () => {
  it('reads rua addresses without size limits and ignores other schemes', () => {
    expect(ruaAddresses('v=DMARC1; p=none; rua=mailto:A@x.test!10m, https://x.test/r ,mailto:b@y.test; ruf=mailto:f@x.test')).toEqual([
      'a@x.test',
      'b@y.test',
    ]);
    expect(ruaAddresses('v=DMARC1; p=none')).toEqual([]);
  });

  it('mails one Outlook-style gzip report per period to each authorised rua address, counting identical messages in one row', async () => {
    received.length = 0;
    const lines: string[] = [];
    const reporter = createDmarcReporter({
      relay,
      org: 'outlook.test',
      style: 'microsoft',
      localAddress: REPORTER,
      helo: 'mx.outlook.test',
      resolver: resolverFor(),
      ca: ca.certificatePem,
      periodMs: 300,
      onLog: (l) => lines.push(l),
    });
    reporter.record(policy, message());
    reporter.record(policy, message());
    reporter.record(
      policy,
      message({
        sourceIp: '127.0.74.66',
        dkimAligned: false,
        spfAligned: false,
        dkim: [],
        spf: { domain: 'spoofer.test', scope: 'mfrom', result: 'pass' },
        envelopeFrom: 'spoofer.test',
      }),
    );
    await eventually('two reports sent', () => Promise.resolve(reporter.sent().length >= 2 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(reporter.sent().map((s) => [s.rua, s.accepted])).toEqual([
      ['dmarc@owner.test', true],
      ['reports@vendor.test', true],
    ]);
    expect(lines.some((l) => l.includes('not reporting owner.test to x@unauthorised.test: unauthorised.test does not authorise it'))).toBe(
      true,
    );

    const mail = await simpleParser(received.find((m) => m.at === MX)!.raw);
    expect(mail.from?.text).toBe('dmarcreport@outlook.test');
    expect(mail.subject).toMatch(/^Report domain: owner\.test Submitter: outlook\.test Report-ID: \d+$/);
    expect(mail.attachments[0]!.filename).toMatch(/^outlook\.test!owner\.test!\d+!\d+\.xml\.gz$/);
    const feedback = xmlOf(gunzipSync(mail.attachments[0]!.content));
    expect(feedback.version).toBe(1);
    expect(feedback.report_metadata.org_name).toBe('outlook.test');
    expect(feedback.policy_published).toMatchObject({ domain: 'owner.test', p: 'none', adkim: 'r', pct: 100 });
    expect(feedback.record).toHaveLength(2);
    expect(feedback.record[0]!.row).toEqual({
      source_ip: '127.0.74.99',
      count: 2,
      policy_evaluated: { disposition: 'none', dkim: 'pass', spf: 'pass' },
    });
    expect(feedback.record[1]!.row.policy_evaluated).toEqual({ disposition: 'none', dkim: 'fail', spf: 'fail' });
    expect(feedback.record[1]!.auth_results.spf).toEqual({ domain: 'spoofer.test', scope: 'mfrom', result: 'pass' });
    await reporter.stop();
  });

  it("mails Google's zip, and sends what a fault adds in a message of its own", async () => {
    received.length = 0;
    const reporter = createDmarcReporter({
      relay,
      org: 'gmail.test',
      style: 'google',
      localAddress: REPORTER,
      helo: 'mx.gmail.test',
      resolver: resolverFor(),
      ca: ca.certificatePem,
      periodMs: 60_000,
    });
    reporter.addExtra(({ org }) =>
      Promise.resolve({
        policyDomain: 'owner.test',
        fileName: `${org}!broken.xml.gz`,
        contentType: 'application/gzip',
        bytes: Buffer.from('unused'),
      }),
    );
    reporter.record(policy, message());
    await reporter.flush();
    const toOwner = await Promise.all(received.filter((m) => m.at === MX).map((m) => simpleParser(m.raw)));
    expect(toOwner.map((m) => m.attachments[0]!.filename)).toEqual([
      expect.stringMatching(/^gmail\.test!owner\.test!\d+!\d+\.zip$/),
      'gmail.test!broken.xml.gz',
    ]);
    expect(toOwner[0]!.from?.text).toBe('noreply-dmarc-support@gmail.test');
    expect(toOwner[0]!.attachments[0]!.content.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(received.every((m) => m.from === 'noreply-dmarc-support@gmail.test')).toBe(true);
    await reporter.stop();
  });

  it('reports nothing without messages, and nothing after it stopped', async () => {
    received.length = 0;
    const reporter = createDmarcReporter({
      relay,
      org: 'gmail.test',
      style: 'google',
      localAddress: REPORTER,
      helo: 'mx.gmail.test',
      resolver: resolverFor(),
      ca: ca.certificatePem,
      periodMs: 50,
    });
    await reporter.flush();
    await reporter.stop();
    reporter.record(policy, message());
    await reporter.flush();
    expect(received).toEqual([]);
  });
});

function resolverFor() {
  const resolver = new dnsPromises.Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([DNS]);
  return resolver;
}
