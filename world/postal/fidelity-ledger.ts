/**
 * The ledger: every behaviour of the Postal stand-in that a control depends on, the file of Postal's
 * source (postalserver/postal at the deployment's version, 3.3.2; postalserver/install for the layout)
 * it follows, and the test that pins it. Where the stand-in knowingly differs, `differs` says how, and
 * the report's limitations list is made from those entries — one place, so the two cannot disagree.
 * fidelity-ledger.test.ts checks that every pinning test exists.
 */
export interface LedgerEntry {
  behaviour: string;
  /** Repository path at tag 3.3.2 (or in postalserver/install). */
  source: string;
  /** `<test file>: <test name>` — the test that fails if the stand-in stops behaving so. */
  pinnedBy: string;
  /** How the stand-in differs from the source, when it does (shown in the report's limitations). */
  differs?: string;
  /** Controls whose verdict rests on this behaviour. */
  controls: string[];
}

export const FIDELITY_LEDGER: LedgerEntry[] = [
  {
    behaviour: 'DKIM record: exactly "v=DKIM1; t=s; h=sha256; p=<SPKI base64>;", no k=rsa',
    source: 'app/models/domain.rb (dkim_record)',
    pinnedBy: "core/artifacts/postal-dns-checks.test.ts: is exactly \"v=DKIM1; t=s; h=sha256; p=<key>;\"",
    controls: ['DNS-04', 'FN-04'],
  },
  {
    behaviour: "DKIM check: exactly one TXT at <selector>._domainkey, compared with the record after trim and a trailing ';'; else Invalid/Missing",
    source: 'app/models/concerns/has_dns_checks.rb (check_dkim_record)',
    pinnedBy: "core/artifacts/postal-dns-checks.test.ts: calls it Invalid when anything else differs: k=rsa added, other spacing, another key",
    controls: ['DNS-04', 'FN-04'],
  },
  {
    behaviour: 'Return-path check: one CNAME at <custom_return_path_prefix>.<domain> naming exactly dns.return_path_domain',
    source: 'app/models/concerns/has_dns_checks.rb (check_return_path_record)',
    pinnedBy: "core/artifacts/postal-dns-checks.test.ts: wants one CNAME naming exactly the return-path domain",
    controls: ['FN-04'],
  },
  {
    behaviour: 'Selectors are always <dns.dkim_identifier>-<6 characters> (letter, 4 letters or digits, letter)',
    source: 'app/models/domain.rb (dkim_identifier, random_string via nifty-utils 1.1.7)',
    pinnedBy: "world/postal/postal-delivery.test.ts: signs with the domain key (d=domain) when the published DKIM record matches, and connects from the stand-in address",
    controls: ['DNS-04', 'FN-04'],
  },
  {
    behaviour: 'A new domain is never DNS-checked by Postal; the scheduled task re-checks only domains checked before',
    source: 'app/models/concerns/has_dns_checks.rb (check_dns); app/scheduled_tasks/check_all_dns_scheduled_task.rb',
    pinnedBy: 'world/postal/domain-dns-state.test.ts: never checks a domain that was never checked, and re-checks one that was',
    differs: 'The scheduled re-check runs every 2 s in the world (hourly in Postal), so a test sees a fixed record without waiting an hour.',
    controls: ['FN-04'],
  },
  {
    behaviour: 'Signing: d=<domain>; s=<selector> with the domain key while dkim_status is OK, else d=<dns.return_path_domain>; s=<dns.dkim_identifier> with signing.key; from the stored status, not DNS at send time',
    source: 'app/lib/dkim_header.rb',
    pinnedBy: "world/postal/postal-delivery.test.ts: keeps signing from the last check: a record changed since is not seen until the domain is checked again",
    controls: ['FN-04', 'FN-05'],
  },
  {
    behaviour: 'MAIL FROM <server token>@<prefix>.<domain> while return_path_status is OK, else <token>@<dns.return_path_domain>; Resent-Sender added after signing',
    source: 'app/senders/smtp_sender.rb (mail_from, use_resent_sender_header)',
    pinnedBy: 'world/postal/postal-delivery.test.ts: uses the return path domain in MAIL FROM when the return-path CNAME is missing',
    controls: ['FN-04', 'DNS-03'],
  },
  {
    behaviour: 'Compose project services web, smtp, worker (runner under profile tools); MariaDB is a separate container postal-mariadb; no healthchecks',
    source: 'postalserver/install templates/docker-compose.v3.yml; prerequisites/install-ubuntu.v3.sh',
    pinnedBy: 'world/postal/postal-delivery.test.ts: lists web, smtp and worker like `docker compose ps --format json`, and MariaDB apart like `docker ps -a`, following a stopped worker',
    differs: 'The service and container lists are served over HTTP by the world (an operator reads them with docker over SSH).',
    controls: ['INF-03'],
  },
  {
    behaviour: 'Health servers on 9090 (worker) and 9091 (smtp): /health "OK", /metrics Prometheus text, / "<name> (pid: N, host: H)"',
    source: 'app/util/health_server.rb; lib/postal/config_schema.rb',
    pinnedBy: 'world/postal/postal-delivery.test.ts: serves /health and real counters on /metrics for the worker and smtp processes',
    differs: 'A stopped process answers 503 on its health port (a stopped container has no listener at all).',
    controls: ['INF-03'],
  },
  {
    behaviour: 'Incoming mail always gets X-Postal-Spam, -Threshold, -Score, X-Postal-Threat (score 0 without spamd)',
    source: 'app/lib/message_dequeuer/incoming_message_processor.rb; app/models/message.rb (inspect_message)',
    pinnedBy: "world/postal/postal-delivery.test.ts: routes mail for an agent to its endpoint with Postal's Hash payload, signed with the key in the JWKS",
    controls: ['FN-05', 'INF-05'],
  },
  {
    behaviour: 'With rspamd enabled (preferred to spamd), the spam score is the sum of the scores of the symbols rspamd describes; an rspamd error is an ERROR check worth 0',
    source: 'lib/postal/message_inspectors/rspamd.rb, lib/postal/message_inspector.rb, lib/postal/message_inspection.rb',
    pinnedBy: "world/spam/rspamd-verdict.test.ts: sums the scores of the symbols that have a description",
    differs: 'The world starts rspamd only for benchmarks and capacity runs (--postal-rspamd=on), with its Internet-facing modules off; a scan error with spamd leaves the message uninspected in the stand-in, where Postal records an ERROR check worth 0.',
    controls: [],
  },
  {
    behaviour: 'SMTP: banner "220 <smtp_hostname> ESMTP Postal/<trace>", EHLO without SIZE, VRFY/HELP/unknown AUTH 502, nested MAIL 250 (503 after a RCPT), brackets optional, unknown local part without catch-all 530',
    source: 'app/lib/smtp_server/client.rb, app/lib/smtp_server/server.rb',
    pinnedBy: "world/postal/postal-smtp.test.ts: answers commands as Postal 3.3.2's client.rb does where smtp-server would differ",
    differs: "Replies are smtp-server's with Postal's texts laid over; rare syntax errors keep smtp-server's wording; SMTP-IP credentials, route-domain addresses, loop detection and PROXY protocol are not implemented.",
    controls: ['INF-02', 'SEC-01', 'SEC-03'],
  },
  {
    behaviour: 'Relay without authentication is refused at RCPT with 530 Authentication required',
    source: 'app/lib/smtp_server/client.rb (rcpt_to)',
    pinnedBy: 'world/postal/postal-smtp.test.ts: accepts a routed local part, refuses an unknown one without a catch-all and accepts it with one',
    controls: ['SEC-01'],
  },
  {
    behaviour: 'API: HTTP 200 always; errors {status:"error", data:{…, code}} with code last; a wrong key is InvalidServerAPIKey',
    source: 'app/controllers/legacy_api/base_controller.rb',
    pinnedBy: "world/postal/postal-api.test.ts: answers HTTP 500 in 3.3.2 when `_expansions` is missing, true or false, or `params` holds invalid JSON (upstream issue 2932)",
    controls: ['SEC-02', 'INF-06'],
  },
  {
    behaviour: 'messages/message in 3.3.2: MessageNotFound first; `_expansions` missing/true/false → HTTP 500; a String is a substring test; 3.3.3 on: true = all, missing = none (follows postal.version)',
    source: 'app/controllers/legacy_api/messages_controller.rb (3.3.2; fixed in 3.3.3 by 39f704c)',
    pinnedBy: 'world/postal/postal-api.test.ts: expands everything with `true` and nothing when it is missing from 3.3.3 on (commit 39f704c)',
    controls: ['INF-06', 'FN-06'],
  },
  {
    behaviour: 'Hash payload to endpoints: size is a String, reply_to the header array; signed X-Postal-Signature (SHA1) and -256 with signing.key, kid in the JWKS',
    source: 'app/senders/http_sender.rb; lib/postal/http.rb',
    pinnedBy: "world/postal/postal-delivery.test.ts: routes mail for an agent to its endpoint with Postal's Hash payload, signed with the key in the JWKS",
    controls: ['INF-05', 'FN-01', 'FN-06'],
  },
  {
    behaviour: 'Retries: 5xx or no connection → SoftFail and retry; 429 → HardFail without retry',
    source: 'app/senders/http_sender.rb; app/lib/message_dequeuer/outgoing_message_processor.rb',
    pinnedBy: 'world/postal/postal-delivery.test.ts: soft-fails and retries on 5xx, then sends',
    differs: 'Postal retries after 5 min × 1.3^attempt (up to 18 attempts); the stand-in after 200 ms × 1.3^attempt for 5 attempts, so retries are observable in a test.',
    controls: ['INF-05', 'FN-01'],
  },
  {
    behaviour: 'Outgoing holds, in order: credential set to Hold, recipient on the suppression list, then the server send limit (messages in the last hour) — each a Held delivery with Postal\'s own words',
    source: 'app/lib/message_dequeuer/outgoing_message_processor.rb (hold_if_credential_is_set_to_hold, hold_if_recipient_on_suppression_list, check_send_limits)',
    pinnedBy: 'world/postal/postal-settings.test.ts: holds mail sent with a credential set to Hold, and mail to a suppressed recipient',
    differs: 'Credential hold, the suppression list, the send limit and the outbound spam threshold exist only as fault settings (world/faults.ts); the stand-in never adds a recipient to the suppression list by itself.',
    controls: ['FN-01', 'FN-02', 'PERF-01'],
  },
  {
    behaviour: 'Send limit: past Server#send_limit messages in the last hour, outgoing mail is Held "Message held because send limit (N) has been reached."',
    source: 'app/lib/message_dequeuer/outgoing_message_processor.rb (check_send_limits); app/models/server.rb (send_limit_exceeded?)',
    pinnedBy: 'world/postal/postal-settings.test.ts: holds what passes the send limit, once the limit is reached',
    controls: ['PERF-01'],
  },
  {
    behaviour: 'Names: the banner and the HELO answer are postal.smtp_hostname; the outbound HELO is dns.helo_hostname, else smtp_hostname, else "localhost"',
    source: 'app/lib/smtp_server/client.rb (banner, helo); app/lib/smtp_client/endpoint.rb (default_helo_hostname)',
    pinnedBy: 'world/postal/postal-settings.test.ts: greets and answers HELO with postal.smtp_hostname, and gives dns.helo_hostname when it delivers',
    controls: ['FN-02'],
  },
  {
    behaviour: 'smtp_server.ssl_version pins the SMTP server\'s TLS versions ("TLSv1": TLS 1.0 only); an SSL error on Postal\'s own STARTTLS to an MX in "Auto" mode is retried once without TLS',
    source: 'app/lib/smtp_server/server.rb (ssl_context.ssl_version), lib/postal/config_schema.rb (ssl_version, default SSLv23), app/senders/smtp_sender.rb (connect_to_endpoint: allow_ssl false)',
    pinnedBy: 'world/postal/postal-settings.test.ts: speaks only TLS 1.0 under ssl_version "TLSv1", and delivers its own mail to such an MX in plain text',
    controls: ['SEC-03', 'INF-05', 'FN-02'],
  },
  {
    behaviour: 'smtp_server.max_message_size (MB, default 14): a larger message gets "552 Message too large (maximum size NMB)" at the end of DATA — for mail between agents too, which passes Postal\'s own MX',
    source: 'app/lib/smtp_server/client.rb (finished); lib/postal/config_schema.rb (max_message_size)',
    pinnedBy: 'world/postal/postal-settings.test.ts: refuses a message over smtp_server.max_message_size at the end of DATA with 552',
    controls: ['FN-01'],
  },
  {
    behaviour: 'Route modes: Reject refuses RCPT with 550; Hold holds ("accepted but not sent to any endpoints"); Accept marks Processed; Bounce hard-fails',
    source: 'app/lib/smtp_server/client.rb (rcpt_to); app/lib/message_dequeuer/incoming_message_processor.rb (accept_mail_without_endpoints, hold_messages, bounce_messages)',
    pinnedBy: 'world/postal/postal-settings.test.ts: refuses RCPT for a route set to Reject, and holds mail for a route set to Hold',
    differs: 'Route modes and additional route endpoints are fault settings by route name; Bounce records the HardFail without sending a bounce message.',
    controls: ['INF-05'],
  },
  {
    behaviour: 'Additional route endpoints: one incoming message per endpoint (route.rb create_messages), each POSTed to its own endpoint',
    source: 'app/models/route.rb (create_messages)',
    pinnedBy: "world/postal/postal-settings.test.ts: makes one message per additional endpoint, and keeps the subject decoded and cut at 200 characters",
    controls: ['INF-05', 'FN-01'],
  },
  {
    behaviour: 'The subject Postal keeps and posts is the decoded Subject (the Mail gem\'s field.decoded), cut at 200 characters; the Hash payload\'s header fields are decoded too',
    source: 'lib/postal/message_db/message.rb (headers: field.decoded; subject: headers["subject"]&.last.to_s[0, 200])',
    pinnedBy: "world/postal/postal-settings.test.ts: makes one message per additional endpoint, and keeps the subject decoded and cut at 200 characters",
    controls: ['INF-05', 'FN-01', 'FN-07'],
  },
];

/** Where the stand-in is knowingly not Postal beyond the ledger's behaviours. */
const OUTSIDE_THE_LEDGER = [
  'HTTP API: only the four v1 routes of the reference; a suspended server (ServerSuspended) only as a fault.',
  'Worker: no bounces (HardFail never generates a bounce message) and no webhooks; click/open tracking rewrites links only as a fault, without a tracking server; routes are HTTP endpoints (or a mode) only.',
  'Incoming spam: the stand-in never reports a threat (no ClamAV); `X-Postal-Threat` is always "no".',
  "Web UI: only /login exists, a stand-in shaped like Postal's login page (title \"Postal\", e-mail and password form) so the report's screenshot has something to show; logging in, the domain and DNS pages are not implemented.",
  "One server, one organization, one verified domain (the manifest's); the domain's DKIM key is provisioning's, imported (Postal would make a 1024-bit key on create, which an operator can replace); messages and deliveries live in memory and are lost on stop.",
];

/** The report's limitations of the stand-in: every difference the ledger records, and what lies outside it. */
export const POSTAL_STAND_IN_LIMITATIONS: string[] = [...FIDELITY_LEDGER.filter((e) => e.differs).map((e) => e.differs!), ...OUTSIDE_THE_LEDGER];
