// Fills a fresh database with the site the contract (docs/reference-app.md) promises: users
// user1..user<scale> with password <N> (as Olio's: the user's number), max(100, 2 x scale) events with tags, attendees and
// friends. Everything is drawn from one SeededRandom in a fixed order, inside one transaction
// with prepared statements, so the same seed and scale always give the same rows, quickly.
import type { DatabaseSync } from 'node:sqlite';
import { hashPassword } from './passwords.ts';
import { createSiteTables, writeIdentity, type SiteIdentity } from './schema.ts';
import { SeededRandom } from './seeded-random.ts';
import { address, eventTitle, paragraph, personName, sentence, telephone, TIMEZONES } from './site-text.ts';

/** Seeded events happen from this day on, so they stay "upcoming" and the pages stay stable. */
export const SEEDED_EVENTS_FROM = Date.UTC(2030, 0, 1);
const SEEDED_EVENT_DAYS = 730;
/** When the seeded rows say they were created: fixed, so two seedings are identical. */
const SEEDED_AT = Date.UTC(2029, 0, 1);

export interface SiteSize {
  users: number;
  events: number;
  tags: number;
}

export function siteSize(scale: number): SiteSize {
  return { users: scale, events: Math.max(100, 2 * scale), tags: Math.max(50, Math.floor(scale / 10)) };
}

export function seedSite(db: DatabaseSync, identity: SiteIdentity): SiteSize {
  const size = siteSize(identity.scale);
  const random = new SeededRandom(identity.seed);
  db.exec('BEGIN');
  try {
    createSiteTables(db);
    seedUsers(db, random, size);
    seedFriends(db, random, size);
    seedTags(db, size);
    seedEvents(db, random, size);
    db.exec('UPDATE tags SET event_count = (SELECT count(*) FROM event_tags WHERE event_tags.tag_id = tags.id)');
    writeIdentity(db, identity);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
  return size;
}

function seedUsers(db: DatabaseSync, random: SeededRandom, size: SiteSize): void {
  const insert = db.prepare(`INSERT INTO users (id, username, password_salt, password_hash, firstname, lastname,
    email, telephone, summary, timezone, street1, city, state, zip, country, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (let n = 1; n <= size.users; n++) {
    const { firstname, lastname } = personName(random);
    const salt = random.int(0, 0xffffffff).toString(16).padStart(8, '0');
    const place = address(random);
    insert.run(
      n,
      `user${n}`,
      salt,
      hashPassword(String(n), salt),
      firstname,
      lastname,
      `${firstname}.${lastname}.${n}@example.org`.toLowerCase(),
      telephone(random),
      paragraph(random, random.int(1, 3)),
      random.pick(TIMEZONES),
      place.street1,
      place.city,
      place.state,
      place.zip,
      place.country,
      SEEDED_AT + n * 60_000,
    );
  }
}

function seedFriends(db: DatabaseSync, random: SeededRandom, size: SiteSize): void {
  // Friendship is mutual: both directions are stored so a person's friends are one indexed read.
  const insert = db.prepare('INSERT OR IGNORE INTO friends (user_id, friend_id) VALUES (?, ?)');
  for (let n = 1; n <= size.users; n++) {
    for (const other of random.sample(size.users, random.int(0, 10))) {
      const friend = other + 1;
      if (friend === n) continue;
      insert.run(n, friend);
      insert.run(friend, n);
    }
  }
}

function seedTags(db: DatabaseSync, size: SiteSize): void {
  const insert = db.prepare('INSERT INTO tags (id, name) VALUES (?, ?)');
  for (let n = 1; n <= size.tags; n++) insert.run(n, `tag${n}`);
}

function seedEvents(db: DatabaseSync, random: SeededRandom, size: SiteSize): void {
  const insert = db.prepare(`INSERT INTO events (id, title, summary, description, starts_at, timezone, telephone,
    street1, city, state, zip, country, submitter_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const tag = db.prepare('INSERT INTO event_tags (tag_id, starts_at, event_id) VALUES (?, ?, ?)');
  const attend = db.prepare('INSERT INTO attendees (event_id, user_id) VALUES (?, ?)');
  const popularity = new TagPopularity(size.tags);
  for (let n = 1; n <= size.events; n++) {
    const place = address(random);
    const day = random.int(0, SEEDED_EVENT_DAYS - 1);
    const minutes = random.int(8, 21) * 60 + random.pick([0, 15, 30, 45]);
    const startsAt = SEEDED_EVENTS_FROM + day * 86_400_000 + minutes * 60_000;
    insert.run(
      n,
      eventTitle(random),
      sentence(random),
      paragraph(random, random.int(3, 7)),
      startsAt,
      random.pick(TIMEZONES),
      telephone(random),
      place.street1,
      place.city,
      place.state,
      place.zip,
      place.country,
      random.int(1, size.users),
      SEEDED_AT + n * 60_000,
    );
    for (const tagId of popularity.draw(random, random.int(1, 5))) tag.run(tagId, startsAt, n);
    for (const user of random.sample(size.users, random.int(0, 20))) attend.run(n, user + 1);
  }
}

/**
 * Tags drawn with Zipf-like weights (tag1 most popular), so a few tags mark many events and a
 * tag search, like Olio's, returns anything from a handful to hundreds of events.
 */
class TagPopularity {
  private readonly cumulative: number[] = [];

  constructor(tags: number) {
    let total = 0;
    for (let rank = 1; rank <= tags; rank++) {
      total += 1 / rank ** 0.8;
      this.cumulative.push(total);
    }
  }

  draw(random: SeededRandom, count: number): number[] {
    const chosen = new Set<number>();
    const total = this.cumulative.at(-1) ?? 0;
    while (chosen.size < Math.min(count, this.cumulative.length)) {
      const target = random.next() * total;
      let low = 0;
      let high = this.cumulative.length - 1;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((this.cumulative[mid] ?? 0) < target) low = mid + 1;
        else high = mid;
      }
      chosen.add(low + 1);
    }
    return [...chosen];
  }
}
