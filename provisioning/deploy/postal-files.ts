/**
 * The files Postal's install keeps in /opt/postal, rendered from the deployment file and the
 * generated secrets — the shapes of postalserver/install's examples/postal.v3.yml (`version: 2`; with
 * Postal 3.3.2's key `message_db.database_name_prefix`, and SMTP TLS on, which is off by default),
 * examples/Caddyfile and templates/docker-compose.v3.yml ({{version}} replaced, as set-postal-version does).
 * Postal 3 uses no RabbitMQ (its plan still lists one): nothing here starts it.
 */
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { InstallSecrets } from './install-secrets.ts';
import { SMTP_TLS_YML } from './smtp-tls.ts';

export function renderPostalYml(deployment: Deployment, secrets: InstallSecrets): string {
  const { server, dns } = deployment;
  const mailHost = server.mailHost;
  const db = (extra: string): string => `  host: 127.0.0.1\n  username: root\n  password: "${secrets.mariadbRootPassword}"\n${extra}`;
  return `version: 2

postal:
  web_hostname: ${server.webHost}
  web_protocol: https
  smtp_hostname: ${mailHost}

main_db:
${db('  database: postal\n')}
message_db:
${db('  database_name_prefix: postal\n')}
smtp_server:
  default_bind_address: "::"
${SMTP_TLS_YML}

dns:
  mx_records:
${dns.mx.map((mx) => `    - ${mx.host}`).join('\n')}
  spf_include: ${dns.spf.include}
  return_path_domain: ${dns.returnPath.target}
  route_domain: routes.${mailHost}
  track_domain: ${dns.track.target}
  dkim_identifier: ${deployment.postal.dkimIdentifier}
  custom_return_path_prefix: ${dns.returnPath.name}

rails:
  secret_key: ${secrets.railsSecretKey}
`;
}

/**
 * Caddy serves the web host, and holds a certificate for the mail host too: it obtains and renews one
 * for every site it names, and postal-smtp-tls-sync (smtp-tls.ts) installs that certificate for Postal's SMTP.
 */
export function renderCaddyfile(deployment: Deployment): string {
  const { webHost, mailHost } = deployment.server;
  const web = `${webHost} {\n  reverse_proxy 127.0.0.1:5000\n}\n`;
  if (mailHost.toLowerCase() === webHost.toLowerCase()) return web;
  return `${web}\n# Only so that Caddy obtains and renews a certificate for ${mailHost}: Postal's SMTP STARTTLS uses it.\n${mailHost} {\n  respond "${mailHost} is Postal's mail host" 404\n}\n`;
}

export function renderMariadbEnv(secrets: InstallSecrets): string {
  return `MARIADB_DATABASE=postal\nMARIADB_ROOT_PASSWORD=${secrets.mariadbRootPassword}\n`;
}

export function renderComposeFile(deployment: Deployment): string {
  const version = deployment.postal.version;
  const service = (command: string, extra = ''): string =>
    `    image: ghcr.io/postalserver/postal:${version}\n    command: ${command}\n    network_mode: host\n${extra}    volumes:\n      - /opt/postal/config:/config\n`;
  return `version: "3.9"
services:
  web:
${service('postal web-server')}    restart: unless-stopped

  smtp:
${service('postal smtp-server', '    cap_add:\n      - NET_BIND_SERVICE\n')}    restart: unless-stopped

  worker:
${service('postal worker')}    restart: unless-stopped

  runner:
    profiles: ["tools"]
${service('postal')}`;
}
