// The lines a chart draws, from a run's merged seconds: per action the response-time percentiles
// of each second (or of each few seconds on a long run or for a rare action: their histograms are
// merged first, never their percentiles averaged) and the sliding SLA windows' percentiles, judged
// by the same SlidingWindowSla the engine uses, so the highest point of a windowed line is the
// table's figure.
import { JsHistogram } from 'hdr-histogram-js';
import type { Sla } from '../api/v1alpha1/index.ts';
import { slaOptions } from '../engine/run-analysis.ts';
import { msFromUs, newWideHistogram, type Histogram, type SecondSnapshot } from '../recording/index.ts';
import { SlidingWindowSla, type WindowEvaluation } from '../sla/index.ts';
import type { RunTimetable } from './input.ts';

/** Points per line at most; a longer run merges neighbouring seconds into one point. */
export const MAX_POINTS = 1200;

/**
 * Samples a point should hold for its percentiles to mean something. A rare action (AddPerson:
 * about one a second at 600 users) would otherwise draw single samples as p50, p90 and p99 at
 * once, so its seconds are merged into points of a few seconds until they hold this many.
 */
const SAMPLES_PER_POINT = 10;
const POINT_SECONDS = [1, 2, 5, 10, 15, 30];

/** The percentiles drawn per second besides the SLA's: the median shows the usual case. */
const MEDIAN = 50;

export interface ActionSeries {
  action: string;
  /** Seconds merged into one point: the run's, or more for a rare action. */
  bucketSeconds: number;
  /** Middle of each point, seconds from run start. */
  times: number[];
  /** Per point: keyed by percentile ("99"), ms; null without a success. */
  perBucket: Record<string, (number | null)[]>;
  ok: number[];
  errors: number[];
  /** Per window end (seconds from run start), keyed by percentile, ms; the window's maximum where merged. */
  windowEnds: number[];
  windowed: Record<string, number[]>;
}

export interface RunSeries {
  /** Seconds merged into one point of the run's overview (1 unless the run is long). */
  bucketSeconds: number;
  /** Middle of each point, seconds from run start. */
  times: number[];
  /** Per point, all actions together: successes and failures. */
  ok: number[];
  errors: number[];
  /** Percentiles drawn per point, ascending (50 and the SLA's). */
  bucketPercentiles: number[];
  /** The SLA's percentiles, ascending. */
  windowPercentiles: number[];
  windowSeconds: number;
  actions: ActionSeries[];
}

/** The SLA as the engine applies it: whole seconds of steady state, thresholds in ms. */
export function runSeries(seconds: readonly SecondSnapshot[], plan: RunTimetable, sla: Sla, maxPoints = MAX_POINTS): RunSeries {
  const options = slaOptions(sla, plan);
  const axis = { firstSecond: Math.floor(plan.startAtMs / 1000), lastSecond: 0, startAtMs: plan.startAtMs };
  axis.lastSecond = Math.max(Math.ceil(plan.endMs / 1000), axis.firstSecond + 1);
  const span = axis.lastSecond - axis.firstSecond;
  const bucketSeconds = Math.max(1, Math.ceil(span / maxPoints));
  const bucketPercentiles = [...new Set([MEDIAN, ...options.percentiles])].sort((a, b) => a - b);
  const names = actionNames(seconds, Object.keys(options.thresholds));
  const windows = windowEvaluations(seconds, options);
  const windowStride = Math.max(1, Math.ceil(windows.length / maxPoints));
  const steadySeconds = Math.max((options.end - options.start) / 1000, 1);

  const actions = names.map((name): ActionSeries => {
    let steadyOk = 0;
    for (const snapshot of seconds) {
      if (snapshot.second * 1000 >= options.start && snapshot.second * 1000 < options.end) steadyOk += snapshot.actions[name]?.ok ?? 0;
    }
    const own = pointSeconds(bucketSeconds, steadyOk / steadySeconds);
    const points = aggregate(seconds, name, axis, own);
    const perBucket: Record<string, (number | null)[]> = Object.fromEntries(bucketPercentiles.map((p) => [String(p), []]));
    for (const histogram of points.histograms) {
      const values = histogram && histogram.totalCount > 0 ? percentilesOf(histogram, bucketPercentiles) : undefined;
      bucketPercentiles.forEach((percentile, i) => perBucket[String(percentile)]!.push(values ? msFromUs(values[i]!) : null));
    }
    const { ends, values } = windowedLines(windows, name, options.percentiles, windowStride, plan.startAtMs);
    return { action: name, bucketSeconds: own, times: points.times, perBucket, ok: points.ok, errors: points.errors, windowEnds: ends, windowed: values };
  });

  const totals = aggregate(seconds, undefined, axis, bucketSeconds);
  return {
    bucketSeconds,
    times: totals.times,
    ok: totals.ok,
    errors: totals.errors,
    bucketPercentiles,
    windowPercentiles: options.percentiles,
    windowSeconds: options.window / 1000,
    actions,
  };
}

/** The run's point length, or a longer one for an action too rare to fill it (up to 30 s). */
function pointSeconds(runSeconds: number, perSecond: number): number {
  const candidates = POINT_SECONDS.filter((s) => s > runSeconds && s <= 30);
  for (const seconds of [runSeconds, ...candidates]) if (perSecond * seconds >= SAMPLES_PER_POINT) return seconds;
  return candidates.at(-1) ?? runSeconds;
}

interface Axis {
  firstSecond: number;
  lastSecond: number;
  startAtMs: number;
}

/** One action's seconds (all actions' when `name` is undefined) merged into points of `bucketSeconds`. */
function aggregate(seconds: readonly SecondSnapshot[], name: string | undefined, axis: Axis, bucketSeconds: number) {
  const buckets = Math.ceil((axis.lastSecond - axis.firstSecond) / bucketSeconds);
  const times = Array.from({ length: buckets }, (_, k) => (axis.firstSecond * 1000 + (k + 0.5) * bucketSeconds * 1000 - axis.startAtMs) / 1000);
  const histograms: (Histogram | undefined)[] = new Array(buckets);
  const ok: number[] = new Array(buckets).fill(0);
  const errors: number[] = new Array(buckets).fill(0);
  // Histograms made here may be added to; the snapshots' own are only read.
  const owned = new Set<Histogram>();
  for (const snapshot of seconds) {
    const bucket = Math.floor((snapshot.second - axis.firstSecond) / bucketSeconds);
    if (bucket < 0 || bucket >= buckets) continue;
    const parts = name === undefined ? Object.values(snapshot.actions) : snapshot.actions[name] ? [snapshot.actions[name]] : [];
    for (const part of parts) {
      ok[bucket]! += part.ok;
      errors[bucket]! += Object.values(part.errors).reduce((sum, n) => sum + (n ?? 0), 0);
      if (name === undefined) continue;
      const present = histograms[bucket];
      if (present === undefined && bucketSeconds === 1) {
        histograms[bucket] = part.histogram;
        continue;
      }
      const sum = present !== undefined && owned.has(present) ? present : newWideHistogram();
      if (present !== undefined && sum !== present) sum.add(present);
      sum.add(part.histogram);
      owned.add(sum);
      histograms[bucket] = sum;
    }
  }
  return { times, histograms, ok, errors };
}

/** The Olio actions first, in the matrix order of the thresholds, then any other action by name. */
function actionNames(seconds: readonly SecondSnapshot[], known: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const snapshot of seconds) for (const name of Object.keys(snapshot.actions)) seen.add(name);
  return [...known.filter((name) => seen.has(name)), ...[...seen].filter((name) => !known.includes(name)).sort()];
}

/** Every sliding window of the run's steady state, judged as the engine judges them. */
export function windowEvaluations(seconds: readonly SecondSnapshot[], options: ReturnType<typeof slaOptions>): WindowEvaluation[] {
  if (options.end - options.start < options.window) return [];
  const engine = new SlidingWindowSla(options);
  const windows: WindowEvaluation[] = [];
  for (const snapshot of seconds) {
    const at = snapshot.second * 1000;
    if (at >= options.start && at < options.end) windows.push(...engine.add(snapshot));
  }
  windows.push(...engine.finish());
  return windows;
}

/** Per percentile, the windows' values; `stride` windows share a point that keeps their maximum. */
function windowedLines(windows: readonly WindowEvaluation[], name: string, percentiles: readonly number[], stride: number, startAtMs: number) {
  const ends: number[] = [];
  const values: Record<string, number[]> = Object.fromEntries(percentiles.map((p) => [String(p), []]));
  for (let first = 0; first < windows.length; first += stride) {
    const group = windows.slice(first, first + stride).filter((window) => window.actions[name] !== undefined);
    if (group.length === 0) continue;
    ends.push((group.at(-1)!.end - startAtMs) / 1000);
    for (const percentile of percentiles) {
      const key = String(percentile);
      values[key]!.push(Math.max(...group.map((window) => window.actions[name]!.percentiles[key]!)));
    }
  }
  return { ends, values };
}

/**
 * Several percentiles (ascending) of a histogram in one pass over its counts, each the top of the
 * bucket holding the nearest-rank sample: what getValueAtPercentile returns, at the cost of one
 * call instead of one per percentile (a long run has thousands of seconds per action).
 */
export function percentilesOf(histogram: Histogram, ascending: readonly number[]): number[] {
  if (!(histogram instanceof JsHistogram)) return ascending.map((percentile) => histogram.getValueAtPercentile(percentile));
  const ranks = ascending.map((percentile) => rankOf(percentile, histogram.totalCount));
  const found: number[] = [];
  let seen = 0;
  for (let index = 0; index < histogram.countsArrayLength && found.length < ranks.length; index++) {
    seen += histogram.getCountAtIndex(index);
    while (found.length < ranks.length && seen >= ranks[found.length]!) {
      found.push(histogram.highestEquivalentValue(histogram.valueFromIndex(index)));
    }
  }
  return found;
}

/** ceil(p% x n), at least 1, forgiving the last bit of float error as hdr-histogram-js does. */
function rankOf(percentile: number, total: number): number {
  const exact = (Math.min(percentile, 100) / 100) * total;
  const lastBit = exact > 0 ? 2 ** (Math.floor(Math.log2(exact)) - 52) : 0;
  return Math.max(Math.ceil(exact - lastBit), 1);
}
