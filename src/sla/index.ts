// The SLA engine: sliding-window percentiles per action against thresholds (the Cloudstone SLA
// by default), the maxima of the study's Table 2, and the passive view of downtime.
export type { SlaOptions, SlaResult, WindowEvaluation, WindowAction, ActionVerdict, PercentileVerdict } from './sliding-window-sla.ts';
export { SlidingWindowSla } from './sliding-window-sla.ts';
export type { ActionThresholds, ActionThresholdsOptions, SlaSpec } from './thresholds.ts';
export {
  CLOUDSTONE_THRESHOLDS_MS,
  DEFAULT_PERCENTILES,
  DEFAULT_STEP_MS,
  DEFAULT_WINDOW_MS,
  percentilesFrom,
  readSlaFile,
  slaSpecFrom,
  thresholdsForActions,
  wholeSeconds,
} from './thresholds.ts';
export type { CompletionGap, TimeRange } from './completion-gaps.ts';
export { CompletionGaps, completionGapFromLog } from './completion-gaps.ts';
export type { LogAnalysis, LogAnalysisOptions, LogActionResult, TimeSpec } from './request-log-analysis.ts';
export { analyzeRequestLog } from './request-log-analysis.ts';
export type { Recovery, SecondsSeen } from './recovery-time.ts';
export { baselineLevel, perSecondRecovery, RECOVERY_BASELINE_MS, RECOVERY_PERCENTILE, RECOVERY_TOLERANCE, windowedRecovery } from './recovery-time.ts';
export { runSpread, type RunSpread } from './run-spread.ts';
export { userKeyed } from '../recording/index.ts';
