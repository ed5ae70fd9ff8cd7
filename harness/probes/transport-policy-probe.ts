/**
 * The domain's published transport-security policies as a sending MTA finds them: the MTA-STS TXT record
 * and, when one is published, the policy file over HTTPS (the target's CA and resolver); the TLS-RPT record.
 */
import type { MtaStsInput } from '../checks/mta-sts-check.ts';
import type { DnsObservation } from '../checks/dns-observation.ts';
import { createDnsClient } from '../clients/dns-client.ts';
import type { ProbeContext } from './probe-context.ts';

export interface TransportPolicyProbe {
  mtaSts(): Promise<MtaStsInput>;
  tlsRpt(): Promise<DnsObservation>;
  /** CAA as a CA looks for it: at the host, then each parent up to the domain, until one has records. */
  caa(host: string): Promise<DnsObservation[]>;
}

export function transportPolicyProbe(context: ProbeContext): TransportPolicyProbe {
  const { target } = context;
  const dns = () => createDnsClient({ server: target.dns.primary.server, timeoutMs: target.timeouts.dnsMs });
  return {
    async mtaSts() {
      const domain = target.domain;
      const client = dns();
      const txt = await client.query(`_mta-sts.${domain}`, 'TXT');
      const mx = await client.query(domain, 'MX');
      const mxHosts = mx.answers.map((a) => a.split(/\s+/)[1]!).filter(Boolean);
      if (!txt.answers.some((a) => /^v=STSv1(;|\s|$)/i.test(a))) return { domain, txt, mxHosts };
      const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
      try {
        const answer = await context.http.request(url, { timeoutMs: target.timeouts.connectMs });
        return { domain, txt, mxHosts, policy: { url, status: answer.status, body: answer.body } };
      } catch (error) {
        return { domain, txt, mxHosts, policy: { url, error: (error as Error).message } };
      }
    },
    tlsRpt: () => dns().query(`_smtp._tls.${target.domain}`, 'TXT'),
    async caa(host) {
      const client = dns();
      const observations: DnsObservation[] = [];
      const labels = host.toLowerCase().split('.');
      for (let i = 0; i < labels.length - 1; i++) {
        const name = labels.slice(i).join('.');
        const observation = await client.query(name, 'CAA');
        observations.push(observation);
        if ((observation.status === 'ok' && observation.answers.length > 0) || name === target.domain.toLowerCase()) break;
      }
      return observations;
    },
  };
}
