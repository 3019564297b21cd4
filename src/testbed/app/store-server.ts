// The reference application's database as a guest of its own: the site's data (node:sqlite,
// seeded as the app seeds it) served over TCP by the store protocol, so that the testbed's db VM
// fronts it with a guest proxy and the web VM's app reaches it through that proxy, as a PHP site
// reaches MySQL on another VM. Requests on a connection are answered in order, one at a time.
import { createServer, type Socket } from 'node:net';
import { InvalidInputError } from '../../invalid/index.ts';
import { logger } from '../../log/index.ts';
import { listenOn, listenPort } from './listening.ts';
import { openReferenceData, type ReferenceDataOptions } from './reference-data.ts';
import { callStore, isStoreMethod } from './site-store.ts';
import { SocialStore } from './social-store.ts';
import { decodeLine, encodeLine, readLines, type StoreReply, type StoreRequest } from './store-protocol.ts';

export interface ReferenceDatabaseOptions extends ReferenceDataOptions {
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Port to listen on; 0 (any free port) by default. */
  port?: number;
}

export interface ReferenceDatabase {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startReferenceDatabase(options: ReferenceDatabaseOptions = {}): Promise<ReferenceDatabase> {
  const host = options.host ?? '127.0.0.1';
  const port = listenPort(options.port);
  const data = openReferenceData(options);
  const store = new SocialStore(data.db);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    readLines(socket, (line) => {
      if (!socket.destroyed) socket.write(encodeLine(answer(store, line)));
    });
  });
  let bound: number;
  try {
    bound = await listenOn(server, host, port);
  } catch (error) {
    data.db.close();
    throw error;
  }
  logger().debug({ host, port: bound, scale: data.scale, seed: data.seed, seedMs: Math.round(data.seedMs) }, 'reference database ready');
  let closing: Promise<void> | undefined;
  return {
    host,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          data.db.close();
          resolve();
        });
      });
      return closing;
    },
  };
}

/** One request's reply: the store's result, or its refusal (a bad field stays a bad field). */
function answer(store: SocialStore, line: string): StoreReply {
  try {
    const request = decodeLine(line) as StoreRequest;
    if (request.method === 'ping') return { result: 'pong' };
    if (!isStoreMethod(request.method) || !Array.isArray(request.args)) return { error: { message: `unknown store method ${String(request.method)}` } };
    return { result: callStore(store, request.method, request.args) };
  } catch (error) {
    if (error instanceof InvalidInputError) return { error: { message: error.detail, field: error.field } };
    return { error: { message: (error as Error).message } };
  }
}
