// What the forms accept, read from posted fields as busboy delivers them.
import { describe, expect, it } from 'vitest';
import type { PostedFile, PostedForm } from './form-body.ts';
import { readEvent, readPage, readTag } from './forms.ts';

function form(fields: Record<string, string>, files: Record<string, PostedFile> = {}): PostedForm {
  return { fields: new Map(Object.entries(fields)), files: new Map(Object.entries(files)) };
}

const EVENT = {
  title: ' Jam ',
  summary: 's',
  description: 'd',
  month: '12',
  day: '31',
  year: '2030',
  hour: '0',
  minute: '5',
  telephone: 't',
  timezone: 'UTC',
  street1: 'x',
  city: 'c',
  state: 's',
  zip: 'z',
  country: 'k',
  tags: 'Jazz, night  jazz',
};

function fieldOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return (error as { field?: string }).field;
  }
  return undefined;
}

describe('readEvent', () => {
  it('given a complete form, when read, then text is trimmed, the date is exact and tags are lower-cased once each', () => {
    const event = readEvent(form(EVENT));
    expect(event.title).toBe('Jam');
    expect(new Date(event.startsAt).toISOString()).toBe('2030-12-31T00:05:00.000Z');
    expect(event.tags).toEqual(['jazz', 'night']);
    expect(event.image).toBeUndefined();
  });

  it.each([
    ['day', { month: '4', day: '31' }],
    ['day', { day: '0' }],
    ['month', { month: '13' }],
    ['minute', { minute: '60' }],
    ['year', { year: '-1' }],
    ['tags', { tags: 'a '.repeat(11) }],
    ['tags', { tags: '<script>' }],
    ['zip', { zip: '' }],
  ])('given a bad %s, when read, then the error names it', (field, overrides) => {
    expect(fieldOf(() => readEvent(form({ ...EVENT, ...overrides })))).toBe(field);
  });

  it('given a PDF posted as octet-stream, when read, then its %PDF- signature makes it a PDF', () => {
    const pdf = { filename: 'a.bin', contentType: 'application/octet-stream', data: Buffer.from('%PDF-1.4\n') };
    expect(readEvent(form(EVENT, { upload_literature: pdf })).document?.contentType).toBe('application/pdf');
  });

  it('given a PNG posted as octet-stream, when read, then its signature makes it image/png', () => {
    const png = { filename: 'a', contentType: 'application/octet-stream', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1]) };
    expect(readEvent(form(EVENT, { upload_image: png })).image?.contentType).toBe('image/png');
  });
});

describe('readTag and readPage', () => {
  it('given a tag with spaces and capitals, when read, then it is trimmed and lower-cased', () => {
    expect(readTag('  Tag7 ')).toBe('tag7');
    expect(fieldOf(() => readTag(undefined))).toBe('tag');
  });

  it('given page parameters, when read, then absent is 1 and anything but a positive whole number is refused', () => {
    expect(readPage(null)).toBe(1);
    expect(readPage('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'x']) expect(fieldOf(() => readPage(bad)), bad).toBe('page');
  });
});
