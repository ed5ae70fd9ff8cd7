/**
 * Relays one message to a recipient domain the way an MTA does: MX lookup through the world's DNS
 * (the domain's own A record when it has no MX, RFC 5321 §5.1), MX hosts in preference order,
 * connecting from a fixed local address with a fixed HELO. STARTTLS is opportunistic, as Internet MTAs use it
 * (RFC 3207 §4.1, Postfix's smtp_tls_security_level=may): the certificate is verified against the world CA,
 * and one that cannot be verified (self-signed, another CA, another name) is noted on the result, not refused —
 * judging an MX's certificate is SEC-03's job, not the sender's. A 5xx ends the attempt (the domain refused);
 * a 4xx or a connection failure tries the next host.
 */
import type { promises as dns } from 'node:dns';
import nodemailer from 'nodemailer';

export interface RelayOptions {
  resolver: dns.Resolver;
  localAddress: string;
  helo: string;
  /** PEM of the CA that STARTTLS certificates must chain to */
  ca: string;
  port?: number;
  timeoutMs?: number;
}

export interface RelayResult {
  domain: string;
  recipients: string[];
  accepted: boolean;
  /** SMTP reply code of the last attempt (0 when no server answered) */
  code: number;
  /** the last server reply or the error */
  response: string;
  mx?: string;
  ip?: string;
  /** set when STARTTLS went ahead with a certificate that could not be verified (why) */
  unverifiedTls?: string;
}

/** Errors of a TLS handshake that only a verifying client raises: the certificate's chain, name or dates. */
const CERTIFICATE_ERROR = /certificate|self[- ]signed|unable to verify|UNABLE_TO_|ERR_TLS_CERT|DEPTH_ZERO|CERT_/i;

interface Target {
  host: string;
  ip: string;
}

async function targetsFor(domain: string, resolver: dns.Resolver): Promise<Target[]> {
  let hosts: string[];
  try {
    const mx = await resolver.resolveMx(domain);
    hosts = mx.sort((a, b) => a.priority - b.priority).map((m) => m.exchange);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENODATA') throw error;
    hosts = [domain];
  }
  const targets: Target[] = [];
  for (const host of hosts) {
    try {
      for (const ip of await resolver.resolve4(host)) targets.push({ host, ip });
    } catch {
      // an MX without an address is skipped, like any MTA does
    }
  }
  return targets;
}

export async function relayToDomain(
  domain: string,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  options: RelayOptions,
): Promise<RelayResult> {
  const base = { domain, recipients: envelope.to };
  let targets: Target[];
  try {
    targets = await targetsFor(domain, options.resolver);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const permanent = code === 'ENOTFOUND';
    return {
      ...base,
      accepted: false,
      code: permanent ? 550 : 451,
      response: `MX lookup for ${domain} failed: ${code ?? (error as Error).message}`,
    };
  }
  if (targets.length === 0) return { ...base, accepted: false, code: 550, response: `${domain} has no MX host with an address` };

  let last: RelayResult = { ...base, accepted: false, code: 0, response: 'not attempted' };
  for (const target of targets) {
    let attempt = await sendTo(target, envelope, raw, options, true);
    if (!attempt.accepted && attempt.code === 0 && CERTIFICATE_ERROR.test(attempt.response)) {
      // Opportunistic TLS: encrypt anyway, and say the certificate was not verified.
      const why = attempt.response;
      attempt = { ...(await sendTo(target, envelope, raw, options, false)), unverifiedTls: why };
    }
    last = { ...base, ...attempt };
    if (attempt.accepted || last.code >= 500) return last;
  }
  return last;
}

async function sendTo(
  target: Target,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  options: RelayOptions,
  verify: boolean,
): Promise<Omit<RelayResult, 'domain' | 'recipients'>> {
  const timeout = options.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    host: target.ip,
    port: options.port ?? 25,
    name: options.helo,
    localAddress: options.localAddress,
    opportunisticTLS: true,
    tls: { ca: [options.ca], servername: target.host, rejectUnauthorized: verify },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
  });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return {
      accepted: true,
      code: Number(/^\d{3}/.exec(info.response)?.[0] ?? 250),
      response: info.response,
      mx: target.host,
      ip: target.ip,
    };
  } catch (error) {
    const e = error as Error & { responseCode?: number; response?: string };
    return { accepted: false, code: e.responseCode ?? 0, response: e.response ?? e.message, mx: target.host, ip: target.ip };
  } finally {
    transport.close();
  }
}
