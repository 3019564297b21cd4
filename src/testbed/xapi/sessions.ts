// Sessions: session.login_with_password checks the pool's one local account (XAPI without
// external auth checks only the local superuser) and hands out a session reference that every
// other call passes first. Unlike XAPI, a failed login answers at once (XAPI sleeps 5 s against
// brute force; tests would only wait).
import { timingSafeEqual } from 'node:crypto';
import { authenticationFailed, parameterText, sessionInvalid } from './errors.ts';
import { newRef } from './store.ts';

export interface Credentials {
  username: string;
  password: string;
}

export class SessionTable {
  readonly #credentials: Credentials;
  readonly #sessions = new Map<string, { user: string; createdAt: number }>();

  constructor(credentials: Credentials) {
    this.#credentials = credentials;
  }

  login(username: unknown, password: unknown): string {
    const user = parameterText(username);
    if (typeof username !== 'string' || typeof password !== 'string' || user !== this.#credentials.username || !sameSecret(password, this.#credentials.password)) {
      throw authenticationFailed(user);
    }
    const ref = newRef();
    this.#sessions.set(ref, { user, createdAt: Date.now() });
    return ref;
  }

  /** A session for the same user without a password (XAPI's login_no_password, for migrate_receive). */
  open(from: string): string {
    const ref = newRef();
    this.#sessions.set(ref, { user: this.#sessions.get(from)?.user ?? this.#credentials.username, createdAt: Date.now() });
    return ref;
  }

  logout(session: unknown): void {
    this.check(session);
    this.#sessions.delete(session as string);
  }

  /** The session is gone, as when it expires or XAPI restarts; its next call gets SESSION_INVALID. */
  forget(session: string): void {
    this.#sessions.delete(session);
  }

  forgetAll(): void {
    this.#sessions.clear();
  }

  /** Throws SESSION_INVALID unless `session` is a live session reference. */
  check(session: unknown): string {
    if (typeof session !== 'string' || !this.#sessions.has(session)) throw sessionInvalid(parameterText(session));
    return session;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
