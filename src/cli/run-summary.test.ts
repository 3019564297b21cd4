import { describe, expect, it } from 'vitest';
import { parseExperiment, type MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { experiment } from '../api/testing/cases.ts';
import { describeExperiment } from './run-summary.ts';

const status = (runs: number): MigrationExperimentStatus => ({
  phase: 'Succeeded',
  completedRuns: runs,
  summary: {
    runs,
    migrations: runs,
    actions: [
      {
        action: 'HomePage',
        count: 900,
        errors: 0,
        thresholdSeconds: 1,
        percentiles: [
          { percentile: 90, worstMaxSeconds: 0.6, meanMaxSeconds: 0.5, stdDevMaxSeconds: 0.08, ci95MaxSeconds: { low: 0.4, high: 0.6 }, runsMeasured: runs, violations: 0, verdict: 'Pass' },
          { percentile: 99, worstMaxSeconds: 1.3, meanMaxSeconds: 1.1, stdDevMaxSeconds: 0.16, ci95MaxSeconds: { low: 0.904, high: 1.296 }, runsMeasured: runs, violations: 3, verdict: 'Fail' },
        ],
        verdict: 'Fail',
      },
    ],
  },
});

describe('Given the summary of an experiment', () => {
  const record = (runs: number) => ({ experiment: parseExperiment(experiment('study')), runs: [], status: status(runs) });

  it('when it ran five times, then the table shows the worst run as max and the mean ± the half-width of its 95 % interval beside it', () => {
    const text = describeExperiment(record(5));
    expect(text).toMatch(/max p90\s+mean p90 ±95%\s+max p99\s+mean p99 ±95%/);
    expect(text).toMatch(/HomePage .* 0\.600s\s+0\.500s ±0\.100\s+1\.300s\s+1\.100s ±0\.196/);
  });

  it('when it ran once, then there is nothing to average and no mean column', () => {
    expect(describeExperiment(record(1))).not.toContain('mean p90');
  });
});
