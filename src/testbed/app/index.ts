// The reference application: an Olio-like social-events site on node:sqlite, the guest the
// testbed's web VM fronts and the Olio load profile drives. Its routes are the contract in
// docs/reference-app.md. One call starts it (seeded, listening); close() stops it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../../invalid/index.ts';
import { logger } from '../../log/index.ts';
import { openSiteDatabase } from './schema.ts';
import { seedSite } from './seeding.ts';
import { createSite } from './site.ts';
import { SocialStore } from './social-store.ts';

export interface ReferenceAppOptions {
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Port to listen on; 0 (any free port) by default. */
  port?: number;
  /** Number of users to seed (events: max(100, 2 x scale)); 500 by default. */
  scale?: number;
  /** Seed of the generated data: the same seed and scale give the same site; 1 by default. */
  seed?: number;
  /** SQLite file; in memory by default. An existing file must have been seeded with the same seed and scale. */
  databasePath?: string;
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
  const scale = options.scale ?? 500;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > 1_000_000) {
    throw new InvalidInputError('scale', `must be a whole number from 1 to 1000000, got ${scale}`);
  }
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError('seed', `must be a whole number, got ${seed}`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidInputError('port', `must be a whole number from 0 to 65535, got ${port}`);
  }

  const log = logger();
  const started = performance.now();
  const { db, needsSeed } = openSiteDatabase(options.databasePath ?? ':memory:', { seed, scale });
  try {
    if (needsSeed) seedSite(db, { seed, scale });
  } catch (error) {
    db.close();
    throw error;
  }
  const seedMs = performance.now() - started;

  const server = createServer({ keepAlive: true }, createSite({ store: new SocialStore(db), seed, log }));
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    db.close();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  log.debug({ url, scale, seed, seeded: needsSeed, seedMs: Math.round(seedMs) }, 'reference app ready');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => {
          db.close();
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
