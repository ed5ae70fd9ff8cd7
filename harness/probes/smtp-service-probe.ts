/**
 * Postal's SMTP service as a client on the Internet meets it: the banner and STARTTLS with the certificate it shows. Probes never send DATA.
 */
import { SmtpDialogue, type TlsOutcome } from '../../core/smtp/smtp-dialogue.ts';
import { resolveFunction } from '../../core/dns/resolver.ts';
import type { ProbeContext } from './probe-context.ts';

export interface SmtpServiceProbe {
  /** The greeting, or why none came. */
  banner(): Promise<{ banner?: string; error?: string }>;
  /** EHLO, then STARTTLS when offered: the capabilities, the handshake and the transcript. */
  startTls(): Promise<{ capabilities: string[]; handshake?: TlsOutcome; transcript: string[] }>;
  /** The names the server gives itself: its banner and its answer to HELO. */
  identity(): Promise<{ banner?: string; heloAnswer?: string; error?: string }>;
  /** Whether a mail domain's preferred MX offers STARTTLS (undefined when it cannot be asked from here). */
  offersStarttls(domain: string): Promise<boolean | undefined>;
}

export function smtpServiceProbe(context: ProbeContext): SmtpServiceProbe {
  const { target } = context;
  const host = target.postal?.smtp.host ?? target.mailHost;
  const port = target.postal?.smtp.port ?? 25;
  const open = () => SmtpDialogue.open({ host, port, lookup: context.lookup, timeoutMs: target.timeouts.connectMs });
  return {
    async banner() {
      try {
        const { dialogue, greeting } = await open();
        dialogue.close();
        return { banner: greeting.text };
      } catch (error) {
        return { error: (error as Error).message };
      }
    },
    async identity() {
      try {
        const { dialogue, greeting } = await open();
        try {
          const helo = await dialogue.command('HELO identity-probe.postal-qa.invalid');
          return { banner: greeting.lines[0] ?? '', heloAnswer: helo.code === 250 ? (helo.lines[0] ?? '') : undefined };
        } finally {
          dialogue.close();
        }
      } catch (error) {
        return { error: (error as Error).message };
      }
    },
    async offersStarttls(domain) {
      try {
        const mx = (await resolveFunction(target.hostResolver, { timeoutMs: target.timeouts.dnsMs })(domain, 'MX')) as Array<{
          priority: number;
          exchange: string;
        }>;
        const best = [...mx].sort((a, b) => a.priority - b.priority)[0]?.exchange.replace(/\.$/, '');
        if (!best) return undefined;
        const { dialogue } = await SmtpDialogue.open({
          host: best,
          port: 25,
          lookup: context.lookup,
          timeoutMs: target.timeouts.connectMs,
        });
        try {
          const { capabilities } = await dialogue.ehlo('tls-probe.postal-qa.invalid');
          return capabilities.some((c) => c.toUpperCase() === 'STARTTLS');
        } finally {
          dialogue.close();
        }
      } catch {
        return undefined;
      }
    },
    async startTls() {
      const { dialogue } = await open();
      try {
        const { capabilities } = await dialogue.ehlo('tls-probe.postal-qa.invalid');
        const handshake = capabilities.includes('STARTTLS')
          ? (await dialogue.startTls({ servername: target.mailHost, ca: target.trustedCaPem })).tls
          : undefined;
        return { capabilities, handshake, transcript: dialogue.transcript };
      } finally {
        dialogue.close();
      }
    },
  };
}
