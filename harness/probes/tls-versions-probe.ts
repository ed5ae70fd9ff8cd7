/**
 * SEC-05's observations: the web host (its URL's host and port) and the MX (25, STARTTLS) asked version by
 * version and suite group by suite group (harness/clients/tls-versions.ts), each attempt a handshake of its own.
 */
import { SmtpDialogue } from '../../core/smtp/smtp-dialogue.ts';
import type { EndpointTls } from '../checks/tls-protocols-check.ts';
import { directTlsEndpoint, probeTlsVersions, starttlsEndpoint } from '../clients/tls-versions.ts';
import type { ProbeContext } from './probe-context.ts';

export interface TlsVersionsProbe {
  endpoints(): Promise<{ endpoints: EndpointTls[]; notProbed: Array<{ endpoint: string; reason: string }> }>;
}

export function tlsVersionsProbe(context: ProbeContext): TlsVersionsProbe {
  const { target } = context;
  return {
    async endpoints() {
      const common = { ca: target.trustedCaPem, lookup: context.lookup, timeoutMs: target.timeouts.connectMs };
      const webUrl = new URL(target.postal?.webUrl ?? `https://${target.webHost}`);
      // The web host and the MX are asked side by side (each waits seconds on renegotiation); reported web first.
      const web: Promise<EndpointTls | undefined> =
        webUrl.protocol === 'https:'
          ? probeTlsVersions(
              directTlsEndpoint({ ...common, host: webUrl.hostname, port: Number(webUrl.port || 443), servername: webUrl.hostname }),
            ).then((report) => ({ service: 'web', ...report }))
          : Promise.resolve(undefined);
      const [webTls, mx] = await Promise.all([web, mxTls(context, common)]);
      return { endpoints: [...(webTls ? [webTls] : []), ...mx.endpoints], notProbed: mx.notProbed };
    },
  };
}

/** The MX on its SMTP port, through STARTTLS when it is offered. */
async function mxTls(
  context: ProbeContext,
  common: { ca?: string; lookup: ProbeContext['lookup']; timeoutMs: number },
): Promise<{ endpoints: EndpointTls[]; notProbed: Array<{ endpoint: string; reason: string }> }> {
  const { target } = context;
  const smtp = target.postal?.smtp ?? { host: target.mailHost, port: 25 };
  // No STARTTLS is SEC-03's finding; its TLS versions cannot be asked.
  const offered = await SmtpDialogue.open({
    host: smtp.host,
    port: smtp.port,
    lookup: context.lookup,
    timeoutMs: target.timeouts.connectMs,
  })
    .then(async ({ dialogue }) => {
      const { capabilities } = await dialogue.ehlo('tls-probe.postal-qa.invalid').finally(() => dialogue.close());
      return capabilities.includes('STARTTLS') ? undefined : 'STARTTLS is not offered (SEC-03)';
    })
    .catch((error: Error) => `no SMTP dialogue: ${error.message}`);
  if (offered) return { endpoints: [], notProbed: [{ endpoint: `${target.mailHost}:${smtp.port}`, reason: offered }] };
  const report = await probeTlsVersions(starttlsEndpoint({ ...common, host: smtp.host, port: smtp.port, servername: target.mailHost }));
  return { endpoints: [{ service: 'smtp', ...report }], notProbed: [] };
}
