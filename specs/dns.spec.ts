/**
 * DNS & security — "DNS configured and verified: MX, A, SPF, DKIM, DMARC, PTR".
 * Each control asks the target's resolvers (protocol only) and hands the answers to a pure check.
 */
import { describe } from 'vitest';
import { checkA } from '../harness/checks/a-record-check.ts';
import { checkDkim } from '../harness/checks/dkim-check.ts';
import { checkDmarc } from '../harness/checks/dmarc-check.ts';
import type { DnsObservation, DnsRecordType } from '../harness/checks/dns-observation.ts';
import { checkMx } from '../harness/checks/mx-check.ts';
import { checkPtr } from '../harness/checks/ptr-check.ts';
import { checkResolverAgreement } from '../harness/checks/resolver-agreement-check.ts';
import { checkSpf } from '../harness/checks/spf-check.ts';
import { createDnsClient, type DnsClient } from '../harness/clients/dns-client.ts';
import { gatherSpf } from '../harness/clients/spf-gatherer.ts';
import { control } from '../harness/controls/control.ts';
import { pollUntil } from '../core/poll.ts';
import type { ResolverEndpoint, TargetDescriptor } from '../harness/targets/target.ts';

const clientFor = (endpoint: ResolverEndpoint, target: TargetDescriptor): DnsClient =>
  createDnsClient({ server: endpoint.server, timeoutMs: target.timeouts.dnsMs });

describe('DNS records', () => {
  control('DNS-01', async ({ target, deployment }) => {
    const observation = await clientFor(target.dns.primary, target).query(deployment.domain, 'MX');
    return { verdicts: [checkMx({ domain: deployment.domain, observation, expected: deployment.dns.mx })] };
  });

  control('DNS-02', async ({ target, deployment }) => {
    const dns = clientFor(target.dns.primary, target);
    const hosts = [...new Set([deployment.server.mailHost, deployment.server.webHost])];
    const verdicts = [];
    for (const host of hosts) {
      verdicts.push(checkA({ host, observation: await dns.query(host, 'A'), expectedIp: target.serverIp, remediationIp: target.publicServerIp }));
    }
    return { verdicts };
  });

  control('DNS-03', async ({ target, deployment }) => {
    const snapshot = await gatherSpf({ domain: deployment.domain, ip: target.serverIp, client: clientFor(target.dns.primary, target) });
    return {
      verdicts: [
        await checkSpf({
          domain: deployment.domain,
          snapshot,
          ip: target.serverIp,
          helo: deployment.server.mailHost,
          expectedInclude: deployment.dns.spf.include,
          remediationIp: target.publicServerIp,
        }),
      ],
    };
  });

  control('DNS-04', async ({ target, deployment }) => {
    const { selector } = deployment.dns.dkim;
    const observation = await clientFor(target.dns.primary, target).query(`${selector}._domainkey.${deployment.domain}`, 'TXT');
    return { verdicts: [checkDkim({ domain: deployment.domain, selector, observation })] };
  });

  control('DNS-05', async ({ target, deployment }) => {
    const observation = await clientFor(target.dns.primary, target).query(`_dmarc.${deployment.domain}`, 'TXT');
    return { verdicts: [checkDmarc({ domain: deployment.domain, observation, expected: deployment.dns.dmarc })] };
  });

  control('DNS-06', async ({ target, deployment }) => {
    const ptrObservation = await clientFor(target.dns.reverse, target).reverse(target.serverIp);
    const forward = clientFor(target.dns.primary, target);
    const forwardObservations: DnsObservation[] = [];
    for (const name of ptrObservation.answers) forwardObservations.push(await forward.query(name, 'A'));
    return {
      verdicts: [
        checkPtr({
          ip: target.serverIp,
          ptrObservation,
          forwardObservations,
          expectedHost: deployment.dns.ptr,
          heloHost: deployment.server.mailHost,
          remediationIp: target.publicServerIp,
        }),
      ],
    };
  });

  control('DNS-07', async ({ target, deployment }) => {
    const { domain, dns } = deployment;
    const questions: { name: string; type: DnsRecordType }[] = [
      { name: domain, type: 'MX' },
      { name: deployment.server.mailHost, type: 'A' },
      { name: domain, type: 'TXT' },
      { name: dns.spf.include, type: 'TXT' },
      { name: `${dns.dkim.selector}._domainkey.${domain}`, type: 'TXT' },
      { name: `_dmarc.${domain}`, type: 'TXT' },
      { name: `${dns.returnPath.name}.${domain}`, type: 'CNAME' },
      { name: `${dns.track.name}.${domain}`, type: 'CNAME' },
    ];
    const clients = target.dns.resolvers.map((endpoint) => clientFor(endpoint, target));
    const observeAll = async () => {
      const observations: DnsObservation[] = [];
      for (const client of clients) for (const q of questions) observations.push(await client.query(q.name, q.type));
      return checkResolverAgreement({ questions, observations });
    };
    // Propagation is eventual: ask again until the resolvers agree or the target's deadline passes.
    const polled = await pollUntil(observeAll, (verdict) => verdict.outcome === 'pass', { timeoutMs: target.timeouts.propagationMs, intervalMs: 250 });
    return {
      verdicts: [polled.value],
      facts: { resolvers: target.dns.resolvers.map((r) => r.label), attempts: polled.attempts, elapsedMs: polled.elapsedMs },
    };
  });
});
