import { describe, expect, it } from 'vitest';
import { checkPostalRunning, type PostalRunningInput } from './postal-running-check.ts';

const good: PostalRunningInput = {
  smtpBanner: '220 mail.mailgoat.ai ESMTP Postal/KX3S8C',
  loginStatus: 200,
  loginBodySnippet: '<!DOCTYPE html><html><head><title>Postal</title>',
  version: '3.3.2',
  expectedVersion: '3.3.2',
};
const { smtpBanner: _banner, ...noBanner } = good;
const { loginStatus: _status, ...noLogin } = good;
const { version: _version, ...noVersion } = good;

describe('checkPostalRunning', () => {
  it('passes for Postal with the expected version, with its evidence', () => {
    expect(
      checkPostalRunning({
        ...good,
        smtpBanner: ' 220 mail.mailgoat.ai ESMTP Postal/KX3S8C\r\n',
        version: 'v3.3.2',
        expectedVersion: ' v3.3.2 ',
      }),
    ).toEqual({
      outcome: 'pass',
      summary: 'Postal answers on SMTP and web, version 3.3.2',
      expected: 'banner "220 <host> ESMTP Postal/…", /login 200, version 3.3.2',
      observed: 'banner "220 mail.mailgoat.ai ESMTP Postal/KX3S8C", /login 200, version 3.3.2',
      evidence: [
        { label: 'smtp banner', detail: { banner: '220 mail.mailgoat.ai ESMTP Postal/KX3S8C' } },
        { label: 'GET /login', detail: { status: 200, bodySnippet: '<!DOCTYPE html><html><head><title>Postal</title>' } },
        { label: 'version', detail: { running: '3.3.2', expected: '3.3.2' } },
      ],
    });
  });

  it('accepts a multi-line greeting and a /login page without a snippet', () => {
    const { loginBodySnippet: _, ...rest } = good;
    expect(checkPostalRunning({ ...rest, smtpBanner: '220-mail.mailgoat.ai ESMTP Postal/KX3S8C' }).outcome).toBe('pass');
  });

  it('passes with a note when the version is unknown or empty', () => {
    for (const input of [noVersion, { ...good, version: '  ' }]) {
      const verdict = checkPostalRunning(input);
      expect(verdict.outcome).toBe('pass');
      expect(verdict.summary).toBe('Postal answers on SMTP and web (version not reported by this target)');
    }
    expect(checkPostalRunning(noVersion).observed).toBe('banner "220 mail.mailgoat.ai ESMTP Postal/KX3S8C", /login 200, version unknown');
    expect(checkPostalRunning(noVersion).evidence[2]).toEqual({ label: 'version', detail: { running: 'unknown', expected: '3.3.2' } });
  });

  it('warns on a version mismatch, with the exact pin to make', () => {
    const verdict = checkPostalRunning({ ...good, version: '3.3.6' });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe('Postal 3.3.6 is running, the deployment expects 3.3.2');
    expect(verdict.remediation).toBe(
      'Pin the image to ghcr.io/postalserver/postal:3.3.2 in the compose file and run `postal upgrade`, or update the deployment file',
    );
  });

  it('fails when another MTA answers on 25, naming it', () => {
    const names: Array<[string, string]> = [
      ['ESMTP Postfix (Ubuntu)', 'Postfix'],
      ['ESMTP Exim 4.96', 'Exim'],
      ['ESMTP Sendmail 8.17', 'Sendmail'],
      ['Microsoft ESMTP MAIL Service', 'Exchange'],
      ['ESMTP Exchange', 'Exchange'],
      ['ESMTP Haraka/3.0', 'Haraka'],
    ];
    for (const [greeting, name] of names) {
      const verdict = checkPostalRunning({ ...good, smtpBanner: `220 mail.mailgoat.ai ${greeting}` });
      expect(verdict.outcome).toBe('fail');
      expect(verdict.summary).toBe(`port 25 answers "220 mail.mailgoat.ai ${greeting}", which is ${name}: another MTA holds the port`);
      expect(verdict.remediation).toBe(
        `Stop and disable ${name} on the host (\`systemctl disable --now ${name.toLowerCase()}\`) so Postal's smtp process can bind port 25, then restart Postal`,
      );
    }
  });

  it('fails an unknown greeting, and one that only starts like Postal', () => {
    for (const banner of ['220 mail.mailgoat.ai ESMTP ready', '220 mail.mailgoat.ai ESMTP Postally']) {
      const verdict = checkPostalRunning({ ...good, smtpBanner: banner });
      expect(verdict.summary).toBe(`port 25 answers "${banner}", which is not Postal: another MTA holds the port`);
      expect(verdict.remediation).toBe(
        "Make sure port 25 is served by Postal's smtp process (no other MTA or proxy in front of it), then restart Postal",
      );
    }
  });

  it('fails without a banner, or with a refusing one', () => {
    const none = checkPostalRunning({ ...noBanner, smtpError: 'ECONNREFUSED' });
    expect(none.summary).toBe('no SMTP banner was read: ECONNREFUSED');
    expect(none.remediation).toBe(
      'Start the Postal smtp process (`postal start`, `docker compose -p postal ps` should show smtp running) and check INF-01',
    );
    expect(none.observed).toBe('banner none, /login 200, version 3.3.2');
    expect(none.evidence[0]).toEqual({ label: 'smtp banner', detail: { banner: null, error: 'ECONNREFUSED' } });
    expect(checkPostalRunning({ ...good, smtpBanner: '   ' }).summary).toBe('no SMTP banner was read');
    for (const banner of ['554 mail.mailgoat.ai no service', '2200 ESMTP Postal', '220ESMTP Postal']) {
      const refusing = checkPostalRunning({ ...good, smtpBanner: banner });
      expect(refusing.summary).toBe(`the SMTP server greets with "${banner}" instead of 220: it refuses connections`);
      expect(refusing.remediation).toBe('Read the smtp container logs (`docker compose -p postal logs smtp`)');
    }
  });

  it('fails when /login is not 200, telling a failing app from a wrong proxy', () => {
    const broken = checkPostalRunning({ ...good, loginStatus: 500 });
    expect(broken.outcome).toBe('fail');
    expect(broken.summary).toBe('GET /login answered 500, not 200');
    expect(broken.remediation).toBe(
      'Postal web is failing: read `docker compose -p postal logs web` (database unreachable, missing rails.secret_key, migrations not run: `postal upgrade`)',
    );
    const proxied = checkPostalRunning({ ...good, loginStatus: 499 });
    expect(proxied.summary).toBe('GET /login answered 499, not 200');
    expect(proxied.remediation).toBe(
      'Point the proxy for the web host at Postal web (127.0.0.1:5000 by default) and make sure /login is not blocked',
    );
  });

  it('fails when /login did not answer', () => {
    const verdict = checkPostalRunning({ ...noLogin, loginError: 'ETIMEDOUT' });
    expect(verdict.summary).toBe('the web UI did not answer /login: ETIMEDOUT');
    expect(verdict.remediation).toBe('Start Postal web (`postal start`) and the TLS proxy in front of it, and check INF-01 and INF-04');
    expect(verdict.observed).toBe('banner "220 mail.mailgoat.ai ESMTP Postal/KX3S8C", /login no answer, version 3.3.2');
    expect(verdict.evidence[1]).toEqual({
      label: 'GET /login',
      detail: { status: null, bodySnippet: good.loginBodySnippet, error: 'ETIMEDOUT' },
    });
    expect(checkPostalRunning(noLogin).summary).toBe('the web UI did not answer /login');
  });

  it('warns when /login is 200 but not Postal, and quotes at most 300 characters of it', () => {
    const verdict = checkPostalRunning({ ...good, loginBodySnippet: `<h1>Welcome to nginx!</h1>${'x'.repeat(400)}` });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe("/login answered 200 but the page does not look like Postal's");
    expect(verdict.remediation).toBe('Check that the web host is proxied to Postal web and not to another site');
    expect(verdict.evidence[1]).toEqual({
      label: 'GET /login',
      detail: { status: 200, bodySnippet: `<h1>Welcome to nginx!</h1>${'x'.repeat(274)}` },
    });
    expect(checkPostalRunning({ ...good, loginBodySnippet: '<title>POSTAL</title>' }).outcome).toBe('pass');
  });
  it('reads a version with a "v" inside it as given, and a 220 only at the start of the banner', () => {
    expect(checkPostalRunning({ ...good, version: 'dev-3.3.2' }).summary).toBe('Postal dev-3.3.2 is running, the deployment expects 3.3.2');
    expect(checkPostalRunning({ ...good, expectedVersion: 'dev-3.3.2' }).summary).toBe(
      'Postal 3.3.2 is running, the deployment expects dev-3.3.2',
    );
    expect(checkPostalRunning({ ...good, smtpBanner: '554 no 220 ESMTP Postal/x' }).summary).toBe(
      'the SMTP server greets with "554 no 220 ESMTP Postal/x" instead of 220: it refuses connections',
    );
  });
});
