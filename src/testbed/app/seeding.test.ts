// Seeding builds the site the contract promises, the same one for the same seed and scale.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../invalid/index.ts';
import { startReferenceApp } from './index.ts';
import { passwordMatches } from './passwords.ts';
import { openSiteDatabase } from './schema.ts';
import { SEEDED_EVENTS_FROM, seedSite, siteSize } from './seeding.ts';

const opened: DatabaseSync[] = [];

function seeded(seed: number, scale: number): DatabaseSync {
  const { db, needsSeed } = openSiteDatabase(':memory:', { seed, scale });
  opened.push(db);
  expect(needsSeed).toBe(true);
  seedSite(db, { seed, scale });
  return db;
}

function count(db: DatabaseSync, sql: string): number {
  return (db.prepare(sql).get() as { n: number }).n;
}

function dump(db: DatabaseSync): string {
  const tables = ['users', 'events', 'tags', 'event_tags', 'attendees', 'friends', 'meta'];
  return JSON.stringify(tables.map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()));
}

afterAll(() => {
  for (const db of opened) db.close();
});

describe('seedSite', () => {
  it.each([1, 30, 500, 1200])('given scale %i, when seeded, then users, events and tags follow the contract', (scale) => {
    const db = seeded(3, scale);
    const size = siteSize(scale);
    expect(size).toEqual({ users: scale, events: Math.max(100, 2 * scale), tags: Math.max(50, Math.floor(scale / 10)) });
    expect(count(db, 'SELECT count(*) AS n FROM users')).toBe(size.users);
    expect(count(db, 'SELECT count(*) AS n FROM events')).toBe(size.events);
    expect(count(db, 'SELECT count(*) AS n FROM tags')).toBe(size.tags);
    expect(count(db, `SELECT count(*) AS n FROM users WHERE username = 'user${scale}'`)).toBe(1);
    // Every event has 1..5 tags, a future date, and the tag counts match the links.
    const perEvent = db.prepare('SELECT count(*) AS n FROM event_tags GROUP BY event_id').all() as { n: number }[];
    expect(perEvent).toHaveLength(size.events);
    expect(perEvent.every(({ n }) => n >= 1 && n <= 5)).toBe(true);
    expect(count(db, `SELECT count(*) AS n FROM events WHERE starts_at < ${SEEDED_EVENTS_FROM}`)).toBe(0);
    expect(count(db, 'SELECT count(*) AS n FROM tags WHERE event_count != (SELECT count(*) FROM event_tags WHERE tag_id = tags.id)')).toBe(0);
    expect(count(db, 'SELECT count(*) AS n FROM friends WHERE user_id = friend_id')).toBe(0);
  });

  it('given scale 500, when seeded, then the popular tags tag many events and the rare ones few', () => {
    const db = seeded(3, 500);
    const counts = (db.prepare('SELECT event_count AS n FROM tags ORDER BY event_count DESC').all() as { n: number }[]).map(({ n }) => n);
    expect(counts[0]).toBeGreaterThan(150);
    expect(counts.at(-1)).toBeLessThan(50);
  });

  it('given seeded users, when user<N> logs in with N (as on Olio), then the password matches and another does not', () => {
    const db = seeded(3, 20);
    const user = db.prepare("SELECT password_salt AS salt, password_hash AS hash FROM users WHERE username = 'user17'").get() as {
      salt: string;
      hash: string;
    };
    expect(passwordMatches('17', user.salt, user.hash)).toBe(true);
    expect(passwordMatches('16', user.salt, user.hash)).toBe(false);
  });

  it('given the same seed and scale, when seeded twice, then every row is the same; another seed differs', () => {
    expect(dump(seeded(5, 80))).toEqual(dump(seeded(5, 80)));
    expect(dump(seeded(6, 80))).not.toEqual(dump(seeded(5, 80)));
  });
});

describe('startReferenceApp options', () => {
  it.each([
    ['scale', { scale: 0 }],
    ['scale', { scale: 2.5 }],
    ['seed', { seed: Number.NaN }],
    ['port', { port: 70_000 }],
  ])('given a bad %s, when starting, then it is refused naming the option', async (field, options) => {
    await expect(startReferenceApp(options)).rejects.toMatchObject({ name: 'InvalidInputError', field });
  });

  describe('Given a database file', () => {
    let directory: string | undefined;
    afterAll(async () => {
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    it('when the app restarts on it, then what users added is still there, and another seed is refused', async () => {
      directory = await mkdtemp(join(tmpdir(), 'migrascope-app-'));
      const databasePath = join(directory, 'site.sqlite');
      const first = await startReferenceApp({ scale: 10, seed: 4, databasePath });
      const signUp = new FormData();
      const fields = {
        ...{ add_user_name: 'kept', psword: 'p', passwordx: 'p', first_name: 'Kept', last_name: 'Person' },
        ...{ email: 'k@example.org', telephone: '1', summary: 's', timezone: 'UTC' },
        ...{ street1: 's', city: 'c', state: 's', zip: 'z', country: 'k' },
      };
      for (const [name, value] of Object.entries(fields)) signUp.append(name, value);
      const added = await fetch(`${first.url}/addPersonResult.php`, { method: 'POST', body: signUp, redirect: 'manual' });
      expect(added.status).toBe(302);
      await first.close();

      const again = await startReferenceApp({ scale: 10, seed: 4, databasePath });
      try {
        const page = await fetch(`${again.url}/users.php?username=kept`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('Kept Person');
      } finally {
        await again.close();
      }
      const refused = startReferenceApp({ scale: 10, seed: 5, databasePath });
      await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
      await expect(refused).rejects.toMatchObject({ field: 'databasePath' });
    });
  });
});
