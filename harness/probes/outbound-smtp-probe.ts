/**
 * Outgoing port 25 as the server sees it (INF-07): each provider's preferred MX, found through the
 * target's resolver, tried by a command that runs on the server (OUTBOUND_SMTP_COMMAND, e.g. over ssh)
 * with {host} and {ip} substituted. The command's first line is what the server heard.
 */
import { runProcess } from '../../core/process/run-process.ts';
import { getServers } from 'node:dns';
import type { OutboundAttempt } from '../checks/outbound-smtp-check.ts';
import { createDnsClient } from '../clients/dns-client.ts';
import type { ProbeContext } from './probe-context.ts';
import { NO_OUTBOUND_COMMAND, ProbeUnavailable } from './probe-unavailable.ts';

export interface OutboundSmtpProbe {
  attempts(): Promise<OutboundAttempt[]>;
}

/** Only names and addresses are substituted into a shell command: nothing a DNS answer could smuggle in. */
const SAFE = /^[A-Za-z0-9.:-]+$/;

async function runOnServer(command: string, timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const run = await runProcess('/bin/sh', ['-c', command], { timeoutMs, killSignal: 'SIGTERM', maxOutput: 128 * 1024 });
  const killed = run.timedOut || run.overflowed;
  const exitCode = run.code ?? (killed ? 124 : 1);
  return { exitCode, stdout: run.stdout, stderr: killed ? `${run.stderr}killed after ${timeoutMs} ms` : run.stderr };
}

export function outboundSmtpProbe(context: ProbeContext): OutboundSmtpProbe {
  const { target } = context;
  return {
    async attempts() {
      const outbound = target.outboundSmtp;
      if (!outbound) throw new ProbeUnavailable(NO_OUTBOUND_COMMAND);
      const server = target.hostResolver !== 'system' ? target.hostResolver : (getServers()[0] ?? '127.0.0.53');
      const dns = createDnsClient({ server, timeoutMs: target.timeouts.dnsMs });
      const attempts: OutboundAttempt[] = [];
      for (const domain of outbound.domains) {
        const mx = await dns.query(domain, 'MX');
        const preferred = mx.answers
          .map((answer) => answer.split(' '))
          .sort((a, b) => Number(a[0]) - Number(b[0]))
          .map((parts) => parts[1]!)[0];
        if (!preferred) {
          attempts.push({ domain, error: mx.error ?? `${mx.status} for MX ${domain}` });
          continue;
        }
        const a = await dns.query(preferred, 'A');
        const ip = a.answers[0];
        if (!ip || !SAFE.test(ip) || !SAFE.test(preferred)) {
          attempts.push({ domain, mx: preferred, error: a.error ?? `no usable A record for ${preferred}` });
          continue;
        }
        const command = outbound.command.replace(/\{host\}/g, preferred).replace(/\{ip\}/g, ip);
        const ran = await runOnServer(command, target.timeouts.connectMs * 2);
        const firstLine = ran.stdout
          .split(/\r?\n/)
          .find((line) => line.trim() !== '')
          ?.trim();
        // A failing command's output is its explanation (ssh's, nc's, curl --fail-with-body's), not a greeting.
        if (ran.exitCode === 0) attempts.push({ domain, mx: preferred, ip, exitCode: 0, ...(firstLine ? { firstLine } : {}) });
        else
          attempts.push({
            domain,
            mx: preferred,
            ip,
            exitCode: ran.exitCode,
            error: firstLine ?? (ran.stderr.trim().split('\n').at(-1) || `exit ${ran.exitCode}`),
          });
      }
      return attempts;
    },
  };
}
