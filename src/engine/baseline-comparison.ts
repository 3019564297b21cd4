// What the migrations cost compared with the same load without them (spec.baseline): per action
// and percentile, the baseline run's highest windowed value against the mean of the measured runs'
// (their summary's meanMaxSeconds), as a ratio and a difference, and the violating windows per run
// beyond the baseline's. The formulas are in docs/sla.md#baseline.
import type { BaselineAction, BaselinePercentile, BaselineResult, MigrationExperimentStatus, PercentileResult, PercentileSummary, RunResult, RunSummary } from '../api/v1alpha1/index.ts';
import { summarizeRuns } from './run-analysis.ts';

/** status.baseline once the baseline run has finished (nothing before): it, compared with the measured runs so far. */
export function baselineStatus(baseline: RunResult | undefined, runs: readonly RunResult[]): Pick<MigrationExperimentStatus, 'baseline'> {
  return baseline ? { baseline: baselineResult(baseline, summarizeRuns(runs)) } : {};
}

/** status.baseline: the baseline run and, once a measured run has finished, the comparison. */
export function baselineResult(baseline: RunResult, summary: RunSummary): BaselineResult {
  const actions = compareWithBaseline(baseline, summary);
  return { run: baseline, ...(actions.length === 0 ? {} : { actions }) };
}

/**
 * Per action the baseline run judged, compared with the summary of the measured runs; empty until
 * a measured run has finished. An action the measured runs never completed has no mean to compare,
 * only its violating windows (none per run).
 */
export function compareWithBaseline(baseline: RunResult, summary: RunSummary): BaselineAction[] {
  if (summary.runs === 0) return [];
  return (baseline.actions ?? []).map((action) => {
    const measured = summary.actions?.find((a) => a.action === action.action);
    return {
      action: action.action,
      percentiles: action.percentiles.map((without) =>
        comparePercentile(
          without,
          measured?.percentiles.find((p) => p.percentile === without.percentile),
          summary.runs,
        ),
      ),
    };
  });
}

function comparePercentile(without: PercentileResult, withMigration: PercentileSummary | undefined, runs: number): BaselinePercentile {
  const baseline = without.maxSeconds;
  const migrated = withMigration?.meanMaxSeconds;
  const meanViolations = (withMigration?.violations ?? 0) / runs;
  return {
    percentile: without.percentile,
    ...(baseline === undefined ? {} : { baselineMaxSeconds: baseline }),
    ...(migrated === undefined ? {} : { meanMaxSeconds: migrated }),
    ...(baseline === undefined || migrated === undefined || baseline === 0 ? {} : { slowdown: migrated / baseline }),
    ...(baseline === undefined || migrated === undefined ? {} : { slowdownSeconds: migrated - baseline }),
    baselineViolations: without.violations,
    meanViolations,
    extraViolations: meanViolations - without.violations,
  };
}
