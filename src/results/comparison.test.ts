import { describe, expect, it } from 'vitest';
import { campaign, experiment } from '../api/testing/cases.ts';
import { parseCampaign, parseExperiment, type MigrationExperimentStatus, type PercentileSummary } from '../api/v1alpha1/index.ts';
import { compareFigures, compareResults, ComparisonKindError, exceedsSpread } from './comparison.ts';
import type { ExperimentResults, ResultsDocument } from './results-file.ts';

function results(name: string, p99: Partial<PercentileSummary>, downtimes: number[]): ExperimentResults {
  const status: MigrationExperimentStatus = {
    phase: 'Succeeded',
    runs: downtimes.map((downtimeSeconds, i) => ({ index: i + 1, state: 'Succeeded', migrations: [{ index: 1, offset: '5m', state: 'Succeeded', downtimeSeconds, durationSeconds: 44 }] })),
    summary: {
      runs: downtimes.length,
      migrations: downtimes.length,
      actions: [{ action: 'HomePage', count: 10, errors: 0, thresholdSeconds: 1, verdict: p99.verdict ?? 'Pass', percentiles: [{ percentile: 99, violations: 0, verdict: 'Pass', ...p99 }] }],
      verdicts: [{ percentile: 99, verdict: p99.verdict ?? 'Pass' }],
    },
  };
  return { experiment: { ...parseExperiment({ ...experiment(name), metadata: { name } }), status }, runs: [] };
}
const single = (r: ExperimentResults): ResultsDocument => ({ kind: 'MigrationExperiment', writtenAt: 'now', experiment: r });

describe('exceedsSpread: the 95 % intervals of the two means do not overlap', () => {
  it('given intervals apart, overlapping, touching, or a side of one run, then yes, no, no, unknown', () => {
    expect(exceedsSpread({ ci95: { low: 1, high: 2 } }, { ci95: { low: 2.5, high: 3 } })).toBe('yes');
    expect(exceedsSpread({ ci95: { low: 2.5, high: 3 } }, { ci95: { low: 1, high: 2 } })).toBe('yes');
    expect(exceedsSpread({ ci95: { low: 1, high: 2 } }, { ci95: { low: 1.9, high: 3 } })).toBe('no');
    expect(exceedsSpread({ ci95: { low: 1, high: 2 } }, { ci95: { low: 2, high: 3 } })).toBe('no');
    expect(exceedsSpread({ mean: 1 }, { ci95: { low: 5, high: 6 } })).toBe('unknown');
  });

  it('given figures on both sides, then the differences are B - A', () => {
    expect(compareFigures({ worst: 1.5, mean: 1 }, { worst: 2, mean: 0.75 })).toMatchObject({ worstDifference: 0.5, meanDifference: -0.25 });
  });
});

describe('given two experiments', () => {
  const a = results('before', { worstMaxSeconds: 1.2, meanMaxSeconds: 1, ci95MaxSeconds: { low: 0.9, high: 1.1 }, runsMeasured: 5 }, [3, 3.1, 2.9]);
  const b = results('after', { worstMaxSeconds: 2.4, meanMaxSeconds: 2, ci95MaxSeconds: { low: 1.8, high: 2.2 }, runsMeasured: 5, verdict: 'Fail', violations: 4 }, [3, 3.2, 3.1]);

  it('when compared, then per action the maxima, means, differences, spread and verdicts; the downtimes with their own spread', () => {
    const comparison = compareResults(single(a), single(b));
    if (comparison.kind !== 'MigrationExperiment') throw new Error('expected experiments');
    expect(comparison.experiments.actions).toEqual([
      expect.objectContaining({ action: 'HomePage', percentile: 99, thresholdSeconds: 1, verdictA: 'Pass', verdictB: 'Fail', exceeds: 'yes', a: expect.objectContaining({ worst: 1.2 }), b: expect.objectContaining({ worst: 2.4 }) }),
    ]);
    expect(comparison.experiments.actions[0]!.worstDifference).toBeCloseTo(1.2, 12);
    expect(comparison.experiments.actions[0]!.meanDifference).toBeCloseTo(1, 12);
    expect(comparison.experiments.downtimeSeconds).toMatchObject({ a: { worst: 3.1, runs: 3 }, b: { worst: 3.2, runs: 3 }, exceeds: 'no' });
    expect(comparison.experiments.verdicts).toEqual([{ percentile: 90 }, { percentile: 99, a: 'Pass', b: 'Fail' }]);
  });

  it('when an experiment is compared with a campaign, then it is refused', () => {
    const swept: ResultsDocument = { kind: 'MigrationCampaign', writtenAt: 'now', campaign: { ...parseCampaign(campaign('swept')), status: {} }, experiments: [] };
    expect(() => compareResults(single(a), swept)).toThrow(ComparisonKindError);
  });
});

describe('given two campaigns, one stopped a level early', () => {
  const level = (users: number, name: string) => ({ users, experiment: name });
  const doc = (name: string, levels: { users: number; experiment: string }[], experiments: ExperimentResults[]): ResultsDocument => ({
    kind: 'MigrationCampaign',
    writtenAt: 'now',
    campaign: { ...parseCampaign({ ...campaign(name), metadata: { name } }), status: { phase: 'Succeeded', levels, recommendation: { percentile: 99, message: `${name}: migrate at up to ${levels.at(-1)!.users} users` } } },
    experiments,
  });

  it('when compared, then level by level, the missing level as not run, and both recommendations', () => {
    const a = doc('old', [level(100, 'old-100'), level(200, 'old-200')], [results('old-100', { worstMaxSeconds: 0.5 }, [1]), results('old-200', { worstMaxSeconds: 0.9 }, [1])]);
    const b = doc('new', [level(100, 'new-100')], [results('new-100', { worstMaxSeconds: 0.4 }, [1])]);
    const comparison = compareResults(a, b);
    if (comparison.kind !== 'MigrationCampaign') throw new Error('expected campaigns');
    expect(comparison.levels.map((l) => [l.label, l.comparison.a.name, l.comparison.b.name, l.comparison.b.phase])).toEqual([
      ['100 users', 'old-100', 'new-100', 'Succeeded'],
      ['200 users / –', 'old-200', '–', 'not run'],
    ]);
    expect(comparison.levels[0]!.comparison.actions[0]).toMatchObject({ a: { worst: 0.5 }, b: { worst: 0.4 }, exceeds: 'unknown' });
    expect(comparison.recommendation).toEqual({ a: 'old: migrate at up to 200 users', b: 'new: migrate at up to 100 users' });
  });
});
