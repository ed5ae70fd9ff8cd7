/**
 * Postal's own SMTP reply texts (SMTPServer::Client) laid over smtp-server's, so a client reading the
 * dialogue sees Postal: "250 OK" rather than "250 Accepted", "354 Go ahead", "502 Invalid/unsupported
 * command", the EHLO list in Postal's order (STARTTLS before AUTH), "235 Granted for <org>/<server>"...
 *
 * It wraps `send` of each smtp-server connection (found in the server's `connections` set), an internal
 * of smtp-server 3.x; if that internal ever changes the wrapper is simply not installed and the
 * library's texts show through (codes stay right either way).
 */
import { postalAddressArgument } from './postal-rcpt.ts';

type Reply = [code: number, data: string | string[]];

interface ConnectionLike {
  session?: { envelope?: { mailFrom?: unknown; rcptTo?: unknown[] } };
  send: (code: number, data?: string | string[], context?: unknown) => void;
  handler_MAIL?: (command: Buffer, callback: () => void) => void;
  handler_RCPT?: (command: Buffer, callback: () => void) => void;
  handler_VRFY?: (command: Buffer, callback: () => void) => void;
  handler_HELP?: (command: Buffer, callback: () => void) => void;
  handler_STARTTLS?: (command: Buffer, callback: () => void) => void;
  close?: () => void;
}

export function postalReply(code: number, data: string | string[], hosts: { mailHost: string; granted: string }): Reply {
  if (Array.isArray(data)) {
    // EHLO: "My capabilities are", then STARTTLS (when offered), then AUTH last
    const [first, ...features] = data;
    const starttls = features.filter((f) => f === 'STARTTLS');
    const auth = features.filter((f) => f.startsWith('AUTH '));
    return [code, [first ?? 'My capabilities are', ...starttls, ...(auth.length ? auth : ['AUTH CRAM-MD5 PLAIN LOGIN'])]];
  }
  const exact: Record<string, Reply> = {
    Accepted: [250, 'OK'],
    Flushed: [250, 'OK'],
    'End data with <CR><LF>.<CR><LF>': [354, 'Go ahead'],
    Bye: [221, 'Closing Connection'],
    'Authentication successful': [235, `Granted for ${hosts.granted}`],
    'My capabilities are': [250, hosts.mailHost], // HELO answers the host name
    'Error: command not recognized': [502, 'Invalid/unsupported command'],
    'Error: send HELO/EHLO first': [503, 'EHLO/HELO first please'],
    'Error: need MAIL command': [503, 'EHLO/HELO and MAIL FROM first please'],
    'Error: need RCPT command': [503, 'HELO/EHLO, MAIL FROM and RCPT TO before sending data'],
    // Postal dispatches AUTH by a regex per mechanism; an unknown one falls through to the default.
    'Error: Unrecognized authentication type': [502, 'Invalid/unsupported command'],
  };
  return exact[data] ?? [code, data];
}

/** Commands the stand-in answers itself, Postal's way, instead of smtp-server's parser. */
export interface PostalCommandHooks {
  /** RCPT TO with the raw command line (Postal checks no address syntax); `done(error)` refuses with error.responseCode. */
  rcpt?: (line: string, done: (error?: (Error & { responseCode?: number }) | null) => void) => void;
}

/**
 * STARTTLS as postal.yml allows it: `ready`; `unavailable` without tls_enabled ("502 TLS not available",
 * client.rb:139-148); `broken` when tls_enabled names a certificate Postal cannot read: it says
 * "220 Ready to start TLS", then building its ssl_context raises and the connection drops.
 */
export type StartTlsState = 'ready' | 'unavailable' | 'broken';

/** Installs the Postal reply texts on the connection that owns `session`. */
export function usePostalReplies(
  connections: unknown,
  session: unknown,
  hosts: { mailHost: string; granted: string },
  tls: { starttls: StartTlsState } = { starttls: 'ready' },
  hooks: PostalCommandHooks = {},
): void {
  if (!(connections instanceof Set)) return;
  for (const connection of connections as Set<ConnectionLike>) {
    if (connection.session !== session || typeof connection.send !== 'function') continue;
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) => {
      if (data === undefined) return send(code, data, context);
      const [newCode, newData] = postalReply(code, data, hosts);
      send(newCode, newData, context);
    };
    usePostalCommands(connection, tls.starttls, hooks);
    return;
  }
}

/** `RCPT TO: addr` → `RCPT TO:<addr>`: Postal strips everything up to `<` and after `>`, so brackets are optional. */
export function withBrackets(command: Buffer): Buffer {
  const line = command.toString('utf8');
  if (line.includes('<')) return command;
  const match = /^(\s*(?:MAIL FROM|RCPT TO)\s*:)\s*(.*)$/i.exec(line);
  return match ? Buffer.from(`${match[1]}<${match[2]!.trim()}>`, 'utf8') : command;
}

/**
 * Postal's command semantics where smtp-server's differ (app/lib/smtp_server/client.rb, 3.3.2): VRFY and
 * HELP are unsupported (502); a second MAIL FROM before any RCPT restarts the transaction (250 OK), after
 * an accepted RCPT it is `503 EHLO/HELO first please`; addresses need no angle brackets.
 */
function usePostalCommands(connection: ConnectionLike, starttls: StartTlsState, hooks: PostalCommandHooks): void {
  const unsupported = (_command: Buffer, callback: () => void): void => {
    connection.send(502, 'Invalid/unsupported command');
    callback();
  };
  if (starttls !== 'ready' && connection.handler_STARTTLS) {
    connection.handler_STARTTLS = (_command, callback) => {
      if (starttls === 'unavailable') {
        connection.send(502, 'TLS not available');
        return callback();
      }
      connection.send(220, 'Ready to start TLS');
      connection.close?.();
      return callback();
    };
  }
  if (connection.handler_VRFY) connection.handler_VRFY = unsupported;
  if (connection.handler_HELP) connection.handler_HELP = unsupported;
  const mail = connection.handler_MAIL?.bind(connection);
  if (mail) {
    connection.handler_MAIL = (command, callback) => {
      const envelope = connection.session?.envelope;
      if (envelope?.mailFrom) {
        if ((envelope.rcptTo?.length ?? 0) > 0) {
          connection.send(503, 'EHLO/HELO first please');
          return callback();
        }
        envelope.mailFrom = false;
      }
      mail(withBrackets(command), callback);
    };
  }
  const rcpt = connection.handler_RCPT?.bind(connection);
  if (!rcpt) return;
  const decide = hooks.rcpt;
  connection.handler_RCPT = (command, callback) => {
    const envelope = connection.session?.envelope;
    // Out of order, or no hook: smtp-server's handler (its 503 is mapped to Postal's text).
    if (!decide || !envelope?.mailFrom || !Array.isArray(envelope.rcptTo)) return rcpt(withBrackets(command), callback);
    const line = command.toString('utf8');
    decide(line, (error) => {
      const failure = error;
      if (failure) connection.send(failure.responseCode ?? 550, failure.message);
      else {
        envelope.rcptTo!.push({ address: postalAddressArgument(line, 'RCPT TO'), args: false });
        connection.send(250, 'OK');
      }
      callback();
    });
  };
}
