/**
 * Where the stand-in is knowingly not Postal 3.3. The report's "limitations" section lists these, so a
 * pass in embedded mode is never read as more than it proves.
 */
export const POSTAL_STAND_IN_LIMITATIONS: string[] = [
  'Retries: Postal retries a soft-failed message after 5 min × 1.3^attempt (up to 18 attempts); the stand-in defaults to 200 ms × 1.3^attempt for 5 attempts so retries are observable in a test.',
  'DKIM and return-path checks: Postal decides from its last stored DNS check (hourly `check_dns`); the stand-in looks the records up in the world DNS at send time (1 s cache).',
  'SMTP: replies are smtp-server\'s with Postal\'s texts laid over the common ones (banner, EHLO, 250 OK, 354 Go ahead, 235 Granted for…, 502/503 errors); rarer replies (syntax errors, a nested MAIL FROM) keep smtp-server\'s wording.',
  'SMTP: SMTP-IP credentials, the route domain (`<token>@<route domain>`), loop detection and PROXY protocol are not implemented.',
  'SMTP: a message over 14 MB is refused after DATA like Postal (552), but the whole stream is still read first.',
  'HTTP API: only the four v1 routes of the reference; invalid JSON gets a plain 400 (Rails renders its own 400 page); no suspended servers (ServerSuspended never occurs).',
  'Worker: no suppression list, send limits, bounces (HardFail never generates a bounce message), webhooks, click/open tracking or outbound spam checks; routes are HTTP endpoints only.',
  'Incoming spam: the stand-in never reports a threat (no ClamAV); `X-Postal-Threat` is always "no".',
  'Health: a stopped process answers 503 on its health port (a real stopped container has no listener at all).',
  'Service list: /compose/ps stands in for `docker compose -p postal ps --format json` over SSH; containers report Health "healthy"/"unhealthy" from the health servers although the official compose file defines no healthchecks.',
  'Web UI: only /login exists, a stand-in shaped like Postal\'s login page (title "Postal", e-mail and password form) so the report\'s screenshot has something to show; logging in, the domain and DNS pages are not implemented.',
  'One server, one organization, one verified domain (the manifest\'s); messages and deliveries live in memory and are lost on stop.',
];
