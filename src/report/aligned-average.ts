// The study's Figure 3: the windowed percentile curves of repeated runs, averaged, aligned at the
// migration. Each run's curve is moved so that its first migration starts at x = 0 (seconds
// relative to it), put on a grid of the windows' step (each window end to the nearest grid point),
// and at every grid point all runs cover the mean, the sample standard deviation, the lowest and
// the highest value are taken. Points where a run has no value are left out rather than averaged
// over fewer runs, so the curve is always the mean of the same runs.
import type { RunReportInput } from './input.ts';
import type { RunSeries } from './series.ts';

/** One run's curve: window ends (seconds from the run's start) and values (ms), and its migration's start. */
export interface RunCurve {
  ends: readonly number[];
  values: readonly number[];
  /** The first migration's start, seconds from the run's start. */
  alignAt: number;
}

export interface AveragedCurve {
  /** Seconds relative to the migration's start, ascending, `step` apart. */
  offsets: number[];
  mean: number[];
  /** Sample standard deviation (n - 1); 0 for a single run. */
  stdDev: number[];
  min: number[];
  max: number[];
  runs: number;
}

/** The curves averaged at each grid point all of them cover; `step` is the grid's spacing in seconds. */
export function averageAligned(curves: readonly RunCurve[], step: number): AveragedCurve {
  const perRun = curves.map((curve) => {
    // Two ends on one grid point (windows merged on a long run) keep the higher, as the per-run chart does.
    const points = new Map<number, number>();
    curve.ends.forEach((end, i) => {
      const key = Math.round((end - curve.alignAt) / step);
      points.set(key, Math.max(points.get(key) ?? -Infinity, curve.values[i]!));
    });
    return points;
  });
  const averaged: AveragedCurve = { offsets: [], mean: [], stdDev: [], min: [], max: [], runs: curves.length };
  if (perRun.length === 0) return averaged;
  const keys = [...perRun[0]!.keys()].filter((key) => perRun.every((points) => points.has(key))).sort((a, b) => a - b);
  for (const key of keys) {
    const values = perRun.map((points) => points.get(key)!);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.length > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1) : 0;
    averaged.offsets.push(key * step);
    averaged.mean.push(mean);
    averaged.stdDev.push(Math.sqrt(variance));
    averaged.min.push(Math.min(...values));
    averaged.max.push(Math.max(...values));
  }
  return averaged;
}

/** Where each run is aligned: its first migration's start, seconds from the run's start; undefined without one. */
export function firstMigrationAt(run: RunReportInput): number | undefined {
  const starts = run.migrations.map((m) => m.startMs).filter((ms): ms is number => ms !== undefined);
  const fromStatus = (run.result.migrations ?? []).map((m) => (m.startTime ? Date.parse(m.startTime) : undefined)).filter((ms): ms is number => ms !== undefined);
  const all = starts.length > 0 ? starts : fromStatus;
  return all.length === 0 ? undefined : (Math.min(...all) - run.plan.startAtMs) / 1000;
}

export interface ActionAverage {
  action: string;
  /** Keyed by SLA percentile ("90"). */
  percentiles: Record<string, AveragedCurve>;
}

/**
 * Per action and SLA percentile, the runs' windowed curves averaged aligned at their first
 * migration; runs without a migration are left out. `step`: the SLA's step, in seconds.
 */
export function averagedActions(runs: readonly { run: RunReportInput; series: RunSeries }[], step: number): { runs: number; actions: ActionAverage[] } {
  const aligned = runs.map(({ run, series }) => ({ series, at: firstMigrationAt(run) })).filter((r): r is { series: RunSeries; at: number } => r.at !== undefined);
  const names = [...new Set(aligned.flatMap((r) => r.series.actions.map((a) => a.action)))];
  const percentiles = aligned[0]?.series.windowPercentiles ?? [];
  const actions = names.flatMap((action): ActionAverage[] => {
    const own = aligned.map((r) => ({ at: r.at, series: r.series.actions.find((a) => a.action === action) }));
    if (own.some((r) => r.series === undefined || r.series.windowEnds.length === 0)) return [];
    // A long run merges windows into points: the grid is the widest spacing any run used.
    const spacing = Math.max(step, ...own.map((r) => (r.series!.windowEnds.length > 1 ? r.series!.windowEnds[1]! - r.series!.windowEnds[0]! : step)));
    const curves = Object.fromEntries(
      percentiles.map((p) => [String(p), averageAligned(own.map((r) => ({ ends: r.series!.windowEnds, values: r.series!.windowed[String(p)] ?? [], alignAt: r.at })), spacing)]),
    );
    return Object.values(curves).some((c) => c.offsets.length > 0) ? [{ action, percentiles: curves }] : [];
  });
  return { runs: aligned.length, actions };
}
