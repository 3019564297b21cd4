// The site's reads and writes, one prepared statement each, prepared once at start-up: every
// page is a handful of indexed queries. DatabaseSync is synchronous, so a check followed by a
// write (a taken username) cannot interleave with another request.
import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { InvalidInputError } from '../../invalid/index.ts';
import { hashPassword, newSalt, passwordMatches } from './passwords.ts';
import type { Address } from './site-text.ts';

export interface SessionUser {
  id: number;
  username: string;
  firstname: string;
  lastname: string;
}

export interface EventSummary {
  id: number;
  title: string;
  summary: string;
  startsAt: number;
  timezone: string;
  city: string;
  country: string;
}

export interface EventRecord extends EventSummary, Address {
  description: string;
  telephone: string;
  submitter: string;
  imageId: number | null;
  documentId: number | null;
}

export interface EventPage {
  event: EventRecord;
  tags: string[];
  attendeeCount: number;
  /** The first attendees by username; the page shows these and the count. */
  attendees: string[];
}

export interface Person extends Address {
  id: number;
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  telephone: string;
  summary: string;
  timezone: string;
  imageId: number | null;
}

export interface PersonPage {
  person: Person;
  events: EventSummary[];
  friends: string[];
}

export interface Upload {
  contentType: string;
  data: Buffer;
}

export interface NewPerson extends Address {
  username: string;
  password: string;
  firstname: string;
  lastname: string;
  email: string;
  telephone: string;
  summary: string;
  timezone: string;
  image: Upload | undefined;
}

export interface NewEvent extends Address {
  title: string;
  summary: string;
  description: string;
  startsAt: number;
  timezone: string;
  telephone: string;
  tags: string[];
  image: Upload | undefined;
  document: Upload | undefined;
}

export interface TagCount {
  name: string;
  eventCount: number;
}

export interface StoredBlob {
  contentType: string;
  data: Uint8Array;
}

const SUMMARY_COLUMNS = 'e.id, e.title, e.summary, e.starts_at AS startsAt, e.timezone, e.city, e.country';
const ATTENDEES_SHOWN = 50;
const PERSON_EVENTS_SHOWN = 20;
const FRIENDS_SHOWN = 30;

export class SocialStore {
  private readonly db: DatabaseSync;
  private readonly sql: Statements;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.sql = prepareStatements(db);
  }

  // --- sessions ---

  sessionUser(sessionId: string): SessionUser | undefined {
    return this.sql.sessionUser.get(sessionId) as SessionUser | undefined;
  }

  /** A new session id when the credentials match, otherwise undefined. */
  logIn(username: string, password: string): string | undefined {
    const row = this.sql.credentials.get(username) as { id: number; salt: string; hash: string } | undefined;
    if (!row || !passwordMatches(password, row.salt, row.hash)) return undefined;
    const sessionId = randomBytes(18).toString('base64url');
    this.sql.insertSession.run(sessionId, row.id, Date.now());
    return sessionId;
  }

  logOut(sessionId: string): void {
    this.sql.deleteSession.run(sessionId);
  }

  // --- reads for the pages ---

  upcomingEvents(now: number, limit: number, offset = 0): EventSummary[] {
    return this.sql.upcoming.all(now, limit, offset) as unknown as EventSummary[];
  }

  tagCloud(limit: number): TagCount[] {
    return this.sql.tagCloud.all(limit) as unknown as TagCount[];
  }

  eventsTagged(tag: string, limit: number, offset: number): { total: number; events: EventSummary[] } {
    const count = this.sql.taggedCount.get(tag) as { n: number } | undefined;
    if (!count) return { total: 0, events: [] };
    return { total: count.n, events: this.sql.tagged.all(tag, limit, offset) as unknown as EventSummary[] };
  }

  event(id: number): EventRecord | undefined {
    return this.sql.event.get(id) as EventRecord | undefined;
  }

  eventPage(id: number): EventPage | undefined {
    const event = this.event(id);
    if (!event) return undefined;
    const tags = (this.sql.eventTags.all(id) as { name: string }[]).map((row) => row.name);
    const attendeeCount = (this.sql.attendeeCount.get(id) as { n: number }).n;
    const attendees = (this.sql.attendees.all(id) as { username: string }[]).map((row) => row.username);
    return { event, tags, attendeeCount, attendees };
  }

  isAttending(eventId: number, userId: number): boolean {
    return this.sql.isAttending.get(eventId, userId) !== undefined;
  }

  person(username: string): Person | undefined {
    return this.sql.person.get(username) as Person | undefined;
  }

  /** By number: Olio names a person's picture p<number>.jpg. */
  personById(id: number): Person | undefined {
    return this.sql.personById.get(id) as Person | undefined;
  }

  personPage(username: string): PersonPage | undefined {
    const person = this.person(username);
    if (!person) return undefined;
    const events = this.sql.personEvents.all(person.id) as unknown as EventSummary[];
    const friends = (this.sql.friends.all(person.id) as { username: string }[]).map((row) => row.username);
    return { person, events, friends };
  }

  blob(id: number): StoredBlob | undefined {
    return this.sql.blob.get(id) as StoredBlob | undefined;
  }

  // --- writes ---

  /** Adds the user as an attendee; false when there is no such event. */
  attend(eventId: number, userId: number): boolean {
    if (!this.event(eventId)) return false;
    this.sql.attend.run(eventId, userId);
    return true;
  }

  addPerson(person: NewPerson): number {
    if (this.sql.usernameTaken.get(person.username)) {
      throw new InvalidInputError('add_user_name', `"${person.username}" is taken; choose another user name`);
    }
    return this.inTransaction(() => {
      const imageId = person.image ? this.insertBlob(person.image) : null;
      const salt = newSalt();
      const result = this.sql.insertPerson.run(
        person.username,
        salt,
        hashPassword(person.password, salt),
        person.firstname,
        person.lastname,
        person.email,
        person.telephone,
        person.summary,
        person.timezone,
        person.street1,
        person.city,
        person.state,
        person.zip,
        person.country,
        imageId,
        Date.now(),
      );
      return Number(result.lastInsertRowid);
    });
  }

  addEvent(event: NewEvent, submitterId: number): number {
    return this.inTransaction(() => {
      const imageId = event.image ? this.insertBlob(event.image) : null;
      const documentId = event.document ? this.insertBlob(event.document) : null;
      const result = this.sql.insertEvent.run(
        event.title,
        event.summary,
        event.description,
        event.startsAt,
        event.timezone,
        event.telephone,
        event.street1,
        event.city,
        event.state,
        event.zip,
        event.country,
        submitterId,
        imageId,
        documentId,
        Date.now(),
      );
      const eventId = Number(result.lastInsertRowid);
      for (const tag of new Set(event.tags)) {
        this.sql.insertTag.run(tag);
        const { id: tagId } = this.sql.tagId.get(tag) as { id: number };
        this.sql.tagEvent.run(tagId, event.startsAt, eventId);
        this.sql.countTag.run(tagId);
      }
      return eventId;
    });
  }

  private insertBlob(upload: Upload): number {
    return Number(this.sql.insertBlob.run(upload.contentType, upload.data).lastInsertRowid);
  }

  private inTransaction<T>(work: () => T): T {
    this.db.exec('BEGIN');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: DatabaseSync) {
  const prepare = (sql: string) => db.prepare(sql);
  return {
    sessionUser: prepare(`SELECT u.id, u.username, u.firstname, u.lastname
      FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`),
    credentials: prepare('SELECT id, password_salt AS salt, password_hash AS hash FROM users WHERE username = ?'),
    insertSession: prepare('INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)'),
    deleteSession: prepare('DELETE FROM sessions WHERE id = ?'),
    upcoming: prepare(`SELECT ${SUMMARY_COLUMNS} FROM events e WHERE e.starts_at >= ?
      ORDER BY e.starts_at, e.id LIMIT ? OFFSET ?`),
    tagCloud: prepare('SELECT name, event_count AS eventCount FROM tags ORDER BY event_count DESC, name LIMIT ?'),
    tagged: prepare(`SELECT ${SUMMARY_COLUMNS} FROM event_tags et JOIN events e ON e.id = et.event_id
      WHERE et.tag_id = (SELECT id FROM tags WHERE name = ?) ORDER BY et.starts_at, et.event_id LIMIT ? OFFSET ?`),
    taggedCount: prepare('SELECT event_count AS n FROM tags WHERE name = ?'),
    event: prepare(`SELECT ${SUMMARY_COLUMNS}, e.description, e.telephone, e.street1, e.state, e.zip,
      e.image_id AS imageId, e.document_id AS documentId, u.username AS submitter
      FROM events e JOIN users u ON u.id = e.submitter_id WHERE e.id = ?`),
    eventTags: prepare(`SELECT t.name FROM event_tags et JOIN tags t ON t.id = et.tag_id
      WHERE et.event_id = ? ORDER BY t.name`),
    attendeeCount: prepare('SELECT count(*) AS n FROM attendees WHERE event_id = ?'),
    attendees: prepare(`SELECT u.username FROM attendees a JOIN users u ON u.id = a.user_id
      WHERE a.event_id = ? ORDER BY u.id LIMIT ${ATTENDEES_SHOWN}`),
    isAttending: prepare('SELECT 1 AS yes FROM attendees WHERE event_id = ? AND user_id = ?'),
    attend: prepare('INSERT OR IGNORE INTO attendees (event_id, user_id) VALUES (?, ?)'),
    person: prepare(`SELECT id, username, firstname, lastname, email, telephone, summary, timezone, street1,
      city, state, zip, country, image_id AS imageId FROM users WHERE username = ?`),
    personById: prepare(`SELECT id, username, firstname, lastname, email, telephone, summary, timezone, street1,
      city, state, zip, country, image_id AS imageId FROM users WHERE id = ?`),
    personEvents: prepare(`SELECT ${SUMMARY_COLUMNS} FROM attendees a JOIN events e ON e.id = a.event_id
      WHERE a.user_id = ? ORDER BY e.starts_at, e.id LIMIT ${PERSON_EVENTS_SHOWN}`),
    friends: prepare(`SELECT u.username FROM friends f JOIN users u ON u.id = f.friend_id
      WHERE f.user_id = ? ORDER BY u.id LIMIT ${FRIENDS_SHOWN}`),
    usernameTaken: prepare('SELECT 1 AS yes FROM users WHERE username = ?'),
    insertBlob: prepare('INSERT INTO blobs (content_type, data) VALUES (?, ?)'),
    blob: prepare('SELECT content_type AS contentType, data FROM blobs WHERE id = ?'),
    insertPerson: prepare(`INSERT INTO users (username, password_salt, password_hash, firstname, lastname, email,
      telephone, summary, timezone, street1, city, state, zip, country, image_id, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertEvent: prepare(`INSERT INTO events (title, summary, description, starts_at, timezone, telephone,
      street1, city, state, zip, country, submitter_id, image_id, document_id, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertTag: prepare('INSERT OR IGNORE INTO tags (name) VALUES (?)'),
    tagId: prepare('SELECT id FROM tags WHERE name = ?'),
    tagEvent: prepare('INSERT OR IGNORE INTO event_tags (tag_id, starts_at, event_id) VALUES (?, ?, ?)'),
    countTag: prepare('UPDATE tags SET event_count = event_count + 1 WHERE id = ?'),
  };
}
