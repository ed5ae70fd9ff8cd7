/**
 * DNS & security — "DNS configured and verified: MX, A, SPF, DKIM, DMARC, PTR".
 * Each control asks the target's resolvers (protocol only) and hands the answers to a pure check.
 */
import { describe } from 'vitest';
import { pollUntil } from '../core/poll.ts';
import { checkA } from '../harness/checks/a-record-check.ts';
import { checkDkim } from '../harness/checks/dkim-check.ts';
import { checkDmarc } from '../harness/checks/dmarc-check.ts';
import { checkMx } from '../harness/checks/mx-check.ts';
import { checkPtr } from '../harness/checks/ptr-check.ts';
import { checkResolverAgreement } from '../harness/checks/resolver-agreement-check.ts';
import { checkSpf } from '../harness/checks/spf-check.ts';
import { checkBlocklists } from '../harness/checks/blocklist-check.ts';
import { checkRuaAddresses, ruaAddressesOf } from '../harness/checks/rua-check.ts';
import { checkMtaSts } from '../harness/checks/mta-sts-check.ts';
import { checkTlsRpt } from '../harness/checks/tls-rpt-check.ts';
import { checkCaa } from '../harness/checks/caa-check.ts';
import { checkDnssec } from '../harness/checks/dnssec-check.ts';
import { checkDane } from '../harness/checks/dane-check.ts';
import { control } from '../harness/runner/control.ts';
import { propagationQuestions } from '../harness/controls/propagation-questions.ts';
import { postalSelectorOf } from '../harness/targets/postal-selector.ts';

describe('DNS records', () => {
  control('DNS-01', async ({ probes, deployment }) => ({
    verdicts: [
      checkMx({ domain: deployment.domain, observation: await probes.dns.query(deployment.domain, 'MX'), expected: deployment.dns.mx }),
    ],
  }));

  control('DNS-02', async ({ probes, deployment, target }) => {
    const verdicts = [];
    for (const host of new Set([deployment.server.mailHost, deployment.server.webHost])) {
      verdicts.push(
        checkA({ host, observation: await probes.dns.query(host, 'A'), expectedIp: target.serverIp, remediationIp: target.publicServerIp }),
      );
    }
    return { verdicts };
  });

  control('DNS-03', async ({ probes, deployment, target }) => {
    const snapshot = await probes.dns.spfSnapshot(deployment.domain, target.serverIp);
    const input = {
      domain: deployment.domain,
      snapshot,
      ip: target.serverIp,
      helo: deployment.server.mailHost,
      expectedInclude: deployment.dns.spf.include,
    };
    return { verdicts: [await checkSpf({ ...input, remediationIp: target.publicServerIp })] };
  });

  control('DNS-04', async ({ probes, deployment, target }) => {
    // Postal's own selector when provisioning read it back; the record at the fixture's selector proves nothing.
    const { selector, source } = postalSelectorOf(target, deployment);
    const observation = await probes.dns.query(`${selector}._domainkey.${deployment.domain}`, 'TXT');
    const postal = { dkimIdentifier: deployment.postal.dkimIdentifier, record: target.postal?.dkimRecord };
    return {
      verdicts: [checkDkim({ domain: deployment.domain, selector, observation, postal })],
      facts: { selector, selectorSource: source },
    };
  });

  control('DNS-05', async ({ probes, deployment }) => ({
    verdicts: [
      checkDmarc({
        domain: deployment.domain,
        observation: await probes.dns.query(`_dmarc.${deployment.domain}`, 'TXT'),
        expected: deployment.dns.dmarc,
      }),
    ],
  }));

  control('DNS-06', async ({ probes, deployment, target }) => {
    const { ptr, forward } = await probes.dns.reverseAndForward(target.serverIp);
    const input = {
      ip: target.serverIp,
      ptrObservation: ptr,
      forwardObservations: forward,
      expectedHost: deployment.dns.ptr,
      heloHost: deployment.server.mailHost,
    };
    return { verdicts: [checkPtr({ ...input, remediationIp: target.publicServerIp })] };
  });

  control('DNS-07', async ({ probes, deployment, target }) => {
    const questions = propagationQuestions(deployment, postalSelectorOf(target, deployment).selector);
    // Propagation is eventual: ask again until the resolvers agree or the target's deadline passes.
    const polled = await pollUntil(
      async () => checkResolverAgreement({ questions, observations: await probes.dns.askEveryResolver(questions) }),
      (verdict) => verdict.outcome === 'pass',
      { timeoutMs: target.timeouts.propagationMs, intervalMs: 250 },
    );
    return {
      verdicts: [polled.value],
      facts: { resolvers: probes.dns.resolverLabels(), attempts: polled.attempts, elapsedMs: polled.elapsedMs },
    };
  });

  control('DNS-09', async ({ probes, deployment }) => {
    const observation = await probes.dns.query(`_dmarc.${deployment.domain}`, 'TXT');
    const record = observation.answers.find((a) => /^v=DMARC1/i.test(a.trim()));
    const answers = [];
    for (const address of ruaAddressesOf(record)) answers.push(await probes.dmarc.acceptsMail(address));
    return { verdicts: [checkRuaAddresses({ domain: deployment.domain, mailHost: deployment.server.mailHost, record, answers })] };
  });

  control('DNS-08', async ({ probes, deployment, target }) => {
    const lookups = await probes.blocklists.lookups({ ip: target.serverIp, domain: deployment.domain });
    return { verdicts: [checkBlocklists({ lookups, resolver: probes.blocklists.resolver })] };
  });

  control('DNS-10', async ({ probes }) => ({ verdicts: [checkMtaSts(await probes.transport.mtaSts())] }));

  control('DNS-11', async ({ probes, target }) => ({
    verdicts: [checkTlsRpt({ domain: target.domain, txt: await probes.transport.tlsRpt() })],
  }));

  control('DNS-12', async ({ probes, target }) => ({
    verdicts: [checkCaa({ host: target.webHost, observations: await probes.transport.caa(target.webHost) })],
  }));

  control('DNS-13', async ({ probes, deployment }) => {
    const domain = deployment.domain;
    const questions = [
      { name: domain, type: 'MX', purpose: 'MX' },
      { name: domain, type: 'TXT', purpose: 'SPF' },
      { name: `_dmarc.${domain}`, type: 'TXT', purpose: 'DMARC' },
      { name: `${deployment.dns.dkim.selector}._domainkey.${domain}`, type: 'TXT', purpose: 'DKIM' },
      { name: deployment.server.mailHost, type: 'A', purpose: 'mail host A' },
    ];
    return { verdicts: [checkDnssec(await probes.dnssec.observe(questions))] };
  });

  control('DNS-14', async ({ probes, target }) => {
    const mxHost = target.mailHost;
    const tlsa = await probes.dane.tlsa(mxHost);
    const signed = (await probes.dnssec.observe([])).ds.keyTags.length > 0;
    // A mail host that does not answer is INF-01's finding; here it only means no certificate was seen.
    const { handshake } = await probes.smtp
      .startTls()
      .catch((error: Error) => ({ handshake: { ok: false as const, error: error.message } }));
    const presented =
      handshake?.ok && handshake.chainDer?.length
        ? { chainDer: handshake.chainDer }
        : { error: handshake?.error ?? 'STARTTLS is not offered (SEC-03)' };
    return { verdicts: [checkDane({ mxHost, tlsa, signed, presented })] };
  });
});
