import { describe, expect, it } from 'vitest';
import { runSpread } from './run-spread.ts';

describe('Given the windowed p99 maxima of an experiment repeated five times', () => {
  // 1.0, 1.2, 0.9, 1.1, 1.3: mean 1.1, s = sqrt(0.025) = 0.1581, t(0.975, 4) = 2.7764.
  const spread = runSpread([1.0, 1.2, 0.9, 1.1, 1.3]);

  it('then the worst run is the table value and the mean sits beside it', () => {
    expect(spread?.worst).toBe(1.3);
    expect(spread?.mean).toBeCloseTo(1.1, 12);
    expect(spread?.runs).toBe(5);
  });

  it("then the standard deviation is the sample one and the 95 % interval uses Student's t with 4 degrees of freedom", () => {
    expect(spread?.stdDev).toBeCloseTo(0.158114, 6);
    const half = 2.776445 * (0.158114 / Math.sqrt(5));
    expect(spread?.ci95?.low).toBeCloseTo(1.1 - half, 5);
    expect(spread?.ci95?.high).toBeCloseTo(1.1 + half, 5);
  });
});

describe('Given fewer or stranger runs', () => {
  it('when there is none, then there is no spread', () => {
    expect(runSpread([])).toBeUndefined();
  });

  it('when there is one, then mean and worst are that run and no interval is invented', () => {
    expect(runSpread([0.7])).toEqual({ runs: 1, mean: 0.7, worst: 0.7 });
  });

  it("when two runs differ a lot, then the interval is wide (t = 12.71) and its low end stops at zero", () => {
    const spread = runSpread([0.1, 2.1]);
    expect(spread?.ci95?.high).toBeCloseTo(1.1 + 12.7062 * (Math.SQRT2 / Math.sqrt(2)), 3);
    expect(spread?.ci95?.low).toBe(0);
  });

  it('when every run gives the same value, then the interval is that value', () => {
    expect(runSpread([0.5, 0.5, 0.5])).toMatchObject({ stdDev: 0, ci95: { low: 0.5, high: 0.5 } });
  });
});
