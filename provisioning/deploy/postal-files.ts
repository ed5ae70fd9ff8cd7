/**
 * The files Postal's install keeps in /opt/postal, rendered from the deployment file and the
 * generated secrets — the shapes of postalserver/install's examples/postal.v3.yml (`version: 2`),
 * examples/Caddyfile and templates/docker-compose.v3.yml ({{version}} replaced, as set-postal-version does).
 * Postal 3 uses no RabbitMQ (its plan still lists one): nothing here starts it.
 */
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { InstallSecrets } from './install-secrets.ts';

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
${db('  prefix: postal\n')}
smtp_server:
  default_bind_address: "::"

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

export function renderCaddyfile(deployment: Deployment): string {
  return `${deployment.server.webHost} {\n  reverse_proxy 127.0.0.1:5000\n}\n`;
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
