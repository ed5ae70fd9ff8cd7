/**
 * Infrastructure — "Postal running in Docker, all containers healthy" and
 * "13 agent email accounts created, each with an API key".
 */
import { describe } from 'vitest';
import { checkApiCredentials } from '../harness/checks/api-credentials-check.ts';
import { classifyKeyAnswer } from '../harness/checks/key-answer.ts';
import { checkKeyScope } from '../harness/checks/key-scope-check.ts';
import { checkPortReachability } from '../harness/checks/port-reachability-check.ts';
import { checkPostalRunning } from '../harness/checks/postal-running-check.ts';
import { checkRouting } from '../harness/checks/routing-check.ts';
import { checkServiceHealth } from '../harness/checks/service-health-check.ts';
import { checkTlsCertificate } from '../harness/checks/tls-certificate-check.ts';
import { checkOutboundSmtp } from '../harness/checks/outbound-smtp-check.ts';
import { control } from '../harness/runner/control.ts';
import { probeSubject } from '../harness/messages/probe-message.ts';
import { plainProbe } from '../harness/probes/mail-flow-probe.ts';

describe('Infrastructure', () => {
  control('INF-01', async ({ probes }) => ({ verdicts: [checkPortReachability(await probes.web.reachability())] }));

  control('INF-02', async ({ probes, deployment }) => {
    const smtp = await probes.smtp.banner();
    const login = await probes.web.loginPage();
    const observed = {
      smtpBanner: smtp.banner,
      smtpError: smtp.error,
      loginStatus: login.status,
      loginBodySnippet: login.bodySnippet,
      loginError: login.error,
    };
    return { verdicts: [checkPostalRunning({ ...observed, expectedVersion: deployment.postal.version })] };
  });

  control('INF-03', async ({ probes, deployment }) => {
    const observed = await probes.services.observe();
    return {
      verdicts: [
        checkServiceHealth({ expectedServices: deployment.postal.services, expectedContainers: deployment.postal.containers, ...observed }),
      ],
    };
  });

  control('INF-04', async ({ probes }) => {
    const tls = await probes.web.certificate();
    const observed = {
      handshakeError: tls.ok ? undefined : (tls.error ?? 'no TLS handshake'),
      authorized: tls.ok && tls.authorized,
      authorizationError: tls.error,
    };
    const certificate = {
      subjectAltNames: tls.subjectAltNames,
      validTo: tls.validTo ?? new Date(0).toISOString(),
      protocol: tls.protocol,
      issuer: tls.issuer,
    };
    return {
      verdicts: [
        checkTlsCertificate({ host: probes.web.host, port: probes.web.port, ...observed, ...certificate, now: new Date().toISOString() }),
      ],
    };
  });

  control('INF-05', async ({ probes, deployment, run }) => {
    const from = deployment.agents[0]!.id;
    const unknown = { id: deployment.catchAll, address: `nobody-${run.runToken}@${deployment.domain}` };
    const messages = [...deployment.agents, unknown].map((a, i) => ({
      id: `route-${i + 1}`,
      fromAgentId: from,
      to: a.address,
      toAgentId: a.id,
      content: plainProbe(run.runToken, `routing probe to ${a.address}`, probeSubject(run.runToken, `INF-05 to ${a.address}`)),
    }));
    const observed = await probes.mail.sendAsAgents(messages, { watchAgents: deployment.agents.map((a) => a.id) });
    const deliveries = observed.fates.map((f) => ({
      sentTo: f.message.to,
      expectedAgentId: f.message.toAgentId,
      arrivedAt: f.arrivals.map((a) => a.agentId),
      ...(f.arrivals.find((a) => a.agentId === f.message.toAgentId)?.elapsedMs !== undefined
        ? { elapsedMs: f.arrivals.find((a) => a.agentId === f.message.toAgentId)!.elapsedMs }
        : {}),
      ...(f.send.error !== undefined ? { error: f.send.error } : {}),
      ...(f.trail ? { trail: f.trail } : {}),
    }));
    return {
      verdicts: [
        checkRouting({
          agents: deployment.agents.map((a) => ({ agentId: a.id, address: a.address })),
          catchAllAgentId: deployment.catchAll,
          deliveries,
          readerErrors: observed.readerErrors,
          deadlineMs: observed.deadlineMs,
        }),
      ],
      facts: {
        waitedMs: observed.waitedMs,
        routing: deliveries.map((d) => ({ address: d.sentTo, expectedAgentId: d.expectedAgentId, arrivedAt: d.arrivedAt, error: d.error })),
      },
    };
  });

  control('INF-06', async ({ probes, deployment }) => {
    const answers = await probes.credentials.everyAgentKey();
    const results = answers.map((a) => ({
      agentId: a.agentId,
      keyFingerprint: a.keyFingerprint,
      ...classifyKeyAnswer(a),
      code: a.code || a.status,
    }));
    const scope = await probes.credentials.sendScope(results.filter((r) => r.outcome === 'authenticated').map((r) => r.agentId));
    return {
      verdicts: [
        checkApiCredentials({
          results: results.map((r) => ({ ...r, error: r.outcome === 'error' ? r.reason : undefined })),
          expectedAgentIds: deployment.agents.map((a) => a.id),
        }),
        checkKeyScope(scope),
      ],
      facts: { keys: results.map((r) => ({ agentId: r.agentId, keyFingerprint: r.keyFingerprint, outcome: r.outcome })) },
    };
  });

  control('INF-07', async ({ probes }) => ({ verdicts: [checkOutboundSmtp(await probes.outbound.attempts())] }));
});
