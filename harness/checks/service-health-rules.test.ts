// Service health: each finding with its exact fix, the health endpoint rules and the evidence.
import { describe, expect, it } from 'vitest';
import { checkServiceHealth, type ComposeServiceRow, type HealthEndpointProbe, type ServiceHealthInput } from './service-health-check.ts';

const services: ComposeServiceRow[] = [
  { Service: 'web', State: 'running', Health: '', Status: 'Up 3 hours' },
  { Service: 'Worker', State: 'RUNNING', Health: 'Healthy' },
];
const probes: HealthEndpointProbe[] = [{ name: 'worker', url: 'http://127.0.0.1:9090/health', status: 200, body: ' OK\n' }];
const good: ServiceHealthInput = { expectedServices: ['web', 'worker'], services, healthEndpoints: probes };
const run = (over: Partial<ServiceHealthInput>) => checkServiceHealth({ ...good, ...over });
const LOGS = (s: string) =>
  `Read \`docker compose -p postal logs --tail=100 ${s}\`, fix the cause, then \`docker compose -p postal up -d ${s}\``;

describe('checkServiceHealth', () => {
  it('passes with exact texts and evidence', () => {
    expect(checkServiceHealth(good)).toEqual({
      outcome: 'pass',
      summary: 'web, worker running; worker /health OK',
      expected: 'web, worker running (healthy when a healthcheck exists); /health 200 "OK"',
      observed: '2/2 running; worker 200',
      evidence: [
        {
          label: 'service list',
          detail: [
            { service: 'web', state: 'running', health: null, status: 'Up 3 hours' },
            { service: 'Worker', state: 'RUNNING', health: 'Healthy', status: null },
          ],
        },
        { label: 'GET http://127.0.0.1:9090/health', detail: { name: 'worker', status: 200, body: 'OK' } },
      ],
    });
  });

  it('warns on services Postal 3 does not use, with the exact reason', () => {
    const verdict = run({ expectedServices: ['web', 'worker', 'RabbitMQ', 'cron', 'requeuer'] });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(
      'the deployment expects "RabbitMQ", but RabbitMQ is not used by Postal 3 (it queues in the database; there is no broker code in 3.x); the deployment expects "cron", but Postal 3 has no cron process (the worker schedules its own jobs); the deployment expects "requeuer", but Postal 3 has no requeuer process (the worker does its job)',
    );
    expect(verdict.remediation).toMatch(/^Remove "RabbitMQ" from the deployment's service list \(and its container, if one runs\); /);
    expect(verdict.observed).toBe('2/2 running; worker 200');
  });

  it('fails a missing, stopped or unhealthy service with exact fixes', () => {
    const missing = run({ expectedServices: ['web', 'worker', 'smtp'] });
    expect(missing.summary).toBe('service smtp is not in the service list');
    expect(missing.remediation).toBe('Add smtp to the compose file and start it (`docker compose -p postal up -d smtp`)');
    expect(missing.observed).toBe('2/3 running; worker 200');
    const stopped = run({ services: [{ Service: 'web', State: 'Exited', Status: 'Exited (137) 2 minutes ago' }, services[1]!] });
    expect(stopped.summary).toBe('service web is exited (Exited (137) 2 minutes ago), not running');
    expect(stopped.remediation).toBe(LOGS('web'));
    expect(run({ services: [{ Service: 'web', State: 'restarting' }, services[1]!] }).summary).toBe(
      'service web is restarting, not running',
    );
    const sick = run({ services: [services[0]!, { Service: 'worker', State: 'running', Health: 'unhealthy', Status: 'Up 1 minute' }] });
    expect(sick.summary).toBe('service worker runs but its healthcheck says unhealthy (Up 1 minute)');
    expect(sick.remediation).toBe(LOGS('worker'));
    expect(run({ services: [services[0]!, { Service: 'worker', State: 'running', Health: 'starting' }] }).outcome).toBe('fail');
  });

  it('fails a health endpoint that did not answer, naming where its server binds', () => {
    const worker = run({ healthEndpoints: [{ name: 'worker', url: 'http://h:9090/health', error: 'ECONNREFUSED' }] });
    expect(worker.summary).toBe('the worker health endpoint http://h:9090/health did not answer: ECONNREFUSED');
    expect(worker.remediation).toBe(
      'Start Postal worker and make its health server reachable (it binds 127.0.0.1:9090 by default — `worker.default_health_server_bind_address` in postal.yml; with host networking reach it over SSH or bind it to 0.0.0.0)',
    );
    expect(worker.observed).toBe('2/2 running; worker ECONNREFUSED');
    expect(worker.evidence[1]).toEqual({
      label: 'GET http://h:9090/health',
      detail: { name: 'worker', status: null, body: null, error: 'ECONNREFUSED' },
    });
    const smtp = run({ healthEndpoints: [{ name: 'smtp', url: 'http://h:9091/health' }] });
    expect(smtp.summary).toBe('the smtp health endpoint http://h:9091/health did not answer: no response');
    expect(smtp.remediation).toMatch(
      /binds 127\.0\.0\.1:9091 by default — `smtp_server\.default_health_server_bind_address` in postal\.yml/,
    );
    expect(smtp.observed).toBe('2/2 running; smtp no answer');
  });

  it('fails a health endpoint that answers anything but 200 "OK", quoting at most 80 characters', () => {
    const body = `Error ${'x'.repeat(300)}`;
    const verdict = run({ healthEndpoints: [{ name: 'worker', url: 'http://h/health', status: 500, body }] });
    expect(verdict.summary).toBe(`the worker health endpoint http://h/health answered 500 "${body.slice(0, 80)}", not 200 "OK"`);
    expect(verdict.remediation).toBe(LOGS('worker'));
    expect(verdict.evidence[1]?.detail).toEqual({ name: 'worker', status: 500, body: body.slice(0, 200) });
    expect(run({ healthEndpoints: [{ name: 'worker', url: 'u', status: 200, body: 'ok' }] }).outcome).toBe('fail');
    expect(run({ healthEndpoints: [{ name: 'worker', url: 'u', status: 204 }] }).summary).toBe(
      'the worker health endpoint u answered 204 "", not 200 "OK"',
    );
  });

  it('warns that the health servers were not checked when no health URL is given', () => {
    const verdict = run({ healthEndpoints: [] });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe('the worker and smtp health servers were not checked: the target names no health URL');
    expect(verdict.remediation).toMatch(/^Set POSTAL_HEALTH_URLS \(e\.g\. worker=http:\/\/127\.0\.0\.1:9090\/health,smtp=/);
  });
});
