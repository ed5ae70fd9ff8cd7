/**
 * INF-03 — every service of the deployment runs and is healthy: the service list (the shape of
 * `docker compose ps --format json`, one object per container) plus Postal's own health servers
 * (worker 127.0.0.1:9090, smtp 127.0.0.1:9091, `GET /health` → 200 `OK`). Postal's compose
 * template defines no healthchecks, so `Health` is usually empty; when a healthcheck exists it must say healthy.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

/** One row of `docker compose ps --format json` (fields as Docker names them). */
export interface ComposeServiceRow {
  Service: string;
  /** running, exited, restarting, paused, created, dead */
  State: string;
  /** healthy, unhealthy, starting, or "" when the service has no healthcheck. */
  Health?: string;
  /** e.g. "Up 3 hours", "Restarting (1) 5 seconds ago", "Exited (137) 2 minutes ago". */
  Status?: string;
  Name?: string;
}

export interface HealthEndpointProbe {
  /** e.g. "worker", "smtp". */
  name: string;
  url: string;
  status?: number;
  body?: string;
  error?: string;
}

export interface ServiceHealthInput {
  expectedServices: string[];
  services: ComposeServiceRow[];
  healthEndpoints: HealthEndpointProbe[];
}

/** Services a Postal 3 deployment plan may still list but Postal 3 never uses. */
const NOT_USED_BY_POSTAL_3: Record<string, string> = {
  rabbitmq: 'RabbitMQ is not used by Postal 3 (it queues in the database; there is no broker code in 3.x)',
  cron: 'Postal 3 has no cron process (the worker schedules its own jobs)',
  requeuer: 'Postal 3 has no requeuer process (the worker does its job)',
};

function logs(service: string): string {
  return `Read \`docker compose -p postal logs --tail=100 ${service}\`, fix the cause, then \`docker compose -p postal up -d ${service}\``;
}

export function checkServiceHealth(input: ServiceHealthInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const evidence: EvidenceItem[] = [];
  const rows = new Map(input.services.map((s) => [s.Service.toLowerCase(), s]));
  const required: string[] = [];

  for (const service of input.expectedServices) {
    const key = service.toLowerCase();
    const unused = NOT_USED_BY_POSTAL_3[key];
    if (unused) {
      findings.push(warn(`the deployment expects "${service}", but ${unused}`, `Remove "${service}" from the deployment's service list (and its container, if one runs)`));
      continue;
    }
    required.push(service);
    const row = rows.get(key);
    if (!row) {
      findings.push(fail(`service ${service} is not in the service list`, `Add ${service} to the compose file and start it (\`docker compose -p postal up -d ${service}\`)`));
      continue;
    }
    const state = row.State.toLowerCase();
    const health = (row.Health ?? '').toLowerCase();
    const status = row.Status ? ` (${row.Status})` : '';
    if (state !== 'running') {
      findings.push(fail(`service ${service} is ${state}${status}, not running`, logs(service)));
    } else if (health !== '' && health !== 'healthy') {
      findings.push(fail(`service ${service} runs but its healthcheck says ${health}${status}`, logs(service)));
    }
  }
  evidence.push({ label: 'service list', detail: input.services.map((s) => ({ service: s.Service, state: s.State, health: s.Health || null, status: s.Status ?? null })) });

  for (const probe of input.healthEndpoints) {
    const body = probe.body?.trim();
    evidence.push({
      label: `GET ${probe.url}`,
      detail: { name: probe.name, status: probe.status ?? null, body: body?.slice(0, 200) ?? null, ...(probe.error ? { error: probe.error } : {}) },
    });
    if (probe.status === undefined) {
      findings.push(
        fail(
          `the ${probe.name} health endpoint ${probe.url} did not answer: ${probe.error ?? 'no response'}`,
          `Start Postal ${probe.name} and make its health server reachable (Postal ≥ 3.3.5 binds it where \`${probe.name === 'smtp' ? 'smtp_server' : probe.name}.default_health_server_bind_address\` says; use 0.0.0.0 to reach it from outside the container)`,
        ),
      );
    } else if (probe.status !== 200 || body !== 'OK') {
      findings.push(fail(`the ${probe.name} health endpoint ${probe.url} answered ${probe.status} "${body?.slice(0, 80) ?? ''}", not 200 "OK"`, logs(probe.name)));
    }
  }
  if (input.healthEndpoints.length === 0) {
    findings.push(fail('no health endpoint was probed', 'Probe the worker (:9090) and smtp (:9091) /health endpoints'));
  }

  const running = required.filter((s) => rows.get(s.toLowerCase())?.State.toLowerCase() === 'running');
  return verdictFrom({
    findings,
    passSummary: `${required.join(', ')} running; ${input.healthEndpoints.map((p) => p.name).join(', ')} /health OK`,
    expected: `${required.join(', ')} running (healthy when a healthcheck exists); /health 200 "OK"`,
    observed: `${running.length}/${required.length} running; ${input.healthEndpoints.map((p) => `${p.name} ${p.status ?? p.error ?? 'no answer'}`).join(', ')}`,
    evidence,
  });
}
