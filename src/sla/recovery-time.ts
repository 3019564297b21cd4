// How long users feel a migration after it ends, per action, in two measures:
// - per second: from the end of stop-and-copy until the first second whose p90 response time is
//   back within a tolerance (10 %) of the action's level before the migration began (the study saw
//   response times peak right after resume and drain within 5 s);
// - windowed: from the end of stop-and-copy until the action's sliding SLA windows are back under
//   their threshold for good (a window holding the peak stays broken until the peak leaves it).
// Seconds are those the SLA engine merges from every load worker. A second in which the action did
// not complete is not a second it is back in (the application answered nobody, or nobody asked).
// Both measures stop at the bound: the next migration's start or the end of steady state, since
// what comes after no longer tells about this migration.
import { newWideHistogram, type SecondSnapshot } from '../recording/index.ts';
import type { WindowEvaluation } from './sliding-window-sla.ts';

/** The level before the migration: the seconds this long before its start (whole seconds). */
export const RECOVERY_BASELINE_MS = 30_000;
/** Back when the per-second percentile is at most the baseline x (1 + this). */
export const RECOVERY_TOLERANCE = 0.1;
export const RECOVERY_PERCENTILE = 90;

export type Recovery =
  | { state: 'recovered'; seconds: number }
  /** Not back before the bound (the next migration, the end of steady state). */
  | { state: 'notRecovered' }
  /** No completion of the action from the end to the bound: nothing says whether it was back. */
  | { state: 'unseen' }
  /** No completion of the action before the migration: there is nothing to be back to. */
  | { state: 'unknown' };

/** The merged snapshot of epoch second s, or undefined when nothing completed in it. */
export type SecondsSeen = (second: number) => SecondSnapshot | undefined;

/**
 * The action's percentile (ms) over the whole seconds in [fromMs, toMs): its level before a
 * migration. Undefined when it completed in none of them.
 */
export function baselineLevel(seconds: SecondsSeen, action: string, fromMs: number, toMs: number, percentile = RECOVERY_PERCENTILE): number | undefined {
  const merged = newWideHistogram();
  for (let second = Math.ceil(fromMs / 1000); second < Math.floor(toMs / 1000); second++) {
    const part = seconds(second)?.actions[action];
    if (part) merged.add(part.histogram);
  }
  return merged.totalCount === 0 ? undefined : merged.getValueAtPercentile(percentile) / 1000;
}

/**
 * Per second: from `endMs` (the end of stop-and-copy) until the first second, from the one the end
 * falls in and before the bound's, whose percentile is at most baseline x (1 + tolerance).
 */
export function perSecondRecovery(
  seconds: SecondsSeen,
  action: string,
  span: { endMs: number; boundMs: number },
  baselineMs: number | undefined,
  options: { percentile?: number; tolerance?: number } = {},
): Recovery {
  if (baselineMs === undefined) return { state: 'unknown' };
  const limit = baselineMs * (1 + (options.tolerance ?? RECOVERY_TOLERANCE));
  let seen = false;
  for (let second = Math.floor(span.endMs / 1000); second < Math.floor(span.boundMs / 1000); second++) {
    const part = seconds(second)?.actions[action];
    if (!part || part.histogram.totalCount === 0) continue;
    seen = true;
    if (part.histogram.getValueAtPercentile(options.percentile ?? RECOVERY_PERCENTILE) / 1000 <= limit) {
      return { state: 'recovered', seconds: Math.max(0, second * 1000 - span.endMs) / 1000 };
    }
  }
  return seen ? { state: 'notRecovered' } : { state: 'unseen' };
}

/**
 * Windowed: the run's judged windows (ascending), those ending after `endMs` up to the bound. Back at the end of the first window after
 * the last one in which any of the action's percentiles broke its threshold; 0 s when none did;
 * not recovered when the last window before the bound still broke it.
 */
export function windowedRecovery(windows: readonly WindowEvaluation[], action: string, span: { endMs: number; boundMs: number }): Recovery {
  let lastBroken: number | undefined;
  let backAt: number | undefined;
  for (const window of windows) {
    if (window.end <= span.endMs || window.end > span.boundMs) continue;
    const broken = Object.values(window.actions[action]?.violated ?? {}).some(Boolean);
    if (broken) {
      lastBroken = window.end;
      backAt = undefined;
    } else if (lastBroken !== undefined) {
      backAt ??= window.end;
    }
  }
  if (lastBroken === undefined) return { state: 'recovered', seconds: 0 };
  return backAt === undefined ? { state: 'notRecovered' } : { state: 'recovered', seconds: (backAt - span.endMs) / 1000 };
}
