import { describe, expect, it } from 'vitest';
import { microTime } from './micro-time.ts';

describe('Given a moment to write into a Lease or an Event', () => {
  it('Then it is RFC 3339 with exactly six fraction digits, as MicroTime wants', () => {
    expect(microTime(new Date(Date.UTC(2025, 4, 1, 10, 0, 0, 123)))).toBe('2025-05-01T10:00:00.123000Z');
  });
});
