// Salted SHA-256 password hashes. Deliberately fast rather than a slow KDF: the site's users are
// public test fixtures (user<N>'s password is N, as Olio's), and a KDF would make seeding and the Login action measure
// the hash function instead of the application's request path.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function hashPassword(password: string, salt: string): string {
  return createHash('sha256').update(salt).update('\0').update(password).digest('hex');
}

export function newSalt(): string {
  return randomBytes(12).toString('hex');
}

export function passwordMatches(password: string, salt: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashPassword(password, salt), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
