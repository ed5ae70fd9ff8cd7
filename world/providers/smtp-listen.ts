/**
 * Small lifecycle helpers around smtp-server shared by the world's SMTP hosts: listen with a clear
 * bind error, close without waiting on idle clients forever, SMTP replies as errors, and reading
 * the DATA stream into one buffer.
 */
import type { SMTPServer, SMTPServerDataStream } from 'smtp-server';

/** An error smtp-server turns into the given reply code and text. */
export function smtpError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

export function listenSmtp(server: SMTPServer, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const why =
        error.code === 'EADDRINUSE'
          ? 'address in use (another world running?)'
          : error.code === 'EACCES'
            ? `permission denied (port ${port} needs root)`
            : error.code === 'EADDRNOTAVAIL'
              ? 'address not available on this machine'
              : error.message;
      reject(new Error(`cannot listen for SMTP on ${address}:${port}: ${why}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, address, () => {
      server.removeListener('error', onError);
      // Client errors (resets, TLS failures) are the client's problem, not a reason to crash.
      server.on('error', () => undefined);
      resolve();
    });
  });
}

/** Closes the listener; open sessions get smtp-server's closeTimeout, then are dropped. */
export function closeSmtp(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => {
    try {
      server.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * The message as one buffer. Past the server's `size` (stream.sizeExceeded, which the caller answers
 * with 552) the rest is still read, so the client hears the reply, but not kept: a sender cannot make
 * the world hold more than the limit.
 */
export function readMessage(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      if (stream.sizeExceeded) chunks.length = 0;
      else chunks.push(chunk);
    });
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}
