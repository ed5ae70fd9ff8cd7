/**
 * Postal's web side and the server's ports as the Internet reaches them: TCP reachability, the
 * login page, and the TLS certificate the web host presents. The web URL is the target's (a live
 * setting), so the host and port probed are the ones users open.
 */
import type { TlsOutcome } from '../../core/smtp/smtp-dialogue.ts';
import type { PortProbe } from '../checks/port-reachability-check.ts';
import { probeTcp } from '../clients/tcp-probe.ts';
import { probeTls } from '../clients/tls-probe.ts';
import type { ProbeContext } from './probe-context.ts';

export interface WebEndpointProbe {
  /** Host and port of the web UI (from the target's web URL). */
  readonly host: string;
  readonly port: number;
  /** One TCP connection each: Postal's SMTP port and the web port. */
  reachability(): Promise<PortProbe[]>;
  loginPage(): Promise<{ status?: number; bodySnippet?: string; error?: string }>;
  certificate(): Promise<TlsOutcome>;
}

export function webEndpointProbe(context: ProbeContext): WebEndpointProbe {
  const { target } = context;
  const webUrl = new URL(target.postal?.webUrl ?? `https://${target.webHost}`);
  const host = webUrl.hostname;
  const port = Number(webUrl.port || (webUrl.protocol === 'http:' ? 80 : 443));
  const smtp = target.postal?.smtp ?? { host: target.mailHost, port: 25 };
  return {
    host,
    port,
    async reachability() {
      return [
        await probeTcp(smtp.host, smtp.port, context.lookup, target.timeouts.connectMs, 'server-speaks-first'),
        await probeTcp(host, port, context.lookup, target.timeouts.connectMs, webUrl.protocol === 'https:' ? 'tls-handshake' : undefined),
      ];
    },
    async loginPage() {
      try {
        const login = await context.http.request(new URL('/login', webUrl).toString());
        return { status: login.status, bodySnippet: login.body.slice(0, 200) };
      } catch (error) {
        return { error: (error as Error).message };
      }
    },
    certificate: () =>
      probeTls({ host, port, servername: host, ca: target.trustedCaPem, lookup: context.lookup, timeoutMs: target.timeouts.connectMs }),
  };
}
