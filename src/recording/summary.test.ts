import { describe, expect, it } from 'vitest';
import { Recorder } from './recorder.ts';
import { summarize } from './summary.ts';

const T0 = 1_700_000_000_000;

/** Within HdrHistogram's precision: 3 significant digits keep a value within 1/1024 of itself. */
function near(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(expected / 1024);
}

describe('Given 100 HomePage actions of 1..100 ms over two seconds, and 3 failures', () => {
  const recorder = new Recorder();
  for (let ms = 1; ms <= 100; ms++) {
    recorder.record({ action: 'HomePage', startMs: T0 + (ms % 2) * 1000, durationUs: ms * 1000, ok: true });
  }
  recorder.record({ action: 'HomePage', startMs: T0, durationUs: 0, ok: false, errorKind: 'connect' });
  recorder.record({ action: 'HomePage', startMs: T0 + 1000, durationUs: 0, ok: false, errorKind: 'connect' });
  recorder.record({ action: 'HomePage', startMs: T0 + 1000, durationUs: 0, ok: false, errorKind: 'body' });
  const seconds = recorder.drain(Number.POSITIVE_INFINITY);

  describe('When summarized over both seconds', () => {
    const home = summarize(seconds).HomePage;
    it('Then count includes failures and errors are split by kind', () => {
      expect(home?.count).toBe(103);
      expect(home?.errors).toBe(3);
      expect(home?.errorsByKind).toEqual({ connect: 2, body: 1 });
    });
    it('Then percentiles are nearest rank over the successes (p50 = 50th value, p90 = 90th, p99 = 99th)', () => {
      near(home?.p50, 50);
      near(home?.p90, 90);
      near(home?.p99, 99);
      near(home?.max, 100);
      near(home?.mean, 50.5);
    });
  });

  describe('When summarized over the second second only', () => {
    const home = summarize(seconds, { fromSecond: T0 / 1000 + 1, toSecond: T0 / 1000 + 2 }).HomePage;
    it('Then only the odd durations and that second’s failures count', () => {
      expect(home?.count).toBe(52);
      expect(home?.errors).toBe(2);
      near(home?.max, 99);
      near(home?.p50, 49); // 25th of 1, 3, ..., 99
    });
  });

  describe('When the range holds no second', () => {
    it('Then no action is listed', () => {
      expect(summarize(seconds, { fromSecond: 0, toSecond: 1 })).toEqual({});
    });
  });
});

describe('Given an action that only failed', () => {
  it('When summarized, Then its response-time figures are null, not zero', () => {
    const recorder = new Recorder();
    recorder.record({ action: 'Login', startMs: T0, durationUs: 5, ok: false, errorKind: 'timeout' });
    const login = summarize(recorder.drain(Number.POSITIVE_INFINITY)).Login;
    expect(login).toMatchObject({ count: 1, errors: 1, mean: null, p50: null, p90: null, p99: null, max: null });
  });
});
