// Where the reference app and its database listen: the port as options give it, checked, and the
// server bound to it (an HTTP server is a TCP server here).
import type { AddressInfo, Server } from 'node:net';
import { InvalidInputError } from '../../invalid/index.ts';

/** A listening port as options give it: 0 (any free port) to 65535. */
export function listenPort(port: number | undefined): number {
  const value = port ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidInputError('port', `must be a whole number from 0 to 65535, got ${value}`);
  }
  return value;
}

/** Binds `server` to host:port; resolves with the port it got (port 0: a free one). */
export async function listenOn(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
