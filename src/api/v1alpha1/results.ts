// What a run measured, as written to status: the migrations, per action the windowed percentile
// maxima and violations (the study's Table 2 figures), verdicts, and a summary over runs (mean and
// worst). Times are RFC 3339, measured durations are seconds as numbers.

import { z } from 'zod';
import { Duration } from './duration.ts';
import { MAX_RUN_MIGRATIONS } from './migrations.ts';

export const Verdict = z
  .enum(['Pass', 'Fail', 'NoData'])
  .describe('Pass: the SLA held in every window; Fail: at least one window broke it; NoData: the action never succeeded in steady state, so nothing was judged (not met).');
export type Verdict = z.infer<typeof Verdict>;

/** The verdict of several: any Fail fails, then no data, then Pass. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('Fail')) return 'Fail';
  return verdicts.includes('NoData') ? 'NoData' : 'Pass';
}

const Time = z.iso.datetime({ offset: true });
const Seconds = z.number().min(0);
const Count = z.int().min(0);

export const ActionRecovery = z.strictObject({
  action: z.string().max(64),
  baselineSeconds: Seconds.optional().describe(
    "The action's p90 response time over the 30 s before the migration started (never ramp-up, nor an earlier migration until the action was back from it); absent when it completed in none of them.",
  ),
  seconds: Seconds.optional().describe(
    'From the end of stop-and-copy until the first second whose p90 is at most 1.1 x baselineSeconds; absent when it was not back before the next migration or the end of steady state, or had no baseline.',
  ),
  unseen: z
    .literal(true)
    .optional()
    .describe('The action did not complete at all from the end of stop-and-copy to the next migration or the end of steady state (a rare action): nothing says whether it was back, so the overall seconds leave it out.'),
  slaSeconds: Seconds.optional().describe(
    'From the end of stop-and-copy until its sliding SLA windows stay under the threshold at every percentile: the end of the first window after the last broken one, 0 when no window ending after the end broke it; absent when still broken at the bound, or for an action without a threshold.',
  ),
});
export type ActionRecovery = z.infer<typeof ActionRecovery>;

export const MigrationRecovery = z.strictObject({
  fromTime: Time.describe("The end of stop-and-copy, where recovery counts from: the later of the migration's end and the end of the downtime the clients saw."),
  observedSeconds: Seconds.describe('How long after fromTime recovery was looked for: until the next migration started or steady state ended.'),
  seconds: Seconds.optional().describe("Until every action was back (the longest of perAction's seconds); absent when one with a baseline and seen after the end was not, or none was seen."),
  slaSeconds: Seconds.optional().describe("Until every action's SLA windows were back under threshold (the longest of perAction's slaSeconds); absent when one was not."),
  perAction: z.array(ActionRecovery).max(32).describe('Each action the run measured, in the order of runs[].actions.'),
});
export type MigrationRecovery = z.infer<typeof MigrationRecovery>;

export const MigrationResult = z.strictObject({
  index: z.int().min(1).describe("1-based position in the run's schedule."),
  offset: Duration.describe('Planned offset into steady state.'),
  vm: z.string().max(255).optional().describe('The VM migrated, as migrations.vms (or target.vm) names it.'),
  state: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled']),
  source: z.string().max(255).optional().describe('Name label of the host the VM left.'),
  destination: z.string().max(255).optional().describe('Name label of the host the VM went to.'),
  startTime: Time.optional(),
  endTime: Time.optional(),
  durationSeconds: Seconds.optional().describe("From VM.pool_migrate to the task's end."),
  downtimeSeconds: Seconds.optional().describe('Downtime the clients saw (probe and gaps in completions).'),
  modelDowntimeSeconds: Seconds.optional().describe('Downtime by the pre-copy model; only when the pool is simulated.'),
  modelDurationSeconds: Seconds.optional().describe('Migration time by the pre-copy model; only when the pool is simulated.'),
  recovery: MigrationRecovery.optional().describe('How long users felt the migration after it ended (a succeeded migration in steady state).'),
  message: z.string().max(4096).optional().describe('Why it failed or was cancelled.'),
});
export type MigrationResult = z.infer<typeof MigrationResult>;

export const PercentileResult = z.strictObject({
  percentile: z.number().gt(0).lt(100),
  maxSeconds: Seconds.optional().describe('Highest value of this percentile over all windows; absent when no window completed.'),
  violations: Count.describe('Windows in which this percentile exceeded the threshold.'),
  verdict: Verdict,
});
export type PercentileResult = z.infer<typeof PercentileResult>;

export const ActionResult = z.strictObject({
  action: z.string().max(64),
  count: Count.describe('Operations completed in steady state.'),
  errors: Count.describe('Operations that failed in steady state.'),
  thresholdSeconds: Seconds.describe('The SLA threshold applied (defaults filled in).'),
  percentiles: z.array(PercentileResult).max(8),
  verdict: Verdict,
});
export type ActionResult = z.infer<typeof ActionResult>;

export const PercentileVerdict = z.strictObject({ percentile: z.number().gt(0).lt(100), verdict: Verdict });
export type PercentileVerdict = z.infer<typeof PercentileVerdict>;

export const RedisOutage = z.strictObject({
  startTime: Time,
  endTime: Time,
  seconds: Seconds.describe('How long Redis did not answer the engine.'),
});
export type RedisOutage = z.infer<typeof RedisOutage>;

export const LoadGap = z.strictObject({
  shard: Count.describe('The load shard (a slice of the users) whose worker died.'),
  startTime: Time.describe('Start of the first second not fully measured.'),
  endTime: Time.describe('End of the last second not fully measured: another worker drove the shard from then on.'),
  seconds: Seconds,
});
export type LoadGap = z.infer<typeof LoadGap>;

export const RunResult = z.strictObject({
  index: z.int().min(0).describe('1-based run number; 0 for the baseline run (status.baseline.run).'),
  state: z.enum(['Running', 'Succeeded', 'Failed', 'Aborted']),
  startTime: Time.optional(),
  steadyStateStartTime: Time.optional().describe('Migration offsets count from here.'),
  endTime: Time.optional(),
  migrations: z.array(MigrationResult).max(MAX_RUN_MIGRATIONS).optional(),
  actions: z.array(ActionResult).max(32).optional(),
  verdicts: z.array(PercentileVerdict).max(8).optional().describe(`Per percentile over all actions: the study's "p99 broken, p90 kept" (an action with no data breaks it).`),
  verdict: Verdict.optional().describe('Fail when any action failed, or had no data, at any percentile.'),
  requestLog: z.string().max(4096).optional().describe('Where the request log of this run is kept (record.requestLog).'),
  redisOutages: z
    .array(RedisOutage)
    .max(32)
    .optional()
    .describe('Each time Redis did not answer the engine for 5 s or more during the run: the load went on measuring and its seconds arrived once Redis was back.'),
  loadGaps: z
    .array(LoadGap)
    .max(64)
    .optional()
    .describe("Seconds in which a shard's users went unmeasured because its worker died, before another worker took the shard over; the results leave them out."),
  requestLogDroppedLines: Count.optional().describe('Lines the request log lacks because its disk fell behind; the results still count them.'),
  message: z.string().max(4096).optional().describe('Why the run failed or was aborted.'),
});
export type RunResult = z.infer<typeof RunResult>;

export const PercentileSummary = z.strictObject({
  percentile: z.number().gt(0).lt(100),
  worstMaxSeconds: Seconds.optional().describe("Highest windowed value of any run: the study's Table 2 (\"the maximum recorded\")."),
  meanMaxSeconds: Seconds.optional().describe("Mean over runs of the run's highest windowed value (how the study averaged)."),
  stdDevMaxSeconds: Seconds.optional().describe("Sample standard deviation over runs of the run's highest windowed value (two runs or more)."),
  ci95MaxSeconds: z
    .strictObject({ low: Seconds, high: Seconds })
    .optional()
    .describe("95 % confidence interval of meanMaxSeconds (Student's t, runs - 1 degrees of freedom; two runs or more)."),
  runsMeasured: Count.optional().describe('Runs that gave a windowed value for this percentile.'),
  violations: Count.describe('Violating windows, all runs together.'),
  verdict: Verdict,
});
export type PercentileSummary = z.infer<typeof PercentileSummary>;

export const ActionSummary = z.strictObject({
  action: z.string().max(64),
  count: Count.describe('Operations completed, all runs together.'),
  errors: Count.describe('Operations failed, all runs together.'),
  thresholdSeconds: Seconds,
  percentiles: z.array(PercentileSummary).max(8),
  verdict: Verdict,
});
export type ActionSummary = z.infer<typeof ActionSummary>;

export const RunSummary = z.strictObject({
  runs: Count.describe('Runs summarised.'),
  migrations: Count.describe('Migrations completed, all runs together.'),
  meanMigrationSeconds: Seconds.optional(),
  maxMigrationSeconds: Seconds.optional(),
  meanDowntimeSeconds: Seconds.optional(),
  maxDowntimeSeconds: Seconds.optional(),
  meanRecoverySeconds: Seconds.optional().describe("Mean over the migrations of recovery.seconds (those whose every action was back)."),
  maxRecoverySeconds: Seconds.optional().describe('The longest recovery.seconds of any migration.'),
  meanSlaRecoverySeconds: Seconds.optional().describe('Mean over the migrations of recovery.slaSeconds (those whose SLA windows were all back under threshold).'),
  maxSlaRecoverySeconds: Seconds.optional().describe('The longest recovery.slaSeconds of any migration.'),
  actions: z.array(ActionSummary).max(32).optional(),
  verdicts: z.array(PercentileVerdict).max(8).optional(),
  verdict: Verdict.optional(),
  worstP99VsSla: z
    .string()
    .max(128)
    .optional()
    .describe(`The action whose p99 came closest to or furthest over its threshold, e.g. "HomePage 1.84s/1s" (a printer column).`),
});
export type RunSummary = z.infer<typeof RunSummary>;

// The baseline run (spec.baseline) and, per action and percentile, what the migrations added to
// it. Formulas: docs/sla.md#baseline.

export const BaselinePercentile = z.strictObject({
  percentile: z.number().gt(0).lt(100),
  baselineMaxSeconds: Seconds.optional().describe("The baseline run's highest windowed value; absent when no window completed."),
  meanMaxSeconds: Seconds.optional().describe("With migration: the mean over the measured runs of each run's highest windowed value (summary's meanMaxSeconds)."),
  slowdown: z.number().min(0).optional().describe('meanMaxSeconds / baselineMaxSeconds; absent when either is, or the baseline is 0.'),
  slowdownSeconds: z.number().optional().describe('meanMaxSeconds - baselineMaxSeconds; negative when the runs with migration did better.'),
  baselineViolations: Count.describe('Windows of the baseline run in which this percentile exceeded the threshold.'),
  meanViolations: z.number().min(0).describe("Violating windows per measured run: summary's violations / summary's runs."),
  extraViolations: z.number().describe('meanViolations - baselineViolations: the violating windows per run the migrations added (negative: fewer).'),
});
export type BaselinePercentile = z.infer<typeof BaselinePercentile>;

export const BaselineAction = z.strictObject({
  action: z.string().max(64),
  percentiles: z.array(BaselinePercentile).max(8),
});
export type BaselineAction = z.infer<typeof BaselineAction>;

export const BaselineResult = z.strictObject({
  run: RunResult.describe('The baseline run: the same load for the same length, without migration (index 0).'),
  actions: z
    .array(BaselineAction)
    .max(32)
    .optional()
    .describe('Per action judged in the baseline run, once a measured run has finished: the slowdown and the extra violating windows.'),
});
export type BaselineResult = z.infer<typeof BaselineResult>;

/** The text of the "Worst p99" printer column: the action with the highest p99/threshold ratio. */
export function worstP99VsSla(actions: readonly ActionSummary[]): string | undefined {
  let worst: { action: string; seconds: number; threshold: number } | undefined;
  for (const action of actions) {
    const seconds = action.percentiles.find((p) => p.percentile === 99)?.worstMaxSeconds;
    if (seconds === undefined || action.thresholdSeconds <= 0) continue;
    if (!worst || seconds / action.thresholdSeconds > worst.seconds / worst.threshold) {
      worst = { action: action.action, seconds, threshold: action.thresholdSeconds };
    }
  }
  return worst && `${worst.action} ${formatSeconds(worst.seconds)}/${formatSeconds(worst.threshold)}`;
}

function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(seconds < 10 ? 2 : 1))}s`;
}
