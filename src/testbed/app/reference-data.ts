// The reference application's data, opened and seeded: the SQLite database of the site, whether
// the site runs beside it (one process) or the database guest serves it over TCP (store-server).
import type { DatabaseSync } from 'node:sqlite';
import { InvalidInputError } from '../../invalid/index.ts';
import { openSiteDatabase } from './schema.ts';
import { seedSite } from './seeding.ts';

export interface ReferenceDataOptions {
  /** Number of users to seed (events: max(100, 2 x scale)); 500 by default. */
  scale?: number;
  /** Seed of the generated data: the same seed and scale give the same site; 1 by default. */
  seed?: number;
  /** SQLite file; in memory by default. An existing file must have been seeded with the same seed and scale. */
  databasePath?: string;
}

export interface ReferenceData {
  db: DatabaseSync;
  scale: number;
  seed: number;
  /** Whether it was seeded now (false: an existing file). */
  seeded: boolean;
  seedMs: number;
}

export function openReferenceData(options: ReferenceDataOptions): ReferenceData {
  const scale = options.scale ?? 500;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > 1_000_000) {
    throw new InvalidInputError('scale', `must be a whole number from 1 to 1000000, got ${scale}`);
  }
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError('seed', `must be a whole number, got ${seed}`);
  const started = performance.now();
  const { db, needsSeed } = openSiteDatabase(options.databasePath ?? ':memory:', { seed, scale });
  try {
    if (needsSeed) seedSite(db, { seed, scale });
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, scale, seed, seeded: needsSeed, seedMs: performance.now() - started };
}

