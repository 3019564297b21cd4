// What the site accepts from its forms, under the field names of Olio's PHP forms (what Faban's
// driver posts). Each reader turns a posted form into a domain value or throws an
// InvalidInputError naming the first field at fault, which the site answers with 400.
import { InvalidInputError } from '../../invalid/index.ts';
import type { PostedFile, PostedForm } from './form-body.ts';
import type { NewEvent, NewPerson, Upload } from './social-store.ts';

export interface Credentials {
  username: string;
  password: string;
}

const USERNAME = /^[A-Za-z0-9_.-]{1,40}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const TAG = /^[a-z0-9_-]{1,30}$/;
const MAX_TAGS = 10;

export function readCredentials(form: PostedForm): Credentials {
  return { username: text(form, 'user_name', 100), password: text(form, 'password', 100, { trim: false }) };
}

export function readPerson(form: PostedForm): NewPerson {
  const username = text(form, 'add_user_name', 40);
  if (!USERNAME.test(username)) {
    throw new InvalidInputError('add_user_name', "use 1 to 40 letters, digits, '.', '_' or '-'");
  }
  const password = text(form, 'psword', 100, { trim: false });
  if (text(form, 'passwordx', 100, { trim: false }) !== password) {
    throw new InvalidInputError('passwordx', 'does not match psword');
  }
  const person = {
    username,
    password,
    firstname: text(form, 'first_name', 50),
    lastname: text(form, 'last_name', 50),
    email: text(form, 'email', 100),
    telephone: text(form, 'telephone', 30),
    summary: text(form, 'summary', 10_000),
    timezone: text(form, 'timezone', 50),
    ...address(form),
    image: image(form, 'user_image'),
  };
  if (!EMAIL.test(person.email)) throw new InvalidInputError('email', 'is not an e-mail address (name@domain)');
  return person;
}

export function readEvent(form: PostedForm): NewEvent {
  const title = text(form, 'title', 100);
  const description = text(form, 'description', 10_000);
  return {
    title,
    // Olio's form has a summary, but the driver does not send one: the description's start stands in.
    summary: optionalText(form, 'summary', 500) ?? description.slice(0, 200).trim(),
    description,
    startsAt: startsAt(form),
    telephone: text(form, 'telephone', 30),
    timezone: text(form, 'timezone', 50),
    ...address(form),
    tags: tags(form),
    image: image(form, 'upload_image'),
    document: pdf(form, 'upload_literature'),
  };
}

/** The tag searched for, lower-cased like the site's tags. */
export function readTag(value: string | undefined): string {
  const tag = (value ?? '').trim().toLowerCase();
  if (tag === '') throw new InvalidInputError('tag', 'is required');
  if (tag.length > 30) throw new InvalidInputError('tag', 'is longer than 30 characters');
  return tag;
}

/** A 1-based page number from a query parameter (1 when absent). */
export function readPage(value: string | null): number {
  if (value === null || value === '') return 1;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) throw new InvalidInputError('page', 'must be a whole number >= 1');
  return Number(value);
}

function text(form: PostedForm, field: string, maxLength: number, options = { trim: true }): string {
  const raw = form.fields.get(field);
  const value = options.trim ? raw?.trim() : raw;
  if (value === undefined || value.trim() === '') throw new InvalidInputError(field, 'is required');
  if (value.length > maxLength) throw new InvalidInputError(field, `is longer than ${maxLength} characters`);
  return value;
}

function optionalText(form: PostedForm, field: string, maxLength: number): string | undefined {
  const value = form.fields.get(field)?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > maxLength) throw new InvalidInputError(field, `is longer than ${maxLength} characters`);
  return value;
}

/** Olio's address has two street lines; the site keeps one, the second appended to the first. */
function address(form: PostedForm) {
  const street2 = optionalText(form, 'street2', 100);
  const street1 = text(form, 'street1', 100);
  return {
    street1: street2 === undefined ? street1 : `${street1}, ${street2}`,
    city: text(form, 'city', 60),
    state: text(form, 'state', 60),
    zip: text(form, 'zip', 20),
    country: text(form, 'country', 60),
  };
}

function whole(form: PostedForm, field: string, min: number, max: number): number {
  const value = text(form, field, 4);
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidInputError(field, `must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

function startsAt(form: PostedForm): number {
  const year = whole(form, 'year', 1970, 9999);
  const month = whole(form, 'month', 1, 12);
  const day = whole(form, 'day', 1, 31);
  const hour = whole(form, 'hour', 0, 23);
  const minute = whole(form, 'minute', 0, 59);
  // The wall-clock time in the event's own time zone; stored as if UTC, which is all the site
  // needs to order events and show the time as entered.
  const at = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(at).getUTCDate() !== day) throw new InvalidInputError('day', `month ${month} of ${year} has no day ${day}`);
  return at;
}

function tags(form: PostedForm): string[] {
  const names = text(form, 'tags', 400).toLowerCase().split(/[\s,]+/).filter((tag) => tag !== '');
  const bad = names.find((tag) => !TAG.test(tag));
  if (bad !== undefined) {
    throw new InvalidInputError('tags', `"${bad}" is not a tag: use 1 to 30 letters, digits, '_' or '-'`);
  }
  if (names.length > MAX_TAGS) throw new InvalidInputError('tags', `at most ${MAX_TAGS} tags`);
  return [...new Set(names)];
}

const IMAGE_SIGNATURES: readonly (readonly [type: string, bytes: readonly number[]])[] = [
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
];

function image(form: PostedForm, field: string): Upload | undefined {
  const file = form.files.get(field);
  if (!file) return undefined;
  const sniffed = IMAGE_SIGNATURES.find(([, bytes]) => startsWith(file, bytes))?.[0];
  if (sniffed) return { contentType: sniffed, data: file.data };
  if (/^image\/(jpeg|png|gif|webp)$/i.test(file.contentType)) return { contentType: file.contentType.toLowerCase(), data: file.data };
  throw new InvalidInputError(field, `must be a JPEG, PNG or GIF image, got ${file.contentType || 'no type'}`);
}

function pdf(form: PostedForm, field: string): Upload | undefined {
  const file = form.files.get(field);
  if (!file) return undefined;
  if (file.contentType.toLowerCase() === 'application/pdf' || startsWith(file, [0x25, 0x50, 0x44, 0x46, 0x2d])) {
    return { contentType: 'application/pdf', data: file.data };
  }
  throw new InvalidInputError(field, `must be a PDF (application/pdf), got ${file.contentType || 'no type'}`);
}

function startsWith(file: PostedFile, bytes: readonly number[]): boolean {
  return bytes.every((byte, i) => file.data[i] === byte);
}
