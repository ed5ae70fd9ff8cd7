/**
 * STARTTLS for Postal's SMTP server. Postal 3.3.2 offers it only with postal.yml `smtp_server.tls_enabled`
 * (default false, lib/postal/config_schema.rb:265) and reads `tls_certificate_path` / `tls_private_key_path`
 * once per process (app/lib/smtp_server/server.rb:13-20, memoised), so:
 * - postal.yml turns TLS on with Postal's default paths, /config/smtp.cert and /config/smtp.key;
 * - until Caddy has a certificate for the mail host, a self-signed one made on the server stands in
 *   (Internet senders use STARTTLS opportunistically and do not verify it);
 * - Caddy obtains and renews the mail host's certificate (the Caddyfile names the host), and
 *   /opt/postal/bin/postal-smtp-tls-sync copies it to smtp.cert/smtp.key (owner 999, Postal's user: Caddy's
 *   own files are root's, mode 600) and restarts the smtp service when it changed — run by provisioning and
 *   daily by /etc/cron.d/postal-smtp-tls, well inside Caddy's 30-day renewal window.
 */
import { isDocument, parseDocument } from 'yaml';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { createHostLookup } from '../../core/dns/host-lookup.ts';
import { SmtpDialogue, type TlsOutcome } from '../../core/smtp/smtp-dialogue.ts';

export const SMTP_CERT = 'config/smtp.cert';
export const SMTP_KEY = 'config/smtp.key';
export const SYNC_SCRIPT = 'bin/postal-smtp-tls-sync';
/** Outside /opt/postal: relative to the server's root. */
export const CRON_FILE = 'etc/cron.d/postal-smtp-tls';

/** postal.yml's smtp_server lines that turn STARTTLS on (the paths are Postal's defaults, written out). */
export const SMTP_TLS_YML = '  tls_enabled: true\n  tls_certificate_path: /config/smtp.cert\n  tls_private_key_path: /config/smtp.key';

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function renderSmtpTlsSync(deployment: Deployment): string {
  const host = deployment.server.mailHost.toLowerCase();
  return `#!/bin/bash
# postal-smtp-tls-sync — written by postal-qa's provisioning (npm run provision); rewritten by it when it changes.
# Caddy obtains and renews the certificate of ${host} (its Caddyfile names the host). Postal's SMTP server
# reads smtp_server.tls_certificate_path and tls_private_key_path (/config/smtp.cert, /config/smtp.key) once,
# when it starts. This copies Caddy's current certificate and key there, for Postal's user (uid 999), when
# they changed, and restarts Postal's smtp service. Run daily by /etc/cron.d/postal-smtp-tls.
# Exit 0: installed or unchanged; 3: Caddy has no certificate for ${host} yet (smtp keeps the one it has).
set -eu
P="\${P:-/opt/postal}"
HOST=${quote(host)}
cert=$(ls -t "$P"/caddy-data/caddy/certificates/*/"$HOST"/"$HOST".crt 2>/dev/null | head -n 1 || true)
if [ -z "$cert" ] || [ ! -f "\${cert%.crt}.key" ]; then
  echo "no certificate from Caddy for $HOST yet"
  exit 3
fi
key="\${cert%.crt}.key"
if cmp -s "$cert" "$P/config/smtp.cert" && cmp -s "$key" "$P/config/smtp.key"; then
  echo "unchanged: $cert"
  exit 0
fi
install -m 644 -o 999 -g 999 "$cert" "$P/config/smtp.cert.new"
install -m 600 -o 999 -g 999 "$key" "$P/config/smtp.key.new"
mv -f "$P/config/smtp.key.new" "$P/config/smtp.key"
mv -f "$P/config/smtp.cert.new" "$P/config/smtp.cert"
docker compose -p postal -f "$P/install/docker-compose.yml" restart smtp >/dev/null
echo "installed: $cert"
`;
}

export function renderSmtpTlsCron(): string {
  return `# Written by postal-qa's provisioning: install the certificate Caddy renewed for Postal's SMTP STARTTLS.
17 4 * * * root /opt/postal/${SYNC_SCRIPT} >/dev/null
`;
}

/** A self-signed certificate for the mail host, only while smtp.cert is missing: STARTTLS works from the first start. */
export function placeholderCertificateScript(prelude: string, mailHost: string): string {
  const host = quote(mailHost.toLowerCase());
  return `${prelude}[ -f "$P/${SMTP_CERT}" ] && [ -f "$P/${SMTP_KEY}" ] && exit 0
install -d -m 0755 "$P/config"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN="${host} -addext "subjectAltName=DNS:"${host} -keyout "$P/${SMTP_KEY}.new" -out "$P/${SMTP_CERT}.new" 2>/dev/null
chmod 600 "$P/${SMTP_KEY}.new"; chmod 644 "$P/${SMTP_CERT}.new"
chown 999:999 "$P/${SMTP_KEY}.new" "$P/${SMTP_CERT}.new" 2>/dev/null || true
mv -f "$P/${SMTP_KEY}.new" "$P/${SMTP_KEY}"
mv -f "$P/${SMTP_CERT}.new" "$P/${SMTP_CERT}"
`;
}

/** Runs the sync script; exit 3 (Caddy has no certificate yet) is not a failure. */
export function syncScript(prelude: string): string {
  return `${prelude}set +e\n"$P/${SYNC_SCRIPT}"\ncode=$?\n[ "$code" = 3 ] && exit 0\nexit $code\n`;
}

/** Caddy's certificate for the mail host and whether smtp.cert is it (observation lines, no change). */
export function certificateObservation(mailHost: string): string {
  const host = quote(mailHost.toLowerCase());
  return `cert=$(ls -t "$P"/caddy-data/caddy/certificates/*/${host}/${host}.crt 2>/dev/null | head -n 1)
if [ -n "$cert" ]; then echo "caddycert=present"; else echo "caddycert=missing"; fi
if [ ! -f "$P/${SMTP_CERT}" ] || [ ! -f "$P/${SMTP_KEY}" ]; then echo "smtpcert=missing"
elif [ -n "$cert" ] && cmp -s "$cert" "$P/${SMTP_CERT}"; then echo "smtpcert=caddy"
else echo "smtpcert=other"; fi
`;
}

/**
 * The managed keys of an existing postal.yml brought to what this version writes: SMTP TLS on (a
 * postal.yml from before has none of it, and Postal's default is off), and `message_db.prefix` —
 * not a 3.3.2 key, silently ignored — renamed `database_name_prefix`. Comments and other keys are kept.
 */
export function postalYmlUpdates(text: string): { text: string; changes: string[] } {
  const doc = parseDocument(text);
  if (!isDocument(doc) || doc.errors.length > 0) return { text, changes: ['postal.yml does not parse as YAML: fix it by hand'] };
  const changes: string[] = [];
  if (doc.getIn(['smtp_server', 'tls_enabled']) !== true) {
    doc.setIn(['smtp_server', 'tls_enabled'], true);
    if (doc.getIn(['smtp_server', 'tls_certificate_path']) === undefined)
      doc.setIn(['smtp_server', 'tls_certificate_path'], '/config/smtp.cert');
    if (doc.getIn(['smtp_server', 'tls_private_key_path']) === undefined)
      doc.setIn(['smtp_server', 'tls_private_key_path'], '/config/smtp.key');
    changes.push('smtp_server.tls_enabled: true (STARTTLS; off by default)');
  }
  const prefix = doc.getIn(['message_db', 'prefix']);
  if (prefix !== undefined) {
    if (doc.getIn(['message_db', 'database_name_prefix']) === undefined) doc.setIn(['message_db', 'database_name_prefix'], prefix);
    doc.deleteIn(['message_db', 'prefix']);
    changes.push('message_db.prefix renamed database_name_prefix (the 3.3.2 key)');
  }
  return { text: changes.length ? doc.toString() : text, changes };
}

export interface StartTlsObservation {
  /** EHLO listed STARTTLS */
  offered: boolean;
  /** the STARTTLS reply and handshake, when offered */
  reply?: string;
  tls?: TlsOutcome;
  /** could not speak SMTP at all */
  error?: string;
}

/** STARTTLS on the server's port 25 from outside, as a sending server sees it; the chain checked against `ca` or the system's. */
export async function probeStartTls(options: {
  host: string;
  port?: number;
  mailHost: string;
  ca?: string;
  timeoutMs?: number;
}): Promise<StartTlsObservation> {
  let dialogue: SmtpDialogue | undefined;
  try {
    const opened = await SmtpDialogue.open({
      host: options.host,
      port: options.port ?? 25,
      lookup: createHostLookup('system', options.timeoutMs ?? 15_000),
      timeoutMs: options.timeoutMs ?? 15_000,
    });
    dialogue = opened.dialogue;
    if (opened.greeting.code !== 220) return { offered: false, error: `greeting ${opened.greeting.text}` };
    const { capabilities } = await dialogue.ehlo('provisioning.postal-qa.invalid');
    if (!capabilities.includes('STARTTLS')) return { offered: false };
    const started = await dialogue.startTls({ servername: options.mailHost, ...(options.ca ? { ca: options.ca } : {}) });
    return { offered: true, reply: `${started.reply.code} ${started.reply.lines.join(' ')}`, ...(started.tls ? { tls: started.tls } : {}) };
  } catch (error) {
    return { offered: false, error: (error as Error).message };
  } finally {
    dialogue?.close();
  }
}
