/**
 * SEC-04's observations: AUTH with a wrong password in clear text and after STARTTLS (PLAIN and LOGIN),
 * and — over TLS only, so the real key never crosses the network readable — the deployment's SMTP
 * credential sending From a domain the server does not own to the relay seed (a refused message sends
 * nothing; an accepted one is counted in "mail sent by this run").
 */
import { SmtpDialogue } from '../../core/smtp/smtp-dialogue.ts';
import type { AuthReply, SmtpAuthInput } from '../checks/smtp-auth-check.ts';
import type { ProbeContext } from './probe-context.ts';

export interface SmtpAuthProbe {
  observe(): Promise<SmtpAuthInput>;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

export function smtpAuthProbe(context: ProbeContext): SmtpAuthProbe {
  const { target, run } = context;
  const host = target.postal?.smtp.host ?? target.mailHost;
  const port = target.postal?.smtp.port ?? 25;
  const open = () => SmtpDialogue.open({ host, port, lookup: context.lookup, timeoutMs: target.timeouts.connectMs });
  const wrong = `postal-qa-wrong-${run.runToken}`;

  async function plain(dialogue: SmtpDialogue, password: string): Promise<{ code: number; reply: string }> {
    const reply = await dialogue.command(`AUTH PLAIN ${b64(`\0postal-qa\0${password}`)}`, { mask: true });
    return { code: reply.code, reply: reply.lines.join(' ') };
  }

  async function login(dialogue: SmtpDialogue, password: string): Promise<{ code: number; reply: string }> {
    let reply = await dialogue.command('AUTH LOGIN');
    if (reply.code === 334) reply = await dialogue.command(b64('postal-qa'), { mask: true });
    if (reply.code === 334) reply = await dialogue.command(b64(password), { mask: true });
    return { code: reply.code, reply: reply.lines.join(' ') };
  }

  return {
    async observe() {
      const wrongPassword: AuthReply[] = [];
      const clear = await open();
      let clearCapabilities: string[];
      try {
        clearCapabilities = (await clear.dialogue.ehlo('auth-probe.postal-qa.invalid')).capabilities;
        wrongPassword.push({ attempt: 'AUTH PLAIN in clear text', tls: false, ...(await plain(clear.dialogue, wrong)) });
      } finally {
        clear.dialogue.close();
      }
      if (!clearCapabilities.includes('STARTTLS')) {
        return {
          host,
          clearCapabilities,
          wrongPassword,
          foreignFromSkipped: 'the server offers no STARTTLS, and the SMTP credential is never sent in clear text',
        };
      }
      const secure = await open();
      try {
        await secure.dialogue.ehlo('auth-probe.postal-qa.invalid');
        const { tls } = await secure.dialogue.startTls({ servername: target.mailHost, ca: target.trustedCaPem });
        if (!tls?.ok)
          return {
            host,
            clearCapabilities,
            wrongPassword,
            foreignFromSkipped: `the STARTTLS handshake failed (${tls?.error ?? 'no answer'})`,
          };
        await secure.dialogue.ehlo('auth-probe.postal-qa.invalid');
        wrongPassword.push({ attempt: 'AUTH PLAIN after STARTTLS', tls: true, ...(await plain(secure.dialogue, wrong)) });
        wrongPassword.push({ attempt: 'AUTH LOGIN after STARTTLS', tls: true, ...(await login(secure.dialogue, wrong)) });
        if (wrongPassword.some((a) => a.code >= 200 && a.code < 300))
          return { host, clearCapabilities, wrongPassword, foreignFromSkipped: 'a wrong password was granted' };
        if (!target.smtpCredentialKey)
          return { host, clearCapabilities, wrongPassword, foreignFromSkipped: 'no "smtp <key>" line in POSTAL_API_KEYS_FILE' };
        if (run.readOnly)
          return {
            host,
            clearCapabilities,
            wrongPassword,
            foreignFromSkipped: '--read-only (a server that accepts it would send the message)',
          };
        const from = `postal-qa-${run.runToken}@foreign-domain.invalid`;
        const auth = await plain(secure.dialogue, target.smtpCredentialKey);
        if (auth.code !== 235) return { host, clearCapabilities, wrongPassword, foreignFrom: { from, auth } };
        context.willSend(1, 'SEC-04: the SMTP credential sending From a foreign domain (refused by a sound server)');
        const to = target.relayProbeRecipient;
        await secure.dialogue.command(`MAIL FROM:<${from}>`);
        await secure.dialogue.command(`RCPT TO:<${to}>`);
        const dataGo = await secure.dialogue.command('DATA');
        const message = [
          `From: <${from}>`,
          `To: <${to}>`,
          `Subject: [postal-qa ${run.runToken}] SEC-04 foreign From`,
          `Date: ${new Date(context.clock.now()).toUTCString()}`,
          '',
          'postal-qa SEC-04: an SMTP credential sending as a domain the server does not own.',
        ].join('\r\n');
        const end = dataGo.code === 354 ? await secure.dialogue.command(`${message}\r\n.`) : dataGo;
        return {
          host,
          clearCapabilities,
          wrongPassword,
          foreignFrom: { from, auth, data: { code: end.code, reply: end.lines.join(' ') } },
        };
      } finally {
        secure.dialogue.close();
      }
    },
  };
}
