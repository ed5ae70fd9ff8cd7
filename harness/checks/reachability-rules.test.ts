// Port reachability and resolver agreement: exact findings, fixes, evidence and boundaries.
import { describe, expect, it } from 'vitest';
import { errorObs, nxObs, okObs } from './fake-observations.ts';
import { checkPortReachability, type PortProbe } from './port-reachability-check.ts';
import { checkResolverAgreement } from './resolver-agreement-check.ts';

describe('checkPortReachability', () => {
  const open = (port: number, over: Partial<PortProbe> = {}): PortProbe => ({
    host: 'mail.mailgoat.ai',
    port,
    reachable: true,
    elapsedMs: 12.4,
    ...over,
  });
  const closed = (port: number, error?: string) => open(port, { reachable: false, ...(error ? { error } : {}) });
  const HETZNER =
    ' Also ask the provider about port 25: Hetzner blocks it (and 465) on new accounts until you request an unblock (granted once the first invoice is paid), which stops outgoing mail even when inbound works.';

  it('passes with exact texts and evidence', () => {
    expect(checkPortReachability([open(25, { address: '91.98.35.3' }), open(443)])).toEqual({
      outcome: 'pass',
      summary: 'mail.mailgoat.ai:25, mail.mailgoat.ai:443 reachable',
      expected: '25/tcp open, 443/tcp open',
      observed: 'mail.mailgoat.ai:25 open (12 ms), mail.mailgoat.ai:443 open (12 ms)',
      evidence: [
        {
          label: 'tcp mail.mailgoat.ai:25',
          detail: { host: 'mail.mailgoat.ai', port: 25, reachable: true, elapsedMs: 12.4, address: '91.98.35.3' },
        },
        { label: 'tcp mail.mailgoat.ai:443', detail: { host: 'mail.mailgoat.ai', port: 443, reachable: true, elapsedMs: 12.4 } },
      ],
    });
  });

  it('fails a required port nobody probed, naming its service', () => {
    const verdict = checkPortReachability([open(443)]);
    expect(verdict.summary).toBe('port 25 (SMTP (Postal smtp-server)) was not probed');
    expect(verdict.remediation).toBe('Probe port 25 of the server and check again');
    expect(checkPortReachability([], { requiredPorts: [443, 80, 587, 8080] }).summary).toBe(
      'port 443 (HTTPS (the TLS proxy in front of Postal web)) was not probed; port 80 (HTTP) was not probed; port 587 (submission) was not probed; port 8080 (required) was not probed',
    );
    expect(checkPortReachability([], { requiredPorts: [] })).toMatchObject({ outcome: 'pass', observed: 'nothing probed', expected: '' });
  });

  it('tells a refused port from a filtered one and an unknown host, per service', () => {
    const refused25 = checkPortReachability([closed(25, 'connect ECONNREFUSED'), open(443)]);
    expect(refused25.summary).toBe('mail.mailgoat.ai:25 is not reachable: connect ECONNREFUSED');
    expect(refused25.remediation).toBe(
      'Nothing accepts connections on mail.mailgoat.ai:25: start the Postal smtp container (`docker compose -p postal ps`, `postal start`) and make sure it listens on 0.0.0.0, not 127.0.0.1.',
    );
    expect(checkPortReachability([open(25), closed(443, 'econnrefused')]).remediation).toBe(
      'Nothing accepts connections on mail.mailgoat.ai:443: start the TLS proxy (Caddy) in front of Postal web (`docker compose -p postal ps`, `postal start`) and make sure it listens on 0.0.0.0, not 127.0.0.1.',
    );
    expect(checkPortReachability([closed(80, 'ECONNREFUSED')], { requiredPorts: [] }).remediation).toMatch(
      /^Nothing accepts connections on mail\.mailgoat\.ai:80: start the service /,
    );
    for (const error of ['getaddrinfo ENOTFOUND mail.mailgoat.ai', 'EAI_AGAIN']) {
      expect(checkPortReachability([closed(443, error)], { requiredPorts: [] }).remediation).toBe(
        'mail.mailgoat.ai does not resolve: publish its A record (see DNS-02), then re-run.',
      );
    }
    const filtered = checkPortReachability([closed(25, 'ETIMEDOUT')], { requiredPorts: [] });
    expect(filtered.remediation).toBe(
      `mail.mailgoat.ai:25 does not answer: open it in the host firewall (\`ufw allow 25/tcp\`, then \`ufw status\`) and in the provider's cloud firewall, if one is attached.${HETZNER}`,
    );
    const silent = checkPortReachability([closed(443)], { requiredPorts: [] });
    expect(silent.summary).toBe('mail.mailgoat.ai:443 is not reachable: no connection');
    expect(silent.remediation).toBe(
      "mail.mailgoat.ai:443 does not answer: open it in the host firewall (`ufw allow 443/tcp`, then `ufw status`) and in the provider's cloud firewall, if one is attached.",
    );
    expect(silent.observed).toBe('mail.mailgoat.ai:443 closed: no connection');
    expect(silent.evidence[0]?.detail).toEqual({ host: 'mail.mailgoat.ai', port: 443, reachable: false, elapsedMs: 12.4 });
  });

  it('warns on a connect slower than the limit, not at it', () => {
    const verdict = checkPortReachability([open(25, { elapsedMs: 3000.4 }), open(443, { elapsedMs: 3000.6 })]);
    expect(verdict.summary).toBe(
      'mail.mailgoat.ai:25 took 3000 ms to accept a connection (over 3000 ms); mail.mailgoat.ai:443 took 3001 ms to accept a connection (over 3000 ms)',
    );
    expect(verdict.remediation).toBe('Check the path to mail.mailgoat.ai (packet loss, connection rate limits such as `ufw limit`)');
    expect(checkPortReachability([open(25, { elapsedMs: 3000 }), open(443)]).outcome).toBe('pass');
    expect(checkPortReachability([open(25, { elapsedMs: 51 })], { requiredPorts: [25], slowMs: 50 }).outcome).toBe('warn');
  });
});

describe('checkResolverAgreement', () => {
  const q = [{ name: 'MailGoat.ai.', type: 'MX' as const }];
  const mx = (resolver: string, answers: string[]) => okObs('MX', 'mailgoat.ai', answers, resolver);

  it('passes with exact texts and evidence, the last answer of a resolver winning', () => {
    const verdict = checkResolverAgreement({
      questions: q,
      observations: [mx('r1', ['20 b', '10 a']), mx('r2', ['x']), mx('r2', ['10 a', '20 b']), okObs('A', 'mailgoat.ai', ['1.2.3.4'], 'r3')],
    });
    expect(verdict).toEqual({
      outcome: 'pass',
      summary: '1 question(s), 2 resolver(s): all agree',
      expected: 'every resolver gives the same answers to MX mailgoat.ai',
      observed: '2 resolver(s): r1, r2',
      evidence: [{ label: 'MX mailgoat.ai by resolver', detail: { r1: ['10 a', '20 b'], r2: ['10 a', '20 b'] } }],
    });
  });

  it('fails a question nobody answered', () => {
    const verdict = checkResolverAgreement({ questions: q, observations: [] });
    expect(verdict.summary).toBe("MX mailgoat.ai: no resolver's answer was observed");
    expect(verdict.remediation).toBe('Ask every resolver MX mailgoat.ai, then re-run');
  });

  it('fails a resolver error with the exact fix, and does not count it as a disagreement', () => {
    const verdict = checkResolverAgreement({
      questions: q,
      observations: [mx('r1', ['10 a']), errorObs('MX', 'mailgoat.ai', 'EREFUSED', 'r2'), mx('r3', ['10 a'])],
    });
    expect(verdict.summary).toBe('MX mailgoat.ai: resolver r2 failed (EREFUSED: no answer for MX mailgoat.ai from DNS server r2)');
    expect(verdict.remediation).toBe('Make r2 answer MX mailgoat.ai (is it reachable? does it reach the authoritative servers?)');
    expect(verdict.evidence[0]?.detail).toEqual({
      r1: ['10 a'],
      r2: 'error: EREFUSED: no answer for MX mailgoat.ai from DNS server r2',
      r3: ['10 a'],
    });
    const bare = checkResolverAgreement({
      questions: q,
      observations: [{ name: 'mailgoat.ai', type: 'MX', resolver: 'r1', status: 'error', answers: [] }],
    });
    expect(bare.summary).toBe('MX mailgoat.ai: resolver r1 failed (query failed)');
  });

  it('fails a disagreement, grouping resolvers by answer', () => {
    const verdict = checkResolverAgreement({
      questions: q,
      observations: [mx('r1', ['10 a']), mx('r2', ['10 b']), mx('r3', ['10 a']), nxObs('MX', 'mailgoat.ai', 'r4')],
    });
    expect(verdict.summary).toBe('MX mailgoat.ai: resolvers disagree — r1, r3 say [10 a]; r2 say [10 b]; r4 say NXDOMAIN');
    expect(verdict.remediation).toBe(
      "Make every authoritative nameserver serve the same MX mailgoat.ai; resolvers still giving the old answer pick up the new one after the record's TTL (re-run then)",
    );
    expect(verdict.evidence[0]?.detail).toEqual({ r1: ['10 a'], r2: ['10 b'], r3: ['10 a'], r4: 'NXDOMAIN' });
  });

  it('judges each question on its own', () => {
    const verdict = checkResolverAgreement({
      questions: [...q, { name: 'mailgoat.ai', type: 'TXT' }],
      observations: [
        mx('r1', ['10 a']),
        mx('r2', ['10 a']),
        okObs('TXT', 'mailgoat.ai', ['x'], 'r1'),
        okObs('TXT', 'mailgoat.ai', ['y'], 'r2'),
      ],
    });
    expect(verdict.summary).toBe('TXT mailgoat.ai: resolvers disagree — r1 say [x]; r2 say [y]');
    expect(verdict.expected).toBe('every resolver gives the same answers to MX mailgoat.ai, TXT mailgoat.ai');
  });
});
