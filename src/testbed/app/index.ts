// The reference application: an Olio-like social-events site on node:sqlite, the guest the
// testbed's web VM fronts and the Olio load profile drives. Its routes are the contract in
// docs/reference-app.md. One call starts it (seeded, listening); close() stops it. Its data is
// in the same process, or the database guest's (startReferenceDatabase) reached over TCP.
import { createServer } from 'node:http';
import { logger } from '../../log/index.ts';
import { listenOn, listenPort } from './listening.ts';
import { openReferenceData, type ReferenceDataOptions } from './reference-data.ts';
import { createSite } from './site.ts';
import { inProcessStore, type SiteStore } from './site-store.ts';
import { SocialStore } from './social-store.ts';
import { connectStore, type StoreAddress } from './store-client.ts';

export { startReferenceDatabase, type ReferenceDatabase } from './store-server.ts';

export interface ReferenceAppOptions extends ReferenceDataOptions {
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Port to listen on; 0 (any free port) by default. */
  port?: number;
  /** The database guest to use (scale, seed and databasePath are then its own); default: data in this process. */
  database?: StoreAddress;
}

export interface ReferenceApp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Idle keep-alive connections stay open this long: Faban-like users think for seconds between pages. */
const KEEP_ALIVE_MS = 30_000;

export async function startReferenceApp(options: ReferenceAppOptions = {}): Promise<ReferenceApp> {
  const host = options.host ?? '127.0.0.1';
  const port = listenPort(options.port);
  const log = logger();
  const data = options.database ? undefined : openReferenceData(options);
  const remote = options.database ? connectStore(options.database) : undefined;
  const store: SiteStore = remote ?? inProcessStore(new SocialStore(data!.db));
  const release = () => {
    data?.db.close();
    remote?.close();
  };
  const seed = data?.seed ?? options.seed ?? 1;

  const server = createServer({ keepAlive: true }, createSite({ store, seed, log }));
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  let bound: number;
  try {
    bound = await listenOn(server, host, port);
  } catch (error) {
    release();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  log.debug({ url, database: options.database, scale: data?.scale, seed, seeded: data?.seeded, seedMs: data && Math.round(data.seedMs) }, 'reference app ready');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => {
          release();
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
