/**
 * INF-01 — the server is reachable: a TCP connection to each required port (25 for SMTP, 443 for
 * the web UI) succeeds and the service behind it answers in its protocol (a black hole only accepts). The client records one probe per host:port; this check only reads them.
 * The error code tells a firewall (timeout) from a stopped service (refused), so the remediation does too.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface PortProbe {
  host: string;
  port: number;
  reachable: boolean;
  /** The IP actually connected to (or tried), when the host was a name. */
  address?: string;
  /** e.g. "ETIMEDOUT: connect timed out after 5000 ms", "ECONNREFUSED". */
  error?: string;
  /**
   * Whether the service said anything in its protocol after the accept (an SMTP greeting, a TLS answer);
   * undefined when the probe did not ask. A black hole accepts TCP and says nothing.
   */
  answered?: boolean;
  /** How long the TCP connect took (elapsedMs also counts the first words). */
  connectMs?: number;
  elapsedMs: number;
}

export interface PortReachabilityOptions {
  /** Ports that must have been probed; a port nobody probed is a failure, not a pass. Default 25 and 443. */
  requiredPorts?: number[];
  /** A connect slower than this is a warning (a congested or rate-limited path). Default 3000 ms. */
  slowMs?: number;
}

const SERVICE: Record<number, string> = {
  25: 'SMTP (Postal smtp-server)',
  443: 'HTTPS (the TLS proxy in front of Postal web)',
  80: 'HTTP',
  587: 'submission',
};

function remediationFor(probe: PortProbe): string {
  const where = `${probe.host}:${probe.port}`;
  const error = (probe.error ?? '').toUpperCase();
  const port25 =
    probe.port === 25
      ? ' Also ask the provider about port 25: Hetzner blocks it (and 465) on new accounts until you request an unblock (granted once the first invoice is paid), which stops outgoing mail even when inbound works.'
      : '';
  if (error.includes('ECONNREFUSED')) {
    const who =
      probe.port === 25 ? 'the Postal smtp container' : probe.port === 443 ? 'the TLS proxy (Caddy) in front of Postal web' : 'the service';
    return `Nothing accepts connections on ${where}: start ${who} (\`docker compose -p postal ps\`, \`postal start\`) and make sure it listens on 0.0.0.0, not 127.0.0.1.`;
  }
  if (error.includes('ENOTFOUND') || error.includes('EAI_AGAIN')) {
    return `${probe.host} does not resolve: publish its A record (see DNS-02), then re-run.`;
  }
  return `${where} does not answer: open it in the host firewall (\`ufw allow ${probe.port}/tcp\`, then \`ufw status\`) and in the provider's cloud firewall, if one is attached.${port25}`;
}

export function checkPortReachability(probes: PortProbe[], options: PortReachabilityOptions = {}): Verdict {
  const requiredPorts = options.requiredPorts ?? [25, 443];
  const slowMs = options.slowMs ?? 3000;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const name = (p: PortProbe) => `${p.host}:${p.port}`;

  for (const port of requiredPorts) {
    if (!probes.some((p) => p.port === port)) {
      findings.push(
        fail(`port ${port} (${SERVICE[port] ?? 'required'}) was not probed`, `Probe port ${port} of the server and check again`),
      );
    }
  }
  for (const probe of probes) {
    const connectMs = probe.connectMs ?? probe.elapsedMs;
    if (!probe.reachable) {
      findings.push(fail(`${name(probe)} is not reachable: ${probe.error ?? 'no connection'}`, remediationFor(probe)));
    } else if (probe.answered === false) {
      findings.push(
        fail(
          `${name(probe)} accepted the TCP connection but said nothing: ${probe.error ?? 'no answer'}`,
          `Something accepts connections on ${name(probe)} without a service behind it: a proxy or firewall that accepts and drops (some providers and networks intercept port ${probe.port}), a NAT rule to a dead backend, or a hung ${SERVICE[probe.port] ?? 'service'}. Check with \`${probe.port === 25 ? `swaks --server ${probe.host} --quit-after BANNER` : `openssl s_client -connect ${probe.host}:${probe.port}`}\` from outside, and restart the service (\`docker compose -p postal restart\`).`,
        ),
      );
    } else if (connectMs > slowMs) {
      findings.push(
        warn(
          `${name(probe)} took ${Math.round(connectMs)} ms to accept a connection (over ${slowMs} ms)`,
          `Check the path to ${probe.host} (packet loss, connection rate limits such as \`ufw limit\`)`,
        ),
      );
    }
  }

  const reachable = probes.filter((p) => p.reachable && p.answered !== false);
  return verdictFrom({
    findings,
    passSummary: `${reachable.map(name).join(', ')} reachable`,
    expected: requiredPorts.map((p) => `${p}/tcp open`).join(', '),
    observed:
      probes
        .map(
          (p) =>
            `${name(p)} ${p.reachable ? `open (${Math.round(p.connectMs ?? p.elapsedMs)} ms)${p.answered === false ? ', silent' : p.answered ? ', answered' : ''}` : `closed: ${p.error ?? 'no connection'}`}`,
        )
        .join(', ') || 'nothing probed',
    evidence: probes.map((p) => ({
      label: `tcp ${name(p)}`,
      detail: {
        host: p.host,
        port: p.port,
        reachable: p.reachable,
        elapsedMs: p.elapsedMs,
        ...(p.answered !== undefined ? { answered: p.answered } : {}),
        ...(p.address ? { address: p.address } : {}),
        ...(p.error ? { error: p.error } : {}),
      },
    })),
  });
}
