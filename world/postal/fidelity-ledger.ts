/**
 * The ledger: every behaviour of the Postal stand-in that a control depends on, the place in Postal's source
 * (postalserver/postal at the deployment's version, 3.3.2, as `file:line`; postalserver/install for the layout)
 * it follows, and the test that pins it. Where the stand-in knowingly differs, `differs` says how, and the
 * report's limitations list is made from those entries — one place, so the two cannot disagree. `observed` is
 * what a real Postal 3.3.2, built by hand from its public source and run beside the world, did (compared side
 * by side with the stand-in; nothing of it is in this repository).
 * fidelity-ledger.test.ts checks that every pinning test exists and every source names a line.
 */
export interface LedgerEntry {
  behaviour: string;
  /** Repository path at tag 3.3.2 with the line(s), e.g. `app/models/domain.rb:110` (or a postalserver/install file). */
  source: string;
  /** `<test file>: <test name>` — the test that fails if the stand-in stops behaving so. */
  pinnedBy: string;
  /** How the stand-in differs from the source, when it does (shown in the report's limitations). */
  differs?: string;
  /** What a real Postal 3.3.2 showed, when it was compared. */
  observed?: string;
  /** Controls whose verdict rests on this behaviour. */
  controls: string[];
}

export const FIDELITY_LEDGER: LedgerEntry[] = [
  {
    behaviour: 'DKIM record: exactly "v=DKIM1; t=s; h=sha256; p=<SPKI base64>;", no k=rsa',
    source: 'app/models/domain.rb:110-115 (dkim_record)',
    pinnedBy: 'core/artifacts/postal-dns-checks.test.ts: is exactly "v=DKIM1; t=s; h=sha256; p=<key>;"',
    observed: 'The record Postal showed for mailgoat.ai had exactly this form.',
    controls: ['DNS-04', 'FN-04'],
  },
  {
    behaviour:
      "DKIM check: exactly one TXT at <selector>._domainkey, compared with the record after trim and a trailing ';'; else Invalid/Missing",
    source: 'app/models/concerns/has_dns_checks.rb:74-95 (check_dkim_record)',
    pinnedBy:
      'core/artifacts/postal-dns-checks.test.ts: calls it Invalid when anything else differs: k=rsa added, other spacing, another key',
    observed:
      'Before the record was published check_dns said dkim "Missing" / "No TXT records were returned for postal-WABfNv._domainkey.mailgoat.ai"; after, "OK".',
    controls: ['DNS-04', 'FN-04'],
  },
  {
    behaviour: 'Return-path check: one CNAME at <custom_return_path_prefix>.<domain> naming exactly dns.return_path_domain',
    source: 'app/models/concerns/has_dns_checks.rb:134-150 (check_return_path_record)',
    pinnedBy: 'core/artifacts/postal-dns-checks.test.ts: wants one CNAME naming exactly the return-path domain',
    controls: ['FN-04'],
  },
  {
    behaviour:
      'A new domain gets a random selector <dns.dkim_identifier>-<6 characters> (letter, 4 letters or digits, letter) and its own 1024-bit key; an imported key keeps the selector',
    source:
      'app/models/domain.rb:58 (random_string :dkim_identifier_string), :60,84-86 (before_create generate_dkim_key, RSA.new(1024)), :117-121 (dkim_identifier)',
    pinnedBy:
      'world/postal/postal-accounts.test.ts: a real run creates what is missing and serves it at once; the domain gets a random selector and its own 1024-bit key, as Postal makes them',
    observed:
      'Postal made postal-WABfNv (mixed case: upper_letters_only has no effect with nifty-utils 1.1.7) and a 1024-bit key for mailgoat.ai.',
    controls: ['DNS-04', 'DNS-07', 'FN-04'],
  },
  {
    behaviour: 'A new domain is never DNS-checked by Postal; the scheduled task re-checks only domains checked at least an hour before',
    source: 'app/models/concerns/has_dns_checks.rb:15-24 (check_dns); app/scheduled_tasks/check_all_dns_scheduled_task.rb:6',
    pinnedBy: 'world/postal/domain-dns-state.test.ts: never checks a domain that was never checked, and re-checks one that was',
    differs:
      'The scheduled re-check runs every 2 s in the world (hourly, for domains checked an hour before, in Postal), so a test sees a fixed record without waiting an hour.',
    observed: 'A new domain had every status nil and dns_checked_at nil until check_dns ran.',
    controls: ['FN-04'],
  },
  {
    behaviour:
      'Signing: d=<domain>; s=<selector> with the domain key while dkim_status is OK, else d=<dns.return_path_domain>; s=<dns.dkim_identifier> with signing.key; from the stored status, not DNS at send time',
    source: 'app/lib/dkim_header.rb:5-18',
    pinnedBy:
      'world/postal/postal-delivery.test.ts: keeps signing from the last check: a record changed since is not seen until the domain is checked again',
    observed: 'dkim_status OK: d=mailgoat.ai; s=postal-WABfNv. Set to Missing: d=rp.postal.mailgoat.ai; s=postal with signing.key.',
    controls: ['FN-04', 'FN-05'],
  },
  {
    behaviour:
      'DKIM-Signature laid out as DKIMHeader writes it: v a c d s+t bh h b, tab-folded, h= the listed headers present in lower case and message order, b= in 72-character lines, no q=/i=/x=; signed once with X-Postal-MsgID below it, stored',
    source:
      'app/lib/dkim_header.rb:21-23,33-47,101-110; lib/postal/message_db/message.rb:413-420; app/lib/message_dequeuer/outgoing_message_processor.rb:112-116',
    pinnedBy:
      'world/postal/dkim-header.test.ts: lays the header out as a real Postal 3.3.2 does: a, c, d, s+t, bh, h, b, tab-folded, no q=, b= in 72-character lines',
    observed:
      'h=date:from:to:message-id:subject:mime-version:content-type:content-transfer-encoding; verified by dkimpy on all five captured messages.',
    controls: ['FN-04', 'FN-05'],
  },
  {
    behaviour:
      "send/message's message as the mail gem writes it: Received, Date, From, Sender, Reply-To, To, Cc, Message-ID <uuid@return path domain>, Subject, Mime-Version, Content-Type, CTE, then custom headers; always multipart/mixed → alternative → text parts",
    source: 'app/models/outgoing_message_prototype.rb:151-183 (raw_message)',
    pinnedBy:
      'world/postal/compose-message.test.ts: is byte for byte the real one for a plain_body message: multipart/mixed → alternative → text/plain, the gem’s header order',
    differs: "Attachments' MIME layout follows the mail gem's usual form; it was not compared with a real Postal.",
    observed:
      'Byte for byte (boundaries and uuid aside) the message a real 3.3.2 stored for a plain_body send; with html_body and Reply-To/Cc the same header order.',
    controls: ['FN-01', 'FN-02', 'FN-05'],
  },
  {
    behaviour:
      'Received: "from <helo> (<PTR of the IP, or the IP> [<ip>]) by <web_hostname> with HTTP; … +0000" for the API, "… by <smtp_hostname> with SMTP; … -0000" for SMTP',
    source: 'app/lib/received_header.rb:12-24; app/models/outgoing_message_prototype.rb:180',
    pinnedBy:
      'world/postal/compose-message.test.ts: names the client by its PTR when it has one, encodes non-ASCII, and carries attachments a parser reads back',
    observed:
      '"Received: from api (127.0.0.1 [127.0.0.1]) by postal.mailgoat.ai with HTTP; Sun, 06 Dec 2026 21:34:46 +0000"; SMTP "… by mail.mailgoat.ai with SMTP; … -0000".',
    controls: ['FN-05'],
  },
  {
    behaviour:
      'MAIL FROM <server token>@<prefix>.<domain> while return_path_status is OK, else <token>@<dns.return_path_domain>; Resent-Sender added after signing',
    source: 'app/senders/smtp_sender.rb:139-153 (determine_mail_from_for_message), :60-63 (Resent-Sender)',
    pinnedBy: 'world/postal/postal-delivery.test.ts: uses the return path domain in MAIL FROM when the return-path CNAME is missing',
    observed: 'MAIL FROM agebjx@psrp.mailgoat.ai; Resent-Sender on top of the delivered message, not in raw_message.',
    controls: ['FN-04', 'DNS-03'],
  },
  {
    behaviour:
      'SMTP delivery details: "Message for <rcpt> accepted by <ip>:<port> (<host>)"; with no MX reachable "No SMTP servers were available for <domain>. Tried <hosts as a sentence>."',
    source: 'app/senders/smtp_sender.rb:45-50,92-93; app/lib/smtp_client/endpoint.rb:23-25 (description)',
    pinnedBy: 'world/postal/postal-api.test.ts: lists deliveries in Postal shape',
    observed: '"Message for alice@recipient.test accepted by 127.0.190.20:25 (mx.recipient.test)".',
    controls: ['INF-05', 'FN-02'],
  },
  {
    behaviour:
      'Compose project services web, smtp, worker (runner under profile tools); MariaDB is a separate container postal-mariadb; no healthchecks',
    source: 'postalserver/install templates/docker-compose.v3.yml:1-40; prerequisites/install-ubuntu.v3.sh',
    pinnedBy:
      'world/postal/postal-delivery.test.ts: lists web, smtp and worker like `docker compose ps --format json`, and MariaDB apart like `docker ps -a`, following a stopped worker',
    differs: 'The service and container lists are served over HTTP by the world (an operator reads them with docker over SSH).',
    controls: ['INF-03'],
  },
  {
    behaviour: 'Health servers on 9090 (worker) and 9091 (smtp): /health "OK", /metrics Prometheus text, / "<name> (pid: N, host: H)"',
    source: 'app/util/health_server.rb:33; lib/postal/config_schema.rb (default_health_server_port)',
    pinnedBy: 'world/postal/postal-delivery.test.ts: serves /health and real counters on /metrics for the worker and smtp processes',
    differs: 'A stopped process answers 503 on its health port (a stopped container has no listener at all).',
    observed: 'worker :9090/health and smtp-server :9091/health answered "OK".',
    controls: ['INF-03'],
  },
  {
    behaviour: 'Incoming mail always gets X-Postal-Spam, -Threshold, -Score, X-Postal-Threat (score 0 without spamd)',
    source: 'app/lib/message_dequeuer/incoming_message_processor.rb:14; app/models/message.rb (inspect_message)',
    pinnedBy:
      "world/postal/postal-delivery.test.ts: routes mail for an agent to its endpoint with Postal's Hash payload, signed with the key in the JWKS",
    observed: 'X-Postal-Spam: no, X-Postal-Spam-Threshold: 5.0, X-Postal-Spam-Score: 0, X-Postal-Threat: no (no spam checker).',
    controls: ['FN-05', 'INF-05'],
  },
  {
    behaviour:
      'With rspamd enabled (preferred to spamd), the spam score is the sum of the scores of the symbols rspamd describes; an rspamd error is an ERROR check worth 0',
    source: 'lib/postal/message_inspectors/rspamd.rb:12-40, lib/postal/message_inspector.rb, lib/postal/message_inspection.rb',
    pinnedBy: 'world/spam/rspamd-verdict.test.ts: sums the scores of the symbols that have a description',
    differs:
      'The world starts rspamd only for benchmarks and capacity runs (--postal-rspamd=on), with its Internet-facing modules off; a scan error with spamd leaves the message uninspected in the stand-in, where Postal records an ERROR check worth 0.',
    controls: [],
  },
  {
    behaviour:
      'SMTP: banner "220 <smtp_hostname> ESMTP Postal/<8-character trace id>", EHLO without SIZE, VRFY/HELP/unknown AUTH 502, nested MAIL 250 (503 after a RCPT), brackets optional, unknown local part without catch-all 530',
    source: 'app/lib/smtp_server/client.rb:51-53 (trace_id), :151-161 (ehlo), :305-404 (rcpt_to); app/lib/smtp_server/server.rb',
    pinnedBy: "world/postal/postal-smtp.test.ts: answers commands as Postal 3.3.2's client.rb does where smtp-server would differ",
    differs:
      "Replies are smtp-server's with Postal's texts laid over; rare syntax errors keep smtp-server's wording; SMTP-IP credentials, route-domain addresses, loop detection and PROXY protocol are not implemented.",
    observed: 'Banner, EHLO, relay, unknown-recipient and bad-AUTH replies identical side by side; trace ids of 8 characters (XYGFXQ0J).',
    controls: ['INF-02', 'SEC-01', 'SEC-03'],
  },
  {
    behaviour:
      'STARTTLS only with postal.yml smtp_server.tls_enabled (default false): off → no STARTTLS in EHLO and "502 TLS not available"; the certificate is read when the first TLS session starts',
    source: 'lib/postal/config_schema.rb:265-280; app/lib/smtp_server/client.rb:139-158; app/lib/smtp_server/server.rb:13-20,60-68',
    pinnedBy:
      "world/postal/postal-smtp.test.ts: offers STARTTLS only with postal.yml's smtp_server.tls_enabled, read when smtp restarts; a certificate it cannot read breaks the handshake",
    observed:
      'tls_enabled true: "250-STARTTLS" then "220 Ready to start TLS"; SMTP_SERVER_TLS_ENABLED=false: no STARTTLS, "502 TLS not available".',
    controls: ['SEC-03'],
  },
  {
    behaviour: 'Incoming SMTP mail: received_with_ssl true after STARTTLS, null otherwise',
    source: 'app/lib/smtp_server/client.rb:142,502,516',
    pinnedBy: 'world/postal/postal-smtp.test.ts: queues an authenticated submission as outgoing and incoming mail for a route as incoming',
    observed: '"received_with_ssl":null in the endpoint payload for plaintext SMTP, true after STARTTLS.',
    controls: ['FN-07'],
  },
  {
    behaviour: 'Relay without authentication is refused at RCPT with 530 Authentication required',
    source: 'app/lib/smtp_server/client.rb:404',
    pinnedBy:
      'world/postal/postal-smtp.test.ts: accepts a routed local part, refuses an unknown one without a catch-all and accepts it with one',
    observed: 'MAIL 250 OK, RCPT "530 Authentication required", plaintext and after STARTTLS.',
    // DNS-09 asks the rua address (dmarc@, routed by the catch-all) at the MX the same way.
    controls: ['SEC-01', 'DNS-09'],
  },
  {
    behaviour:
      "STARTTLS presents the certificate at smtp_server.tls_certificate_path (default <config root>/smtp.cert), a file apart from the web proxy's certificate; TLS versions as the image's OpenSSL allows (ssl_version SSLv23 = negotiate)",
    source:
      'lib/postal/config_schema.rb:270-290 (smtp_server.tls_certificate_path, ssl_version), app/lib/smtp_server/server.rb:13-20,60-68 (ssl_context)',
    pinnedBy:
      'world/postal/postal-smtp.test.ts: upgrades with STARTTLS to a certificate for the mail host from the world CA, apart from the web one (smtp_server.tls_certificate_path)',
    controls: ['SEC-03', 'SEC-05', 'SEC-06'],
  },
  {
    behaviour:
      'send/raw with an empty rcpt_to runs the From check (find_authenticated_domain_from_headers) and answers success with no messages; a "use for any" domain authenticates any From',
    source:
      'app/controllers/legacy_api/send_controller.rb:83-125 (raw), app/models/server.rb:223-260 (authenticated_domain_for_address, find_authenticated_domain_from_headers)',
    pinnedBy:
      'world/postal/postal-api.test.ts: checks the From of a message with no recipient and creates nothing (the side-effect-free send test)',
    controls: ['INF-06', 'SEC-04'],
  },
  {
    behaviour:
      'RCPT TO read without syntax checks: up to the last < and from the first > dropped, split at the FIRST @, +tag cut; a local part with % or ! falls to the catch-all (accepted locally), user@x@own, quoted and source-routed forms get 530, a bare local part 501',
    source: 'app/lib/smtp_server/client.rb:305-407 (rcpt_to), app/models/route.rb:224 (find_by_name_and_domain)',
    pinnedBy:
      "world/postal/postal-smtp.test.ts: answers the classic relay-test recipient forms as Postal 3.3.2's rcpt_to does (first @, no syntax check, catch-all last)",
    controls: ['SEC-01'],
  },
  {
    behaviour:
      'API: HTTP 200 always; errors {status:"error", data:{…, code}} with code last; a wrong key is InvalidServerAPIKey (the key echoed in data.token)',
    source: 'app/controllers/legacy_api/base_controller.rb:83',
    pinnedBy:
      'world/postal/postal-api.test.ts: answers HTTP 500 in 3.3.2 when `_expansions` is missing, true or false, or `params` holds invalid JSON (upstream issue 2932)',
    observed: 'Wrong key: HTTP 200 {"status":"error",…,"data":{"message":…,"token":"<the key>","code":"InvalidServerAPIKey"}}.',
    controls: ['SEC-02', 'INF-06'],
  },
  {
    behaviour:
      'messages/message and messages/deliveries find an Integer id only: any String id (a Message-ID, a token, even "123") is HTTP 500; MessageNotFound otherwise',
    source:
      'lib/postal/message_db/message.rb:10-15 (find_one: only an Integer becomes {id:}); lib/postal/message_db/database.rb:352-377 (hash_to_sql on a String: NoMethodError)',
    pinnedBy: 'world/postal/postal-api.test.ts: finds a message by numeric id only and expands what `_expansions` lists',
    observed: '{"id":"1"} and {"id":"teuF3hEEmPPZfiQU"}: HTTP 500, even with _expansions; {"id":999999}: MessageNotFound.',
    controls: ['FN-06', 'INF-06'],
  },
  {
    behaviour:
      'messages/message in 3.3.2: `_expansions` missing/true/false → HTTP 500; a String is a substring test; 3.3.3 on: true = all, missing = none (follows postal.version); details carry bounce_for_id (0 when none) and no bounce_type',
    source:
      'app/controllers/legacy_api/messages_controller.rb:17-60 (3.3.2; fixed in 3.3.3 by 39f704c); lib/postal/message_db/migrations/02_create_messages.rb:35',
    pinnedBy:
      'world/postal/postal-api.test.ts: expands everything with `true` and nothing when it is missing from 3.3.3 on (commit 39f704c)',
    observed: '{"id":1} without _expansions and with true: HTTP 500; details had "bounce_for_id":0 and no bounce_type.',
    controls: ['INF-06', 'FN-06'],
  },
  {
    behaviour:
      'messages/message `attachments` expansion: filename, content_type, data (Base64.encode64, line-wrapped), size, hash (SHA1), for any message of the server found by its numeric id',
    source: 'app/controllers/legacy_api/messages_controller.rb:17-80 (message; attachments at 70-79)',
    pinnedBy: 'world/postal/postal-api.test.ts: finds a message by numeric id only and expands what `_expansions` lists',
    // FN-08 reads the DMARC reports that reached the rua agent's inbox through it.
    controls: ['FN-08'],
  },
  {
    behaviour: 'GET / redirects to /login?return_to=%2F',
    source: 'app/controllers/application_controller.rb:18-22 (login_required)',
    pinnedBy: 'world/postal/postal-api.test.ts: redirects / to /login, serves /login and the JWKS of the signing key',
    differs:
      "The web server answers any Host; Postal's Rails HostAuthorization answers 403 (empty) to a Host other than web_hostname, which the world's clients reaching it by address (the CLI's https://<address>) would get.",
    observed: '302 http://postal.mailgoat.ai/login?return_to=%2F; 403 with an empty body for Host 127.0.190.10:5000.',
    controls: ['INF-02', 'INF-04'],
  },
  {
    behaviour:
      'Hash payload to endpoints: size is a String, reply_to the header array; signed X-Postal-Signature (SHA1) and -256 with signing.key, kid in the JWKS; on the wire "X-Postal-Signature-Kid" (Net::HTTP capitalizes each word)',
    source: 'app/senders/http_sender.rb:66-110; lib/postal/http.rb:38-47',
    pinnedBy:
      "world/postal/postal-delivery.test.ts: routes mail for an agent to its endpoint with Postal's Hash payload, signed with the key in the JWKS",
    observed:
      'Headers Accept-Encoding, Accept, User-Agent: Postal/3.3.2, Content-Type, X-Postal-Signature-Kid, X-Postal-Signature, X-Postal-Signature-256; "size":"404".',
    controls: ['INF-05', 'FN-01', 'FN-06'],
  },
  {
    behaviour: 'Retries: 5xx or no connection → SoftFail and retry; 429 → HardFail without retry',
    source: 'app/senders/http_sender.rb:36-55; app/lib/message_dequeuer/base.rb:90',
    pinnedBy: 'world/postal/postal-delivery.test.ts: soft-fails and retries on 5xx, then sends',
    differs:
      'Postal retries after 5 min × 1.3^attempt (up to 18 attempts); the stand-in after 200 ms × 1.3^attempt for 5 attempts, so retries are observable in a test.',
    observed: 'A SoftFail was retried after 5 minutes.',
    controls: ['INF-05', 'FN-01'],
  },
  {
    behaviour:
      "Outgoing holds, in order: credential set to Hold, recipient on the suppression list, then the server send limit (messages in the last hour) — each a Held delivery with Postal's own words",
    source:
      'app/lib/message_dequeuer/outgoing_message_processor.rb:58,69,118 (hold_if_credential_is_set_to_hold, hold_if_recipient_on_suppression_list, check_send_limits)',
    pinnedBy: 'world/postal/postal-settings.test.ts: holds mail sent with a credential set to Hold, and mail to a suppressed recipient',
    differs:
      'Credential hold, the suppression list, the send limit and the outbound spam threshold exist only as fault settings (world/faults.ts); the stand-in never adds a recipient to the suppression list by itself.',
    controls: ['FN-01', 'FN-02', 'PERF-01'],
  },
  {
    behaviour:
      'Send limit: past Server#send_limit messages in the last hour, outgoing mail is Held "Message held because send limit (N) has been reached."',
    source:
      'app/lib/message_dequeuer/outgoing_message_processor.rb:118 (check_send_limits); app/models/server.rb:200 (send_limit_exceeded?)',
    pinnedBy: 'world/postal/postal-settings.test.ts: holds what passes the send limit, once the limit is reached',
    controls: ['PERF-01'],
  },
  {
    behaviour:
      'Names: the banner and the HELO answer are postal.smtp_hostname; the outbound HELO is dns.helo_hostname, else smtp_hostname, else "localhost"',
    source: 'app/lib/smtp_server/client.rb:126,163 (banner, helo); app/lib/smtp_client/endpoint.rb:142 (default_helo_hostname)',
    pinnedBy:
      'world/postal/postal-settings.test.ts: greets and answers HELO with postal.smtp_hostname, and gives dns.helo_hostname when it delivers',
    controls: ['FN-02'],
  },
  {
    behaviour:
      'smtp_server.ssl_version pins the SMTP server\'s TLS versions ("TLSv1": TLS 1.0 only); an SSL error on Postal\'s own STARTTLS to an MX in "Auto" mode is retried once without TLS',
    source:
      'app/lib/smtp_server/server.rb:66 (ssl_context.ssl_version), lib/postal/config_schema.rb:286 (ssl_version, default SSLv23), app/senders/smtp_sender.rb:179-203 (connect_to_endpoint: allow_ssl false)',
    pinnedBy:
      'world/postal/postal-settings.test.ts: speaks only TLS 1.0 under ssl_version "TLSv1", and delivers its own mail to such an MX in plain text',
    controls: ['SEC-03', 'INF-05', 'FN-02'],
  },
  {
    behaviour:
      'smtp_server.max_message_size (MB, default 14): a larger message gets "552 Message too large (maximum size NMB)" at the end of DATA — for mail between agents too, which passes Postal\'s own MX',
    source: 'app/lib/smtp_server/client.rb:464-469 (finished); lib/postal/config_schema.rb:301 (max_message_size)',
    pinnedBy: 'world/postal/postal-settings.test.ts: refuses a message over smtp_server.max_message_size at the end of DATA with 552',
    controls: ['FN-01'],
  },
  {
    behaviour:
      'Route modes: Reject refuses RCPT with 550; Hold holds ("accepted but not sent to any endpoints"); Accept marks Processed; Bounce hard-fails',
    source:
      'app/lib/smtp_server/client.rb:384 (rcpt_to); app/lib/message_dequeuer/incoming_message_processor.rb:122,131,146 (accept_mail_without_endpoints, hold_messages, bounce_messages)',
    pinnedBy: 'world/postal/postal-settings.test.ts: refuses RCPT for a route set to Reject, and holds mail for a route set to Hold',
    differs:
      'Route modes and additional route endpoints are fault settings by route name; Bounce records the HardFail without sending a bounce message.',
    controls: ['INF-05'],
  },
  {
    behaviour: 'Additional route endpoints: one incoming message per endpoint (route.rb create_messages), each POSTed to its own endpoint',
    source: 'app/models/route.rb:136 (create_messages)',
    pinnedBy:
      'world/postal/postal-settings.test.ts: makes one message per additional endpoint, and keeps the subject decoded and cut at 200 characters',
    controls: ['INF-05', 'FN-01'],
  },
  {
    behaviour:
      "The subject Postal keeps and posts is the decoded Subject (the Mail gem's field.decoded), cut at 200 characters; the Hash payload's header fields are decoded too",
    source: 'lib/postal/message_db/message.rb:335,91 (headers: field.decoded; subject: headers["subject"]&.last.to_s[0, 200])',
    pinnedBy:
      'world/postal/postal-settings.test.ts: makes one message per additional endpoint, and keeps the subject decoded and cut at 200 characters',
    controls: ['INF-05', 'FN-01', 'FN-07'],
  },
  {
    behaviour:
      'The worker picks up queued messages when it polls: each of its threads (2) takes one message per tick and ticks again at once after work, after 5 s when it found none',
    source:
      'app/lib/worker/process.rb:49-53,141-146 (work_sleep_time: 5); app/lib/worker/jobs/process_queued_messages_job.rb:45-51 (limit 1); lib/postal/config_schema.rb:134-137 (worker.threads 2)',
    pinnedBy:
      "world/postal/worker.test.ts: with Postal's poll, an idle worker takes a message at its next tick, and after work looks again at once",
    differs:
      "By default the stand-in processes a message as soon as it is queued (tens of milliseconds), so the world's tests stay fast; a real Postal took 0.2–4.3 s from SMTP to the endpoint and 2.4–5.4 s from the API to the receiving MX, so latency figures measured against such a world are lower than a real server's. `npm run world -- --postal-worker-poll=on` polls as Postal does (2 threads, 5 s idle sleep).",
    observed: 'SMTP DATA → endpoint POST 0.18–4.33 s; API → delivered at the MX 2.41–5.36 s.',
    controls: ['PERF-02'],
  },
];

/** Where the stand-in is knowingly not Postal beyond the ledger's behaviours. */
const OUTSIDE_THE_LEDGER = [
  'HTTP API: only the four v1 routes of the reference; a suspended server (ServerSuspended) only as a fault.',
  'Worker: no bounces (HardFail never generates a bounce message) and no webhooks; click/open tracking rewrites links only as a fault, without a tracking server; routes are HTTP endpoints (or a mode) only.',
  'Incoming spam: the stand-in never reports a threat (no ClamAV); `X-Postal-Threat` is always "no".',
  'Web UI: only /login exists, a stand-in shaped like Postal\'s login page (title "Postal", e-mail and password form) so the report\'s screenshot has something to show; logging in, the domain and DNS pages are not implemented.',
  "One server, one organization, one verified domain; in a world booted from provisioning's artifacts the domain's selector and key are the deployment file's and provisioning's (as if imported) — an empty world's Postal makes its own, as Postal does; messages and deliveries live in memory and are lost on stop.",
];

/** The report's limitations of the stand-in: every difference the ledger records, and what lies outside it. */
export const POSTAL_STAND_IN_LIMITATIONS: string[] = [
  ...FIDELITY_LEDGER.filter((e) => e.differs).map((e) => e.differs!),
  ...OUTSIDE_THE_LEDGER,
];
