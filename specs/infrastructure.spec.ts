/**
 * Infrastructure — "Postal running in Docker, all containers healthy" and
 * "13 agent email accounts created, each with an API key".
 */
import { afterAll, describe } from 'vitest';
import { checkApiCredentials } from '../harness/checks/api-credentials-check.ts';
import { checkPortReachability } from '../harness/checks/port-reachability-check.ts';
import { checkPostalRunning } from '../harness/checks/postal-running-check.ts';
import { checkRouting } from '../harness/checks/routing-check.ts';
import { checkServiceHealth, type ComposeServiceRow, type HealthEndpointProbe } from '../harness/checks/service-health-check.ts';
import { checkTlsCertificate } from '../harness/checks/tls-certificate-check.ts';
import { listInbox } from '../harness/clients/inbox-reader.ts';
import { keyFingerprint } from '../harness/clients/postal-api-client.ts';
import { readServiceList } from '../harness/clients/service-list.ts';
import { SmtpDialogue } from '../core/smtp/smtp-dialogue.ts';
import { probeTcp } from '../harness/clients/tcp-probe.ts';
import { probeTls } from '../harness/clients/tls-probe.ts';
import { control } from '../harness/controls/control.ts';
import { probeBody, probeSubject } from '../harness/controls/mail-probe.ts';
import { currentTarget } from '../harness/controls/run-context.ts';
import { NO_INBOX_READER } from '../harness/controls/skip-reasons.ts';
import { clientsFor, requirePostal } from '../harness/controls/target-clients.ts';
import { pollUntil } from '../core/poll.ts';

const clients = clientsFor(currentTarget());
afterAll(() => clients.close());

describe('Infrastructure', () => {
  control('INF-01', async ({ target }) => {
    const probes = [
      await probeTcp(target.mailHost, 25, clients.lookup, target.timeouts.connectMs),
      await probeTcp(target.webHost, 443, clients.lookup, target.timeouts.connectMs),
    ];
    return { verdicts: [checkPortReachability(probes)] };
  });

  control('INF-02', async ({ target, deployment }) => {
    let smtpBanner: string | undefined;
    let smtpError: string | undefined;
    try {
      const { dialogue, greeting } = await SmtpDialogue.open({ host: target.mailHost, port: 25, lookup: clients.lookup, timeoutMs: target.timeouts.connectMs });
      smtpBanner = greeting.text;
      dialogue.close();
    } catch (error) {
      smtpError = (error as Error).message;
    }
    let loginStatus: number | undefined;
    let loginBodySnippet: string | undefined;
    let loginError: string | undefined;
    const webUrl = target.postal?.webUrl ?? `https://${target.webHost}`;
    try {
      const login = await clients.http.request(`${webUrl}/login`);
      loginStatus = login.status;
      loginBodySnippet = login.body.slice(0, 200);
    } catch (error) {
      loginError = (error as Error).message;
    }
    return {
      verdicts: [checkPostalRunning({ smtpBanner, smtpError, loginStatus, loginBodySnippet, loginError, expectedVersion: deployment.postal.version })],
    };
  });

  control('INF-03', async ({ target, deployment }) => {
    if (!target.postal?.services && !target.postal?.healthUrls.length) {
      return { verdicts: [], skip: 'the target exposes neither a service list nor health endpoints: set POSTAL_SERVICES_COMMAND and/or POSTAL_HEALTH_URLS' };
    }
    const services: ComposeServiceRow[] = target.postal?.services
      ? await readServiceList(target.postal.services, clients.http, target.timeouts.connectMs)
      : [];
    const healthEndpoints: HealthEndpointProbe[] = [];
    for (const endpoint of target.postal?.healthUrls ?? []) {
      try {
        const response = await clients.http.request(endpoint.url);
        healthEndpoints.push({ name: endpoint.name, url: endpoint.url, status: response.status, body: response.body.slice(0, 100) });
      } catch (error) {
        healthEndpoints.push({ name: endpoint.name, url: endpoint.url, error: (error as Error).message });
      }
    }
    return { verdicts: [checkServiceHealth({ expectedServices: deployment.postal.services, services, healthEndpoints })] };
  });

  control('INF-04', async ({ target }) => {
    const tls = await probeTls({ host: target.webHost, port: 443, servername: target.webHost, ca: target.trustedCaPem, lookup: clients.lookup, timeoutMs: target.timeouts.connectMs });
    return {
      verdicts: [
        checkTlsCertificate({
          host: target.webHost,
          port: 443,
          authorized: tls.ok && tls.authorized,
          authorizationError: tls.error,
          subjectAltNames: tls.subjectAltNames,
          validTo: tls.validTo ?? new Date(0).toISOString(),
          now: new Date().toISOString(),
          protocol: tls.protocol,
          issuer: tls.issuer,
        }),
      ],
    };
  });

  control('INF-05', async ({ target, deployment, run }) => {
    const postal = requirePostal(clients);
    const sender = target.accounts[0];
    if (!target.inboxReader) return { verdicts: [], skip: NO_INBOX_READER };
    if (!sender) throw new Error('the target gives no agent API key');
    const unknownAddress = `nobody-${run.runToken}@${deployment.domain}`;
    const probes = [
      ...deployment.agents.map((a) => ({ to: a.address, expectedAgentId: a.id })),
      { to: unknownAddress, expectedAgentId: deployment.catchAll },
    ];
    const sendErrors = new Map<string, string>();
    for (const probe of probes) {
      const answer = await postal.call('send/message', sender.apiKey, {
        to: [probe.to],
        from: sender.address,
        subject: probeSubject(run.runToken, `INF-05 to ${probe.to}`),
        plain_body: probeBody(run.runToken, `routing probe to ${probe.to}`),
      });
      if (answer.status !== 'success') sendErrors.set(probe.to, `${answer.status}: ${String(answer.data.code ?? answer.data.message ?? '')}`);
    }
    const reader = target.inboxReader;
    const observe = async () => {
      const arrived = new Map<string, string[]>();
      for (const agent of deployment.agents) {
        const entries = await listInbox(reader, agent.id, run.runToken, clients.http, target.timeouts.connectMs).catch(() => []);
        for (const entry of entries) {
          const to = /INF-05 to (\S+)/.exec(entry.subject ?? '')?.[1];
          if (to) arrived.set(to, [...(arrived.get(to) ?? []), agent.id]);
        }
      }
      return arrived;
    };
    const polled = await pollUntil(observe, (arrived) => probes.every((p) => sendErrors.has(p.to) || arrived.get(p.to)?.includes(p.expectedAgentId)), {
      timeoutMs: target.timeouts.deliveryMs,
      intervalMs: 200,
    });
    const deliveries = probes.map((p) => ({
      sentTo: p.to,
      expectedAgentId: p.expectedAgentId,
      arrivedAt: polled.value.get(p.to) ?? [],
      error: sendErrors.get(p.to),
    }));
    return {
      verdicts: [checkRouting({ agents: deployment.agents.map((a) => ({ agentId: a.id, address: a.address })), catchAllAgentId: deployment.catchAll, deliveries })],
      facts: { waitedMs: polled.elapsedMs, routing: deliveries.map((d) => ({ address: d.sentTo, expectedAgentId: d.expectedAgentId, arrivedAt: d.arrivedAt, error: d.error })) },
    };
  });

  control('INF-06', async ({ target, deployment }) => {
    const postal = requirePostal(clients);
    const results = [];
    for (const account of target.accounts) {
      try {
        const answer = await postal.call('messages/message', account.apiKey, { id: 0 });
        const code = String(answer.data.code ?? '');
        results.push({
          agentId: account.agentId,
          keyFingerprint: keyFingerprint(account.apiKey),
          outcome: code === 'MessageNotFound' ? ('authenticated' as const) : ('invalid' as const),
          code: code || answer.status,
        });
      } catch (error) {
        results.push({ agentId: account.agentId, keyFingerprint: keyFingerprint(account.apiKey), outcome: 'error' as const, error: (error as Error).message });
      }
    }
    return {
      verdicts: [checkApiCredentials({ results, expectedAgentIds: deployment.agents.map((a) => a.id) })],
      facts: { keys: results.map((r) => ({ agentId: r.agentId, keyFingerprint: r.keyFingerprint, outcome: r.outcome })) },
    };
  });
});
