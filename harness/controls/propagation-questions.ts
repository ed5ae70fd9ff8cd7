import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { DnsRecordType } from '../checks/dns-observation.ts';

/** Every record of the deployment whose propagation DNS-07 waits for, in the order the report lists them (the DKIM record at Postal's selector). */
export function propagationQuestions(
  deployment: Deployment,
  dkimSelector = deployment.dns.dkim.selector,
): Array<{ name: string; type: DnsRecordType }> {
  const { domain, dns } = deployment;
  return [
    { name: domain, type: 'MX' },
    { name: deployment.server.mailHost, type: 'A' },
    { name: domain, type: 'TXT' },
    { name: dns.spf.include, type: 'TXT' },
    { name: `${dkimSelector}._domainkey.${domain}`, type: 'TXT' },
    { name: `_dmarc.${domain}`, type: 'TXT' },
    { name: `${dns.returnPath.name}.${domain}`, type: 'CNAME' },
    { name: `${dns.track.name}.${domain}`, type: 'CNAME' },
  ];
}
