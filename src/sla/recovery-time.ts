// How long users feel a migration after it ends: from the end of the migration until the
// per-second p90 response time (all actions together) is back within a tolerance (10 %) of its
// level before the migration began. The study saw response times peak right after resume and
// drain within 5 s. Seconds are those the SLA engine merges from every load worker; a second in
// which nothing completed is not recovered (the application answers nobody).
import { newWideHistogram, type SecondSnapshot } from '../recording/index.ts';

export interface RecoveryOptions {
  /** The migration's start and end (epoch ms). */
  startMs: number;
  endMs: number;
  /** The first second of steady state (epoch ms): the baseline never reaches into ramp-up. */
  notBeforeMs: number;
  /** The baseline: the seconds this long before the migration (default 30 s). */
  baselineMs?: number;
  percentile?: number;
  /** Back when the p90 is at most baseline x (1 + tolerance); default 0.1. */
  tolerance?: number;
}

export type Recovery =
  | { state: 'recovered'; seconds: number; baselineMs: number }
  /** Not seen yet in the seconds known so far: ask again with more. */
  | { state: 'pending' }
  /** No completed action before the migration: there is nothing to be back to. */
  | { state: 'unknown' };

/**
 * `secondAt(s)`: the merged snapshot of epoch second s, or undefined when nothing completed in it;
 * `knownBefore`: seconds before this one (epoch s) are complete (the engine's watermark).
 */
export function recoveryTime(secondAt: (second: number) => SecondSnapshot | undefined, knownBefore: number, options: RecoveryOptions): Recovery {
  const percentile = options.percentile ?? 90;
  const from = Math.max(Math.ceil(options.notBeforeMs / 1000), Math.floor((options.startMs - (options.baselineMs ?? 30_000)) / 1000));
  const baseline = percentileOf(range(from, Math.floor(options.startMs / 1000)).map(secondAt), percentile);
  if (baseline === undefined) return { state: 'unknown' };
  const limit = baseline * (1 + (options.tolerance ?? 0.1));
  for (let second = Math.floor(options.endMs / 1000); second < knownBefore; second++) {
    const value = percentileOf([secondAt(second)], percentile);
    if (value !== undefined && value <= limit) return { state: 'recovered', seconds: Math.max(0, second * 1000 - options.endMs) / 1000, baselineMs: baseline };
  }
  return { state: 'pending' };
}

/** The percentile (ms) of every successful action in these seconds, or undefined if there is none. */
function percentileOf(seconds: (SecondSnapshot | undefined)[], percentile: number): number | undefined {
  const merged = newWideHistogram();
  for (const second of seconds) for (const part of Object.values(second?.actions ?? {})) merged.add(part.histogram);
  return merged.totalCount === 0 ? undefined : merged.getValueAtPercentile(percentile) / 1000;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
