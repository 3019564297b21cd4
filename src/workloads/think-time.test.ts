import { describe, expect, it } from 'vitest';
import { Random } from './random.ts';
import { clampedNegexpMean, drawDelay, negativeExponential, nextStart } from './think-time.ts';

describe('Given Olio think times: negative exponential, mean 5000 ms, capped at 5 x the mean', () => {
  const think = negativeExponential(5000);
  const random = new Random(2009);
  const draws = Array.from({ length: 200_000 }, () => drawDelay(think, random));

  it('Then no delay exceeds the cap of 25 000 ms and none is negative', () => {
    expect(draws.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(25_000);
    expect(draws.reduce((a, b) => Math.min(a, b), Infinity)).toBeGreaterThanOrEqual(0);
  });

  it('Then the cap is reached about e^-5 of the time (clamped, as Faban does, not redrawn)', () => {
    const atCap = draws.filter((d) => d === 25_000).length / draws.length;
    expect(atCap).toBeGreaterThan(Math.exp(-5) * 0.7);
    expect(atCap).toBeLessThan(Math.exp(-5) * 1.3);
  });

  it('Then the mean is the clamped mean 5000 x (1 - e^-5), within 1 %', () => {
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(clampedNegexpMean(5000, 25_000)).toBeCloseTo(5000 * (1 - Math.exp(-5)), 9);
    expect(Math.abs(mean / clampedNegexpMean(5000, 25_000) - 1)).toBeLessThan(0.01);
  });

  it('Then the median is mean x ln 2 (the shape is exponential, not just the mean)', () => {
    const sorted = [...draws].sort((a, b) => a - b);
    const median = sorted[sorted.length / 2] ?? 0;
    expect(Math.abs(median / (5000 * Math.LN2) - 1)).toBeLessThan(0.02);
  });
});

describe('Given a cycle time (Faban CYCLETIME)', () => {
  const think = { distribution: 'fixed', mode: 'cycle', meanMs: 5000, maxMs: 5000 } as const;
  it('When the response took 1 s, Then the next action starts 5 s after the start of this one', () => {
    expect(nextStart(think, new Random(1), 10_000, 11_000)).toBe(15_000);
  });
  it('When the response took longer than the cycle, Then the next action starts at once', () => {
    expect(nextStart(think, new Random(1), 10_000, 17_000)).toBe(17_000);
  });
});

describe('Given a think time (Faban THINKTIME)', () => {
  const think = { distribution: 'fixed', mode: 'think', meanMs: 5000, maxMs: 5000 } as const;
  it('Then the next action starts the think time after the end of this one', () => {
    expect(nextStart(think, new Random(1), 10_000, 11_000)).toBe(16_000);
  });
});

describe('Given a uniform think time with mean 100 ms', () => {
  it('Then delays stay in [0, 200] with mean 100', () => {
    const think = { distribution: 'uniform', mode: 'think', meanMs: 100, maxMs: 1000 } as const;
    const random = new Random(3);
    const draws = Array.from({ length: 50_000 }, () => drawDelay(think, random));
    expect(draws.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(200);
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(100, -1);
  });
});
