import { describe, expect, it } from 'vitest';
import { checkPostalRunning, type PostalRunningInput } from './postal-running-check.ts';

const good: PostalRunningInput = {
  smtpBanner: '220 mail.mailgoat.ai ESMTP Postal/KX3S8C',
  loginStatus: 200,
  loginBodySnippet: '<!DOCTYPE html><html><head><title>Postal</title>',
  version: '3.3.2',
  expectedVersion: '3.3.2',
};

describe('checkPostalRunning', () => {
  it('passes for Postal with the expected version', () => {
    const verdict = checkPostalRunning(good);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('Postal answers on SMTP and web, version 3.3.2');
  });

  it('passes with a note when the version is unknown', () => {
    const { version: _, ...rest } = good;
    const verdict = checkPostalRunning(rest);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toMatch(/version not reported/);
  });

  it('warns on a version mismatch', () => {
    const verdict = checkPostalRunning({ ...good, version: '3.3.6' });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe('Postal 3.3.6 is running, the deployment expects 3.3.2');
    expect(verdict.remediation).toMatch(/postal:3\.3\.2/);
  });

  it('fails when another MTA answers on 25, naming it', () => {
    const verdict = checkPostalRunning({ ...good, smtpBanner: '220 mail.mailgoat.ai ESMTP Postfix (Ubuntu)' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/which is Postfix/);
    expect(verdict.remediation).toMatch(/systemctl disable --now postfix/);
  });

  it('fails without a banner, or with a refusing one', () => {
    const { smtpBanner: _, ...rest } = good;
    expect(checkPostalRunning({ ...rest, smtpError: 'ECONNREFUSED' }).summary).toMatch(/no SMTP banner was read: ECONNREFUSED/);
    expect(checkPostalRunning({ ...good, smtpBanner: '554 mail.mailgoat.ai no service' }).outcome).toBe('fail');
  });

  it('fails when /login is not 200 or did not answer', () => {
    const broken = checkPostalRunning({ ...good, loginStatus: 502 });
    expect(broken.outcome).toBe('fail');
    expect(broken.summary).toBe('GET /login answered 502, not 200');
    expect(broken.remediation).toMatch(/logs web/);
    const { loginStatus: _, ...rest } = good;
    expect(checkPostalRunning({ ...rest, loginError: 'ETIMEDOUT' }).outcome).toBe('fail');
  });

  it('warns when /login is 200 but not Postal', () => {
    expect(checkPostalRunning({ ...good, loginBodySnippet: '<h1>Welcome to nginx!</h1>' }).outcome).toBe('warn');
  });
});
