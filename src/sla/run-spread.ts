// How a figure varies across an experiment's repeated runs: the study ran each experiment five
// times and reported the worst value (Table 2 is "the maximum recorded") and averages. With the
// mean come the sample standard deviation and a 95 % confidence interval of the mean (Student's
// t with n-1 degrees of freedom, which a handful of runs needs: with 5 runs t is 2.78, not the
// normal 1.96), so two experiments can be compared without mistaking noise for a difference.
import jstat from 'jstat';

export interface RunSpread {
  /** Runs that gave a value. */
  runs: number;
  mean: number;
  /** The highest value of any run: what Table 2 reports. */
  worst: number;
  /** Sample standard deviation (n-1); absent for a single run. */
  stdDev?: number;
  /** 95 % confidence interval of the mean; absent for a single run. Its low end is at least 0: a time is never negative. */
  ci95?: { low: number; high: number };
}

/** The spread of one value per run, or undefined when no run gave one. */
export function runSpread(values: readonly number[]): RunSpread | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const worst = Math.max(...values);
  if (n === 1) return { runs: 1, mean, worst };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const stdDev = Math.sqrt(variance);
  const half = jstat.studentt.inv(0.975, n - 1) * (stdDev / Math.sqrt(n));
  return { runs: n, mean, worst, stdDev, ci95: { low: Math.max(0, mean - half), high: mean + half } };
}
