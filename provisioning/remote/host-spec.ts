/** `user@host[:port]`, the one way provisioning names the server (flag --host or PROVISION_HOST). */
import { isIP } from 'node:net';
import { ConfigError } from '../../core/config-error.ts';

export interface HostSpec {
  user: string;
  host: string;
  port: number;
}

const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function parseHostSpec(text: string, namedBy: string): HostSpec {
  const hint = `${namedBy}: expected user@host[:port] (e.g. root@91.98.35.3 or deploy@mail.mailgoat.ai:2222)`;
  const at = text.indexOf('@');
  if (at <= 0) throw new ConfigError(`${hint}, found "${text}" (no user@)`);
  const user = text.slice(0, at);
  let rest = text.slice(at + 1);
  let port = 22;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && isIP(rest) !== 6) {
    const portText = rest.slice(colon + 1);
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new ConfigError(`${hint}; the port "${portText}" is not a number from 1 to 65535`);
    rest = rest.slice(0, colon);
  }
  if (!USER.test(user)) throw new ConfigError(`${hint}; "${user}" is not a user name`);
  if (!(isIP(rest) || HOSTNAME.test(rest))) throw new ConfigError(`${hint}; "${rest}" is not a host name or IP address`);
  return { user, host: rest, port };
}

export const formatHostSpec = (spec: HostSpec): string => `${spec.user}@${spec.host}${spec.port === 22 ? '' : `:${spec.port}`}`;
