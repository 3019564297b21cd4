import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryBackoff } from './retry-backoff.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Given the backoff an informer waits between failed attempts', () => {
  describe('When attempts keep failing (no jitter)', () => {
    it('Then the waits double from 800 ms up to 30 s', () => {
      const backoff = new RetryBackoff({ random: () => 0 });
      const waits = Array.from({ length: 8 }, () => backoff.next());
      expect(waits).toEqual([800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000]);
    });
  });

  describe('When the jitter is at its largest', () => {
    it('Then a wait is twice its step, no more', () => {
      const backoff = new RetryBackoff({ random: () => 0.999_999 });
      expect(backoff.next()).toBe(1_600);
    });
  });

  describe('When a failure comes after a long quiet while, or after reset()', () => {
    it('Then the waits start over', () => {
      const backoff = new RetryBackoff({ random: () => 0, resetAfterMs: 120_000 });
      backoff.next();
      backoff.next();
      vi.advanceTimersByTime(120_001);
      expect(backoff.next()).toBe(800);
      backoff.next();
      backoff.reset();
      expect(backoff.next()).toBe(800);
    });
  });
});
