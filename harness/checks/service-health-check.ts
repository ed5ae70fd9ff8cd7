/**
 * INF-03 — every service of the deployment runs and is healthy: the service list (the shape of
 * `docker compose ps --format json`, one object per container) plus Postal's own health servers
 * (worker 127.0.0.1:9090, smtp 127.0.0.1:9091, `GET /health` → 200 `OK`). Postal's compose
 * template defines no healthchecks, so `Health` is usually empty; when a healthcheck exists it must say healthy.
 * A part whose source the target does not give (no service list, no container list, no health URL) is
 * "not checked" (a warning naming the setting), never judged on nothing.
 */
import { collectFindings, fail, type Finding, verdictFrom, warn } from './findings.ts';
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

/** One row of `docker ps -a --format json`: the containers apart from the compose project (postal-mariadb). */
export interface ContainerRow {
  Names: string;
  State: string;
  Status?: string;
  Image?: string;
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
  /** The compose project's rows; undefined when the target gives no service list (then they are not checked). */
  services?: ComposeServiceRow[];
  /** Why the service list could not be read (the command failed, the endpoint did not answer). */
  serviceListError?: string;
  healthEndpoints: HealthEndpointProbe[];
  /** Containers Postal needs outside its compose project, by name (the install runs MariaDB as `postal-mariadb`). */
  expectedContainers?: string[];
  /** `docker ps -a` rows; undefined when the target gives no container list. */
  containers?: ContainerRow[];
  containerListError?: string;
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

function healthEndpointEvidence(probe: HealthEndpointProbe): EvidenceItem {
  const body = probe.body?.trim();
  return {
    label: `GET ${probe.url}`,
    detail: {
      name: probe.name,
      status: probe.status ?? null,
      body: body?.slice(0, 200) ?? null,
      ...(probe.error ? { error: probe.error } : {}),
    },
  };
}

/** Rule: each of Postal's health servers answers 200 "OK". */
function healthEndpointNotOk(probe: HealthEndpointProbe): Finding | undefined {
  const body = probe.body?.trim();
  if (probe.status === undefined) {
    return fail(
      `the ${probe.name} health endpoint ${probe.url} did not answer: ${probe.error ?? 'no response'}`,
      `Start Postal ${probe.name} and make its health server reachable (it binds 127.0.0.1:${probe.name === 'smtp' ? 9091 : 9090} by default — \`${probe.name === 'smtp' ? 'smtp_server' : probe.name}.default_health_server_bind_address\` in postal.yml; with host networking reach it over SSH or bind it to 0.0.0.0)`,
    );
  } else if (probe.status !== 200 || body !== 'OK') {
    return fail(
      `the ${probe.name} health endpoint ${probe.url} answered ${probe.status} "${body?.slice(0, 80) ?? ''}", not 200 "OK"`,
      logs(probe.name),
    );
  }
  return undefined;
}

/** Whether a service list was given (or tried), and its rows by service name. */
interface ServiceList {
  listed: boolean;
  rows: Map<string, ComposeServiceRow>;
}

/** Rule: a target that gives no service list says so. */
function servicesNotChecked(input: ServiceHealthInput, list: ServiceList): Finding | undefined {
  if (list.listed) return undefined;
  return warn(
    `the services (${input.expectedServices.join(', ')}) were not checked: the target gives no service list`,
    'Set POSTAL_SERVICES_COMMAND (e.g. `ssh root@<server> docker compose -p postal ps --format json`) so the services are checked too',
  );
}

/** Rule: the service list can be read. */
function serviceListUnreadable(input: ServiceHealthInput): Finding | undefined {
  if (input.serviceListError === undefined) return undefined;
  return fail(
    `the service list could not be read: ${input.serviceListError}`,
    'Make the service list readable (POSTAL_SERVICES_COMMAND must print `docker compose -p postal ps --format json`) and check again',
  );
}

/** Rule: an expected service is one Postal 3 uses, is listed, runs, and is healthy when it has a healthcheck. */
function serviceFinding(input: ServiceHealthInput, list: ServiceList, service: string): Finding | undefined {
  const key = service.toLowerCase();
  const unused = NOT_USED_BY_POSTAL_3[key];
  if (unused) {
    return warn(
      `the deployment expects "${service}", but ${unused}`,
      `Remove "${service}" from the deployment's service list (and its container, if one runs)`,
    );
  }
  const row = list.rows.get(key);
  if (!row) {
    if (!list.listed || input.serviceListError !== undefined) return undefined;
    return fail(
      `service ${service} is not in the service list`,
      `Add ${service} to the compose file and start it (\`docker compose -p postal up -d ${service}\`)`,
    );
  }
  const state = row.State.toLowerCase();
  const health = (row.Health ?? '').toLowerCase();
  const status = row.Status ? ` (${row.Status})` : '';
  if (state !== 'running') {
    return fail(`service ${service} is ${state}${status}, not running`, logs(service));
  } else if (health !== '' && health !== 'healthy') {
    return fail(`service ${service} runs but its healthcheck says ${health}${status}`, logs(service));
  }
  return undefined;
}

/** The containers are judged only when expected, and their list was given and read. */
function containersJudged(input: ServiceHealthInput): boolean {
  const expected = input.expectedContainers ?? [];
  return !(expected.length > 0 && (input.containerListError !== undefined || input.containers === undefined));
}

/** Rule: the database container (outside the compose project) exists and runs; its list is given and readable. */
function containerFindings(input: ServiceHealthInput): Finding[] {
  const expectedContainers = input.expectedContainers ?? [];
  if (expectedContainers.length > 0 && input.containerListError !== undefined) {
    return [
      fail(
        `the container list could not be read: ${input.containerListError}`,
        'Make the container list readable (POSTAL_CONTAINERS_COMMAND must print `docker ps -a --format json`) and check again',
      ),
    ];
  } else if (expectedContainers.length > 0 && input.containers === undefined) {
    return [
      warn(
        `the database container (${expectedContainers.join(', ')}) was not checked: the target gives no container list`,
        'Set POSTAL_CONTAINERS_COMMAND (e.g. `ssh root@<server> docker ps -a --format json`) so the database container is checked too',
      ),
    ];
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  for (const name of expectedContainers) {
    const row = input.containers?.find((c) =>
      c.Names.split(',')
        .map((n) => n.trim().replace(/^\//, ''))
        .includes(name),
    );
    if (!row)
      findings.push(
        fail(
          `container ${name} does not exist`,
          `Start the database container the install expects (\`docker run -d --name ${name} --restart always … mariadb\`, as postalserver/install does)`,
        ),
      );
    else if (row.State.toLowerCase() !== 'running')
      findings.push(
        fail(
          `container ${name} is ${row.State.toLowerCase()}${row.Status ? ` (${row.Status})` : ''}: Postal cannot reach its database`,
          `Read \`docker logs --tail=100 ${name}\`, fix the cause, then \`docker start ${name}\``,
        ),
      );
  }
  return findings;
}

/** Rule: the target names Postal's health servers. */
function healthNotChecked(input: ServiceHealthInput): Finding | undefined {
  if (input.healthEndpoints.length !== 0) return undefined;
  return warn(
    'the worker and smtp health servers were not checked: the target names no health URL',
    "Set POSTAL_HEALTH_URLS (e.g. worker=http://127.0.0.1:9090/health,smtp=http://127.0.0.1:9091/health through an SSH tunnel) so Postal's health servers are checked too",
  );
}

function serviceHealthEvidence(input: ServiceHealthInput): EvidenceItem[] {
  return [
    ...(input.services
      ? [
          {
            label: 'service list',
            detail: input.services.map((s) => ({ service: s.Service, state: s.State, health: s.Health || null, status: s.Status ?? null })),
          },
        ]
      : []),
    ...(input.containers && containersJudged(input)
      ? [
          {
            label: 'containers',
            detail: input.containers.map((c) => ({ name: c.Names, state: c.State, status: c.Status ?? null, image: c.Image ?? null })),
          },
        ]
      : []),
    ...input.healthEndpoints.map(healthEndpointEvidence),
  ];
}

export function checkServiceHealth(input: ServiceHealthInput): Verdict {
  const list: ServiceList = {
    listed: input.services !== undefined || input.serviceListError !== undefined,
    rows: new Map((input.services ?? []).map((s) => [s.Service.toLowerCase(), s])),
  };
  const { listed, rows } = list;
  const required = input.expectedServices.filter((service) => !NOT_USED_BY_POSTAL_3[service.toLowerCase()]);
  const expectedContainers = input.expectedContainers ?? [];
  const findings = collectFindings(
    servicesNotChecked(input, list),
    serviceListUnreadable(input),
    ...input.expectedServices.map((service) => serviceFinding(input, list, service)),
    containerFindings(input),
    ...input.healthEndpoints.map(healthEndpointNotOk),
    healthNotChecked(input),
  );

  const running = required.filter((s) => rows.get(s.toLowerCase())?.State.toLowerCase() === 'running');
  return verdictFrom({
    findings,
    passSummary: `${required.join(', ')} running${expectedContainers.length && input.containers ? `; ${expectedContainers.join(', ')} running` : ''}; ${input.healthEndpoints.map((p) => p.name).join(', ')} /health OK`,
    expected: `${required.join(', ')} running (healthy when a healthcheck exists); /health 200 "OK"`,
    observed: `${listed ? `${running.length}/${required.length} running` : 'services not checked'}; ${input.healthEndpoints.map((p) => `${p.name} ${p.status ?? p.error ?? 'no answer'}`).join(', ') || 'health not checked'}`,
    evidence: serviceHealthEvidence(input),
  });
}
