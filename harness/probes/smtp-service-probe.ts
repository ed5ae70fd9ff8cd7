/**
 * Postal's SMTP service as a client on the Internet meets it: the banner and STARTTLS with the certificate it shows. Probes never send DATA.
 */
import { SmtpDialogue, type TlsOutcome } from '../../core/smtp/smtp-dialogue.ts';
import type { ProbeContext } from './probe-context.ts';

export interface SmtpServiceProbe {
  /** The greeting, or why none came. */
  banner(): Promise<{ banner?: string; error?: string }>;
  /** EHLO, then STARTTLS when offered: the capabilities, the handshake and the transcript. */
  startTls(): Promise<{ capabilities: string[]; handshake?: TlsOutcome; transcript: string[] }>;
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
    async startTls() {
      const { dialogue } = await open();
      try {
        const { capabilities } = await dialogue.ehlo('tls-probe.postal-qa.invalid');
        const handshake = capabilities.includes('STARTTLS') ? (await dialogue.startTls({ servername: target.mailHost, ca: target.trustedCaPem })).tls : undefined;
        return { capabilities, handshake, transcript: dialogue.transcript };
      } finally {
        dialogue.close();
      }
    },
  };
}
