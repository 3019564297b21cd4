// One line per action over a stretch of seconds: what `migrascope load` prints at the end.
import type { ErrorKind } from './outcome.ts';
import { userKeyed } from './user-keyed.ts';
import type { SecondSnapshot } from './recorder.ts';
import { msFromUs, newWideHistogram, type Histogram } from './histogram.ts';

export interface ActionSummary {
  /** Every action started in the range: successes plus failures. */
  count: number;
  /** Failed actions, all kinds together. */
  errors: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  /**
   * Response times of the successful actions in ms (within HdrHistogram's 3 significant digits;
   * percentiles are nearest rank, reported as the top of their bucket); null without a success.
   */
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Seconds in [fromSecond, toSecond) (epoch s); all of them without a range. */
export interface SecondRange {
  fromSecond: number;
  toSecond: number;
}

export function summarize(seconds: readonly SecondSnapshot[], range?: SecondRange): Record<string, ActionSummary> {
  const totals = new Map<string, { histogram: Histogram; ok: number; errors: Partial<Record<ErrorKind, number>> }>();
  for (const snapshot of seconds) {
    if (range && (snapshot.second < range.fromSecond || snapshot.second >= range.toSecond)) continue;
    for (const [action, part] of Object.entries(snapshot.actions)) {
      let total = totals.get(action);
      if (total === undefined) {
        total = { histogram: newWideHistogram(), ok: 0, errors: {} };
        totals.set(action, total);
      }
      total.histogram.add(part.histogram);
      total.ok += part.ok;
      for (const [kind, n] of Object.entries(part.errors) as [ErrorKind, number][]) {
        total.errors[kind] = (total.errors[kind] ?? 0) + n;
      }
    }
  }
  const result: Record<string, ActionSummary> = userKeyed();
  for (const [action, total] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
    result[action] = describe(total.histogram, total.ok, total.errors);
  }
  return result;
}

function describe(histogram: Histogram, ok: number, errorsByKind: Partial<Record<ErrorKind, number>>): ActionSummary {
  const errors = Object.values(errorsByKind).reduce((sum, n) => sum + n, 0);
  const some = histogram.totalCount > 0;
  const at = (percentile: number): number | null => (some ? msFromUs(histogram.getValueAtPercentile(percentile)) : null);
  return {
    count: ok + errors,
    errors,
    errorsByKind,
    mean: some ? msFromUs(histogram.mean) : null,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    // The top of the largest bucket, not maxValue: a decoded or merged histogram only knows buckets.
    max: at(100),
  };
}
