import { describe, expect, it } from 'vitest';
import type { DnsObservation } from './dns-observation.ts';
import { checkTlsRpt } from './tls-rpt-check.ts';

const txt = (answers: string[], status: DnsObservation['status'] = answers.length ? 'ok' : 'nxdomain'): DnsObservation => ({
  name: '_smtp._tls.mailgoat.ai',
  type: 'TXT',
  resolver: 'ns1',
  status,
  answers,
});
const run = (answers: string[]) => checkTlsRpt({ domain: 'mailgoat.ai', txt: txt(answers) });

describe('checkTlsRpt', () => {
  it('passes one record with mailto: or https: report addresses', () => {
    expect(run(['v=TLSRPTv1; rua=mailto:tls@mailgoat.ai']).outcome).toBe('pass');
    expect(run(['v=TLSRPTv1;rua=mailto:a@mailgoat.ai,https://reports.example/tls']).outcome).toBe('pass');
  });

  it('warns when none is published, with the record to publish', () => {
    const verdict = run([]);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.remediation).toBe('Publish TXT _smtp._tls.mailgoat.ai "v=TLSRPTv1; rua=mailto:tls-reports@mailgoat.ai"');
    expect(checkTlsRpt({ domain: 'mailgoat.ai', txt: { ...txt([]), status: 'error', error: 'timeout' } }).summary).toMatch(
      /could not be read: timeout/,
    );
  });

  it('fails a record senders cannot use', () => {
    expect(run(['v=TLSRPTv1; rua=tls@mailgoat.ai']).summary).toBe(
      'the TLS-RPT record "v=TLSRPTv1; rua=tls@mailgoat.ai" at _smtp._tls.mailgoat.ai has a rua that is neither mailto: nor https: (tls@mailgoat.ai): senders cannot send reports',
    );
    expect(run(['v=TLSRPTv1;']).summary).toMatch(/has no rua=/);
    expect(run(['v=TLSRPTv1 rua=mailto:a@b.example']).summary).toMatch(/must start exactly "v=TLSRPTv1;"/);
    expect(run(['v=TLSRPTv1; rua=mailto:a@b.example', 'v=TLSRPTv1; rua=mailto:c@b.example']).summary).toMatch(/^2 TLS-RPT records/);
  });
});
