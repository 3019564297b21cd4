// Bucket boundaries of Migrascope's histograms, and how a per-second HdrHistogram (what the load
// workers record and the engine merges) is poured into a Prometheus histogram.
import type { Histogram as PromHistogram } from 'prom-client';
import { asJs, type Histogram as HdrHistogram } from '../recording/index.ts';

/**
 * Response times of user actions, in seconds. One fixed set (Prometheus histograms cannot vary
 * their buckets per series) that brackets the thresholds SLAs are written with, 50 ms to 30 s:
 * every "round" threshold is a boundary (x1, x1.5, x2, x2.5, x3, x4, x5, x7.5 per decade, and
 * each whole second from 1 to 5: Cloudstone's 1/2/3/4 s), so `le="<threshold>"` counts exactly
 * the requests within the SLA; a threshold between two boundaries is never more than a factor 1.5
 * from the one below. 26 buckets: about 200 series for the 7 Olio actions of one experiment.
 */
export const ACTION_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 30, 60,
];

/** Migration times from sub-second testbed runs up to the study's 44 s and beyond. */
export const MIGRATION_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 300];
export const DOWNTIME_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
/** From a migration's end until users' p90 is back: the study saw 5 s. */
export const RECOVERY_BUCKETS = [0, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300];
export const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Observes every value of an HdrHistogram of microseconds into a Prometheus histogram of seconds.
 * Each HDR bucket counts at its highest equivalent value (within 0.1 % of the recorded one), as
 * the SLA engine reads percentiles (getValueAtPercentile), so
 * a value that may be just over a boundary is counted over it: an SLO reads no better than it is.
 * The work is one observe() per recorded value (prom-client has no weighted observe).
 */
export function observeHdr<T extends string>(target: PromHistogram<T>, labels: Partial<Record<T, string | number>>, histogram: HdrHistogram): void {
  const js = asJs(histogram);
  if (js.totalCount === 0) return;
  const last = Math.min(js.countsArrayIndex(js.maxValue), js.countsArrayLength - 1);
  for (let index = 0; index <= last; index++) {
    const count = js.getCountAtIndex(index);
    if (count === 0) continue;
    const seconds = js.highestEquivalentValue(js.valueFromIndex(index)) / 1_000_000;
    for (let n = 0; n < count; n++) target.observe(labels, seconds);
  }
}
