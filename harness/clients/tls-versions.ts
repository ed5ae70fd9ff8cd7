/**
 * TLS offered version by version and suite group by suite group, as testssl.sh asks: each attempt a
 * handshake of its own that offers only that version (or only those suites), so what completes is what
 * the server accepts. Node's OpenSSL 3 reaches TLS 1.0 and 1.1 only at security level 0, and has no SSLv3
 * and no RC4, DES, 3DES or EXPORT suites at all: those are reported as not testable, never as refused.
 */
import { connect, createSecureContext, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { LookupFunction } from '../../core/dns/host-lookup.ts';
import { SmtpDialogue, type TlsOutcome } from '../../core/smtp/smtp-dialogue.ts';

export type TlsVersion = 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export type Offer = 'accepted' | 'refused' | 'untestable';

/** testssl.sh's cipher categories that a TLS 1.2 client can still offer, each as an OpenSSL cipher string. */
export const WEAK_SUITE_GROUPS = [
  { id: 'null', label: 'NULL ciphers (no encryption)', ciphers: 'eNULL', grade: 'NOT ok' },
  { id: 'anonymous', label: 'anonymous (aNULL) ciphers, no authentication', ciphers: 'aNULL', grade: 'NOT ok' },
  { id: 'export', label: 'EXPORT ciphers', ciphers: 'EXPORT', grade: 'NOT ok' },
  { id: 'low', label: 'LOW: 64-bit and DES ciphers', ciphers: 'LOW:DES', grade: 'NOT ok' },
  { id: 'rc4', label: 'RC4 ciphers', ciphers: 'RC4', grade: 'NOT ok' },
  { id: '3des', label: 'triple DES ciphers (SWEET32)', ciphers: '3DES', grade: 'medium' },
  { id: 'no-forward-secrecy', label: 'key exchange without forward secrecy (static RSA)', ciphers: 'kRSA', grade: 'not ok for PFS' },
  {
    id: 'cbc',
    label: 'obsoleted CBC ciphers with forward secrecy',
    ciphers: 'ECDHE+AES+SHA1:ECDHE+AES+SHA256:ECDHE+AES+SHA384:DHE+AES+SHA1',
    grade: 'low',
  },
] as const;

export interface EndpointTlsReport {
  endpoint: string;
  versions: Record<TlsVersion, Offer>;
  /** what a version attempt or a group attempt negotiated, for evidence */
  negotiated: Record<string, string>;
  weakSuites: Array<{ id: string; label: string; grade: string; offer: Offer; cipher?: string }>;
  /** a client-initiated renegotiation on a TLS 1.2 connection */
  renegotiation: Offer;
  /** why the endpoint could not be probed at all */
  error?: string;
}

export interface TlsEndpoint {
  /** e.g. "postal.mailgoat.ai:443" or "mail.mailgoat.ai:25 (STARTTLS)" */
  label: string;
  /** One handshake offering only what `tls` allows. */
  handshake(
    tls: Pick<ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'>,
  ): Promise<{ outcome: TlsOutcome; socket?: TLSSocket; close(): void }>;
}

/** Can this client offer `ciphers` at all? OpenSSL 3 without the legacy provider has no RC4, DES, EXPORT. */
function offerable(ciphers: string): boolean {
  try {
    createSecureContext({ ciphers: `${ciphers}@SECLEVEL=0`, maxVersion: 'TLSv1.2' });
    return true;
  } catch {
    return false;
  }
}

const VERSIONS: Array<Exclude<TlsVersion, 'SSLv3'>> = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export async function probeTlsVersions(endpoint: TlsEndpoint): Promise<EndpointTlsReport> {
  const report: EndpointTlsReport = {
    endpoint: endpoint.label,
    versions: { SSLv3: 'untestable', TLSv1: 'refused', 'TLSv1.1': 'refused', 'TLSv1.2': 'refused', 'TLSv1.3': 'refused' },
    negotiated: {},
    weakSuites: [],
    renegotiation: 'untestable',
  };
  // Renegotiation has to wait for a server that ignores it (testssl.sh waits too, 3 s): asked at once, beside
  // the versions and the suite groups. Its own TLS 1.2 handshake fails where TLS 1.2 is refused: untestable.
  const renegotiation = renegotiates(endpoint);
  // Awaited below (its error lands in report.error); not an unhandled rejection while a handshake throws first.
  renegotiation.catch(() => undefined);
  try {
    for (const version of VERSIONS) {
      const legacy = version === 'TLSv1' || version === 'TLSv1.1';
      const attempt = await endpoint.handshake({
        minVersion: version,
        maxVersion: version,
        ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      });
      attempt.close();
      report.versions[version] = attempt.outcome.ok && attempt.outcome.protocol === version ? 'accepted' : 'refused';
      if (attempt.outcome.ok) report.negotiated[version] = `${attempt.outcome.protocol} ${attempt.outcome.cipher ?? ''}`.trim();
    }
    const below13 = (['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const).find((v) => report.versions[v] === 'accepted');
    for (const group of WEAK_SUITE_GROUPS) {
      if (!below13 || !offerable(group.ciphers)) {
        report.weakSuites.push({ id: group.id, label: group.label, grade: group.grade, offer: 'untestable' });
        continue;
      }
      const attempt = await endpoint.handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: `${group.ciphers}@SECLEVEL=0` });
      attempt.close();
      report.weakSuites.push({
        id: group.id,
        label: group.label,
        grade: group.grade,
        offer: attempt.outcome.ok ? 'accepted' : 'refused',
        ...(attempt.outcome.cipher ? { cipher: attempt.outcome.cipher } : {}),
      });
    }
    const renegotiated = await renegotiation;
    report.renegotiation = report.versions['TLSv1.2'] === 'accepted' ? renegotiated : 'untestable';
  } catch (error) {
    report.error = (error as Error).message;
  }
  return report;
}

/** testssl.sh's "Client-initiated renegotiation": does the server go through a second handshake the client asks for? */
async function renegotiates(endpoint: TlsEndpoint): Promise<Offer> {
  const attempt = await endpoint.handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  const socket = attempt.socket;
  if (!attempt.outcome.ok || !socket) {
    attempt.close();
    return 'untestable';
  }
  const result = await new Promise<Offer>((resolve) => {
    const timer = setTimeout(() => resolve('refused'), 3_000);
    socket.once('error', () => undefined);
    const started = socket.renegotiate({ rejectUnauthorized: false }, (error) => {
      clearTimeout(timer);
      resolve(error ? 'refused' : 'accepted');
    });
    if (!started) {
      clearTimeout(timer);
      resolve('untestable');
    }
  });
  attempt.close();
  return result;
}

/** A TLS port (443): one connection per handshake. */
export function directTlsEndpoint(options: {
  host: string;
  port: number;
  servername: string;
  ca?: string;
  lookup: LookupFunction;
  timeoutMs: number;
}): TlsEndpoint {
  return {
    label: `${options.servername}:${options.port}`,
    handshake: (tls) =>
      new Promise((resolve) => {
        const socket = connect({
          ...tls,
          host: options.host,
          port: options.port,
          servername: options.servername,
          ca: options.ca,
          lookup: options.lookup,
          rejectUnauthorized: false,
        });
        const close = (): void => void socket.destroy();
        const timer = setTimeout(
          () => resolve({ outcome: failed(`no TLS handshake within ${options.timeoutMs} ms`), close }),
          options.timeoutMs,
        );
        socket.once('secureConnect', () => {
          clearTimeout(timer);
          resolve({ outcome: describe(socket), socket, close });
        });
        socket.once('error', (error: Error) => {
          clearTimeout(timer);
          resolve({ outcome: failed(error.message), close });
        });
      }),
  };
}

/** SMTP on 25: a connection, EHLO and STARTTLS per handshake. */
export function starttlsEndpoint(options: {
  host: string;
  port: number;
  servername: string;
  ca?: string;
  lookup: LookupFunction;
  timeoutMs: number;
}): TlsEndpoint {
  return {
    label: `${options.servername}:${options.port} (STARTTLS)`,
    async handshake(tls) {
      const { dialogue } = await SmtpDialogue.open({
        host: options.host,
        port: options.port,
        lookup: options.lookup,
        timeoutMs: options.timeoutMs,
      });
      const close = (): void => dialogue.close();
      try {
        await dialogue.ehlo('tls-probe.postal-qa.invalid');
        const { reply, tls: outcome } = await dialogue.startTls({ servername: options.servername, ca: options.ca, tls });
        return {
          outcome: outcome ?? failed(`STARTTLS refused: ${reply.code} ${reply.lines.join(' ')}`),
          socket: dialogue.secureSocket,
          close,
        };
      } catch (error) {
        close();
        return { outcome: failed((error as Error).message), close };
      }
    },
  };
}

const failed = (error: string): TlsOutcome => ({ ok: false, authorized: false, error, subjectAltNames: [] });

function describe(socket: TLSSocket): TlsOutcome {
  return {
    ok: true,
    authorized: socket.authorized,
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    subjectAltNames: [],
  };
}
