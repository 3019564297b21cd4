// The site's tables in node:sqlite. Indexes follow the pages' queries: upcoming events by date,
// events by tag, a person's events, a tag cloud by popularity.
import { DatabaseSync } from 'node:sqlite';
import { InvalidInputError } from '../../invalid/index.ts';

const TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE blobs (
  id INTEGER PRIMARY KEY,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_salt TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  firstname TEXT NOT NULL,
  lastname TEXT NOT NULL,
  email TEXT NOT NULL,
  telephone TEXT NOT NULL,
  summary TEXT NOT NULL,
  timezone TEXT NOT NULL,
  street1 TEXT NOT NULL,
  city TEXT NOT NULL,
  state TEXT NOT NULL,
  zip TEXT NOT NULL,
  country TEXT NOT NULL,
  image_id INTEGER REFERENCES blobs(id),
  created_at INTEGER NOT NULL
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  description TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  timezone TEXT NOT NULL,
  telephone TEXT NOT NULL,
  street1 TEXT NOT NULL,
  city TEXT NOT NULL,
  state TEXT NOT NULL,
  zip TEXT NOT NULL,
  country TEXT NOT NULL,
  submitter_id INTEGER NOT NULL REFERENCES users(id),
  image_id INTEGER REFERENCES blobs(id),
  document_id INTEGER REFERENCES blobs(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX events_by_start ON events(starts_at, id);
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  event_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tags_by_popularity ON tags(event_count DESC, name);
-- starts_at is copied from the event so that a tag's events come out of the key already in date
-- order: a popular tag's search is then a range read, not a sort of hundreds of rows.
CREATE TABLE event_tags (
  tag_id INTEGER NOT NULL REFERENCES tags(id),
  starts_at INTEGER NOT NULL,
  event_id INTEGER NOT NULL REFERENCES events(id),
  PRIMARY KEY (tag_id, starts_at, event_id)
) WITHOUT ROWID;
CREATE INDEX event_tags_by_event ON event_tags(event_id, tag_id);
CREATE TABLE attendees (
  event_id INTEGER NOT NULL REFERENCES events(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;
CREATE INDEX attendees_by_user ON attendees(user_id, event_id);
CREATE TABLE friends (
  user_id INTEGER NOT NULL REFERENCES users(id),
  friend_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (user_id, friend_id)
) WITHOUT ROWID;
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

export interface SiteIdentity {
  seed: number;
  scale: number;
}

/**
 * Opens (or creates) the site's database. Returns whether it still needs seeding. A database file
 * seeded with another seed or scale is refused rather than silently mixed or wiped.
 */
export function openSiteDatabase(path: string, identity: SiteIdentity): { db: DatabaseSync; needsSeed: boolean } {
  const db = new DatabaseSync(path);
  try {
    if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    db.exec('PRAGMA foreign_keys = ON;');
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (!hasMeta) return { db, needsSeed: true };
    const stored = readIdentity(db);
    if (stored.seed !== identity.seed || stored.scale !== identity.scale) {
      throw new InvalidInputError(
        'databasePath',
        `${path} holds a site seeded with seed ${stored.seed} and scale ${stored.scale}, not seed ` +
          `${identity.seed} and scale ${identity.scale}; use those values or remove the file`,
      );
    }
    return { db, needsSeed: false };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Creates the tables; called inside the seeding transaction so a failed seed leaves nothing. */
export function createSiteTables(db: DatabaseSync): void {
  db.exec(TABLES);
}

export function writeIdentity(db: DatabaseSync, identity: SiteIdentity): void {
  const put = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  put.run('seed', String(identity.seed));
  put.run('scale', String(identity.scale));
}

function readIdentity(db: DatabaseSync): SiteIdentity {
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
  const value = (key: string) => Number(rows.find((row) => row.key === key)?.value);
  return { seed: value('seed'), scale: value('scale') };
}
