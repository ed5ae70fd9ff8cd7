import { connect } from 'node:tls';
import type { LookupFunction } from '../../core/dns/host-lookup.ts';
import { describeTls, type TlsOutcome } from '../../core/smtp/smtp-dialogue.ts';

/** A TLS handshake that never throws on a bad certificate: the outcome is the evidence. */
export function probeTls(options: {
  host: string;
  port: number;
  servername: string;
  ca?: string;
  lookup: LookupFunction;
  timeoutMs: number;
}): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    const socket = connect({
      host: options.host,
      port: options.port,
      servername: options.servername,
      ca: options.ca,
      lookup: options.lookup,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, authorized: false, error: `no TLS handshake within ${options.timeoutMs} ms`, subjectAltNames: [] });
    }, options.timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const outcome = describeTls(socket);
      socket.destroy();
      resolve(outcome);
    });
    socket.once('error', (error: Error) => {
      clearTimeout(timer);
      resolve({ ok: false, authorized: false, error: error.message, subjectAltNames: [] });
    });
  });
}
