import nodemailer from 'nodemailer';

export interface SubmissionServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Name on the server's certificate when `host` is an address. */
  servername?: string;
}

/**
 * Sends one message through an SMTP submission service with AUTH over STARTTLS — how a person mails
 * the agents from Gmail (live) or from the world's outside sender (embedded).
 */
export async function submitMessage(
  server: SubmissionServer,
  message: {
    from: string;
    to: string;
    subject: string;
    text: string;
    html?: string;
    attachments?: Array<{ filename: string; contentType: string; content: Buffer }>;
  },
  options: { ca?: string; timeoutMs: number },
): Promise<{ messageId: string; response: string }> {
  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: server.port === 465,
    requireTLS: server.port !== 465,
    auth: { user: server.user, pass: server.password },
    tls: { ca: options.ca, servername: server.servername },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  try {
    const info = await transport.sendMail(message);
    return { messageId: info.messageId, response: info.response };
  } finally {
    transport.close();
  }
}
