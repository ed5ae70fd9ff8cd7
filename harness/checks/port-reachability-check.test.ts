import { describe, expect, it } from 'vitest';
import { checkPortReachability, type PortProbe } from './port-reachability-check.ts';

const open = (port: number, elapsedMs = 3): PortProbe => ({
  host: 'mail.mailgoat.ai',
  port,
  reachable: true,
  address: '91.98.35.3',
  elapsedMs,
});
const closed = (port: number, error: string): PortProbe => ({ host: 'mail.mailgoat.ai', port, reachable: false, error, elapsedMs: 5000 });

describe('checkPortReachability', () => {
  it('passes when 25 and 443 accept connections', () => {
    const verdict = checkPortReachability([open(25), open(443)]);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('mail.mailgoat.ai:25, mail.mailgoat.ai:443 reachable');
    expect(verdict.evidence).toHaveLength(2);
  });

  it('fails on a filtered port 25, naming host:port and the error, with firewall and provider advice', () => {
    const verdict = checkPortReachability([closed(25, 'ETIMEDOUT: connect timed out after 5000 ms'), open(443)]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('mail.mailgoat.ai:25 is not reachable: ETIMEDOUT: connect timed out after 5000 ms');
    expect(verdict.remediation).toMatch(/ufw allow 25\/tcp/);
    expect(verdict.remediation).toMatch(/Hetzner blocks it/);
  });

  it('fails on a refused port with advice to start the service', () => {
    const verdict = checkPortReachability([open(25), closed(443, 'ECONNREFUSED 91.98.35.3:443')]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/mail\.mailgoat\.ai:443 is not reachable: ECONNREFUSED/);
    expect(verdict.remediation).toMatch(/start the TLS proxy/);
  });

  it('fails when a required port was never probed, or nothing was', () => {
    expect(checkPortReachability([open(25)]).summary).toMatch(/port 443 .* was not probed/);
    const nothing = checkPortReachability([]);
    expect(nothing.outcome).toBe('fail');
    expect(nothing.observed).toBe('nothing probed');
  });

  it('warns on a slow connect', () => {
    const verdict = checkPortReachability([open(25, 4200), open(443)]);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(/took 4200 ms/);
  });

  it('fails a port that accepts TCP but never answers in its protocol (a black hole), and passes one that answered', () => {
    const silent: PortProbe = { ...open(25), answered: false, connectMs: 2, elapsedMs: 5002, error: 'no greeting within 5000 ms' };
    const verdict = checkPortReachability([silent, { ...open(443), answered: true }]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('mail.mailgoat.ai:25 accepted the TCP connection but said nothing: no greeting within 5000 ms');
    expect(verdict.remediation).toMatch(/swaks --server mail\.mailgoat\.ai --quit-after BANNER/);
    expect(verdict.observed).toMatch(/:25 open \(2 ms\), silent/);
    const tls = checkPortReachability([
      { ...open(25), answered: true },
      { ...open(443), answered: false, error: 'no answer to a TLS ClientHello within 5000 ms' },
    ]);
    expect(tls.remediation).toMatch(/openssl s_client -connect mail\.mailgoat\.ai:443/);
    // The slow-connect warning reads the connect, not the wait for the greeting.
    expect(checkPortReachability([{ ...open(25), answered: true, connectMs: 5, elapsedMs: 4000 }, open(443)]).outcome).toBe('pass');
  });
});
