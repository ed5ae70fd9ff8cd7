/**
 * Listening and closing, shared by every server the stand-in runs (web, SMTP, health, ops): a port in use
 * is named in one line, and close() never waits on a client that keeps its connection open.
 */
import type { Server as NetServer, Socket } from 'node:net';

interface Listenable {
  listen(port: number, address: string, callback: () => void): unknown;
  once(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  removeListener(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

export function listenOn(server: Listenable, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE' ? new Error(`${address}:${port} is already in use (another world running?)`, { cause: error }) : error,
      );
    };
    server.once('error', onError);
    server.listen(port, address, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

/**
 * Remembers the open connections of `connections` (the listening net/tls/http server); the returned
 * function closes through `close` (which may be a wrapper's, like smtp-server's) and drops them.
 */
export function trackConnections(connections: Pick<NetServer, 'on'>): (close: (done: () => void) => void) => Promise<void> {
  const sockets = new Set<Socket>();
  connections.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return async (close) => {
    const closed = new Promise<void>((resolve) => close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
}

/** listen/close for a plain server the stand-in owns outright (health, ops). */
export function lifecycleOf(server: NetServer): { listen(address: string, port: number): Promise<void>; close(): Promise<void> } {
  const closeAll = trackConnections(server);
  return {
    listen: (address, port) => listenOn(server, address, port),
    async close() {
      if (server.listening) await closeAll((done) => server.close(done));
    },
  };
}
