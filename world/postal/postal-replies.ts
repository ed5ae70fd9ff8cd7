/**
 * Postal's own SMTP reply texts (SMTPServer::Client) laid over smtp-server's, so a client reading the
 * dialogue sees Postal: "250 OK" rather than "250 Accepted", "354 Go ahead", "502 Invalid/unsupported
 * command", the EHLO list in Postal's order (STARTTLS before AUTH), "235 Granted for <org>/<server>"...
 *
 * It wraps `send` of each smtp-server connection (found in the server's `connections` set), an internal
 * of smtp-server 3.x; if that internal ever changes the wrapper is simply not installed and the
 * library's texts show through (codes stay right either way).
 */
type Reply = [code: number, data: string | string[]];

interface ConnectionLike {
  session?: unknown;
  send: (code: number, data?: string | string[], context?: unknown) => void;
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
  };
  return exact[data] ?? [code, data];
}

/** Installs the Postal reply texts on the connection that owns `session`. */
export function usePostalReplies(connections: unknown, session: unknown, hosts: { mailHost: string; granted: string }): void {
  if (!(connections instanceof Set)) return;
  for (const connection of connections as Set<ConnectionLike>) {
    if (connection.session !== session || typeof connection.send !== 'function') continue;
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) => {
      if (data === undefined) return send(code, data, context);
      const [newCode, newData] = postalReply(code, data, hosts);
      send(newCode, newData, context);
    };
    return;
  }
}
