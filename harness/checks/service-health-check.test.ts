import { describe, expect, it } from 'vitest';
import { checkServiceHealth, type ServiceHealthInput } from './service-health-check.ts';

const good: ServiceHealthInput = {
  expectedServices: ['web', 'smtp', 'worker', 'database'],
  services: [
    { Service: 'web', State: 'running', Health: '', Status: 'Up 3 hours' },
    { Service: 'smtp', State: 'running', Health: '', Status: 'Up 3 hours' },
    { Service: 'worker', State: 'running', Health: '', Status: 'Up 3 hours' },
    { Service: 'database', State: 'running', Health: 'healthy', Status: 'Up 3 hours (healthy)' },
  ],
  healthEndpoints: [
    { name: 'worker', url: 'http://127.0.0.1:9090/health', status: 200, body: 'OK' },
    { name: 'smtp', url: 'http://127.0.0.1:9091/health', status: 200, body: 'OK\n' },
  ],
};

describe('checkServiceHealth', () => {
  it('passes when every service runs and both health endpoints say OK', () => {
    const verdict = checkServiceHealth(good);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('web, smtp, worker, database running; worker, smtp /health OK');
    expect(verdict.evidence.map((e) => e.label)).toEqual([
      'service list',
      'GET http://127.0.0.1:9090/health',
      'GET http://127.0.0.1:9091/health',
    ]);
  });

  it('fails naming a stopped worker, its health endpoint, and a missing service', () => {
    const verdict = checkServiceHealth({
      ...good,
      services: good
        .services!.filter((s) => s.Service !== 'web')
        .map((s) => (s.Service === 'worker' ? { ...s, State: 'exited', Status: 'Exited (137) 2 minutes ago' } : s)),
      healthEndpoints: [
        { name: 'worker', url: 'http://127.0.0.1:9090/health', error: 'ECONNREFUSED 127.0.0.1:9090' },
        good.healthEndpoints[1]!,
      ],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain('service web is not in the service list');
    expect(verdict.summary).toContain('service worker is exited (Exited (137) 2 minutes ago), not running');
    expect(verdict.summary).toContain('the worker health endpoint http://127.0.0.1:9090/health did not answer: ECONNREFUSED');
    expect(verdict.remediation).toMatch(/logs --tail=100 worker/);
    expect(verdict.observed).toBe('2/4 running; worker ECONNREFUSED 127.0.0.1:9090, smtp 200');
  });

  it('fails on an unhealthy healthcheck, a restart loop, and a health endpoint that is not OK', () => {
    const verdict = checkServiceHealth({
      ...good,
      services: [
        { Service: 'web', State: 'running', Health: 'unhealthy' },
        { Service: 'smtp', State: 'restarting', Status: 'Restarting (1) 5 seconds ago' },
        ...good.services!.slice(2),
      ],
      healthEndpoints: [good.healthEndpoints[0]!, { name: 'smtp', url: 'http://127.0.0.1:9091/health', status: 503, body: 'unavailable' }],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain('service web runs but its healthcheck says unhealthy');
    expect(verdict.summary).toContain('service smtp is restarting');
    expect(verdict.summary).toContain('answered 503 "unavailable", not 200 "OK"');
  });

  it('says "not checked" — never judges an empty list — for a part the target gives no source for', () => {
    const noHealth = checkServiceHealth({ ...good, healthEndpoints: [] });
    expect(noHealth.outcome).toBe('warn');
    expect(noHealth.observed).toBe('4/4 running; health not checked');
    // A real 3.3.2 with POSTAL_HEALTH_URLS and no service list once got "service web is not in the service list … add web to the compose file".
    const { services: _none, ...noList } = good;
    const unlisted = checkServiceHealth(noList);
    expect(unlisted.outcome).toBe('warn');
    expect(unlisted.summary).toBe('the services (web, smtp, worker, database) were not checked: the target gives no service list');
    expect(unlisted.remediation).toMatch(/^Set POSTAL_SERVICES_COMMAND/);
    expect(unlisted.observed).toBe('services not checked; worker 200, smtp 200');
    expect(unlisted.evidence.map((e) => e.label)).toEqual(['GET http://127.0.0.1:9090/health', 'GET http://127.0.0.1:9091/health']);
    // What was read is still judged: a health endpoint that is down fails.
    expect(checkServiceHealth({ ...noList, healthEndpoints: [{ name: 'worker', url: 'u', error: 'ECONNREFUSED' }] }).outcome).toBe('fail');
    // An unreadable list is not "not checked": it failed.
    expect(checkServiceHealth({ ...noList, serviceListError: 'ssh: exit 255' }).summary).toMatch(
      /^the service list could not be read: ssh: exit 255/,
    );
  });

  it('warns (and does not require it) when the plan lists RabbitMQ', () => {
    const verdict = checkServiceHealth({ ...good, expectedServices: [...good.expectedServices, 'rabbitmq'] });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(/RabbitMQ is not used by Postal 3/);
    expect(verdict.remediation).toMatch(/Remove "rabbitmq"/);
  });

  it('judges an unreadable service list once, as a failure, without calling it unchecked or a service missing', () => {
    const { services: _none, ...noList } = good;
    const verdict = checkServiceHealth({ ...noList, serviceListError: 'ssh: exit 255' });
    expect(verdict.summary).toBe('the service list could not be read: ssh: exit 255');
    expect(verdict.remediation).toBe(
      'Make the service list readable (POSTAL_SERVICES_COMMAND must print `docker compose -p postal ps --format json`) and check again',
    );
    expect(verdict.observed).toBe('0/4 running; worker 200, smtp 200');
  });

  it('takes a service without a healthcheck field as having none, and fails a health endpoint that answers OK with another status', () => {
    const noField = checkServiceHealth({ ...good, services: good.services!.map(({ Health: _h, ...s }) => s) });
    expect(noField.outcome).toBe('pass');
    expect(noField.evidence[0]!.detail).toEqual(
      good.services!.map((s) => ({ service: s.Service, state: s.State, health: null, status: s.Status })),
    );
    const teapot = checkServiceHealth({
      ...good,
      healthEndpoints: [{ name: 'worker', url: 'http://127.0.0.1:9090/health', status: 500, body: 'OK' }],
    });
    expect(teapot.summary).toBe('the worker health endpoint http://127.0.0.1:9090/health answered 500 "OK", not 200 "OK"');
  });

  describe("Postal's database container (outside the compose project)", () => {
    const withDb = { ...good, expectedContainers: ['postal-mariadb'] };
    const mariadb = { Names: '/postal-mariadb', State: 'running', Status: 'Up 3 hours', Image: 'mariadb' };

    it('passes a running one, found by any of its names, and shows the list', () => {
      const verdict = checkServiceHealth({
        ...withDb,
        containers: [
          { Names: 'caddy', State: 'running' },
          { ...mariadb, Names: 'other, /postal-mariadb' },
        ],
      });
      expect(verdict.outcome).toBe('pass');
      expect(verdict.summary).toBe('web, smtp, worker, database running; postal-mariadb running; worker, smtp /health OK');
      expect(verdict.evidence[1]).toEqual({
        label: 'containers',
        detail: [
          { name: 'caddy', state: 'running', status: null, image: null },
          { name: 'other, /postal-mariadb', state: 'running', status: 'Up 3 hours', image: 'mariadb' },
        ],
      });
    });

    it('fails one that is missing or stopped, saying what to run', () => {
      const missing = checkServiceHealth({ ...withDb, containers: [{ Names: 'postal-mariadb-old', State: 'running' }] });
      expect(missing.summary).toBe('container postal-mariadb does not exist');
      expect(missing.remediation).toBe(
        'Start the database container the install expects (`docker run -d --name postal-mariadb --restart always … mariadb`, as postalserver/install does)',
      );
      const stopped = checkServiceHealth({ ...withDb, containers: [{ ...mariadb, State: 'Exited', Status: 'Exited (1) 2 minutes ago' }] });
      expect(stopped.summary).toBe('container postal-mariadb is exited (Exited (1) 2 minutes ago): Postal cannot reach its database');
      expect(stopped.remediation).toBe('Read `docker logs --tail=100 postal-mariadb`, fix the cause, then `docker start postal-mariadb`');
      expect(checkServiceHealth({ ...withDb, containers: [{ Names: 'postal-mariadb', State: 'dead' }] }).summary).toBe(
        'container postal-mariadb is dead: Postal cannot reach its database',
      );
      expect(checkServiceHealth({ ...withDb, containers: [{ ...mariadb, State: 'RUNNING' }] }).outcome).toBe('pass');
    });

    it('fails an unreadable container list, and says "not checked" without one', () => {
      const unreadable = checkServiceHealth({ ...withDb, containerListError: 'permission denied' });
      expect([unreadable.outcome, unreadable.summary]).toEqual(['fail', 'the container list could not be read: permission denied']);
      expect(unreadable.remediation).toMatch(/^Make the container list readable \(POSTAL_CONTAINERS_COMMAND/);
      const unchecked = checkServiceHealth(withDb);
      expect([unchecked.outcome, unchecked.summary]).toEqual([
        'warn',
        'the database container (postal-mariadb) was not checked: the target gives no container list',
      ]);
      expect(unchecked.remediation).toMatch(/^Set POSTAL_CONTAINERS_COMMAND/);
      // None expected: neither an error nor a missing list is held against the deployment, and the list is still shown.
      expect(checkServiceHealth({ ...good, containerListError: 'permission denied' }).outcome).toBe('pass');
      const shown = checkServiceHealth({ ...good, containers: [mariadb] });
      expect([shown.outcome, shown.summary]).toEqual(['pass', 'web, smtp, worker, database running; worker, smtp /health OK']);
      expect(shown.evidence.map((e) => e.label)).toContain('containers');
    });
  });
});
