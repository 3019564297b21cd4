// The lines a chart draws, from a run's merged seconds: per action the response-time percentiles
// of each second (or of each few seconds on a long run: their histograms are merged first, never
// their percentiles averaged) and the sliding SLA windows' percentiles, judged by the same
// SlidingWindowSla the engine uses, so the highest point of a windowed line is the table's figure.
import { JsHistogram } from 'hdr-histogram-js';
import { durationMs, type Sla } from '../api/v1alpha1/index.ts';
import { msFromUs, newWideHistogram, type Histogram, type SecondSnapshot } from '../recording/index.ts';
import { SlidingWindowSla, type WindowEvaluation } from '../sla/index.ts';
import type { RunTimetable } from './input.ts';

/** Points per line at most; a longer run merges neighbouring seconds into one point. */
export const MAX_POINTS = 1200;

/** The percentiles drawn per second besides the SLA's: the median shows the usual case. */
const MEDIAN = 50;

export interface ActionSeries {
  action: string;
  /** Per bucket (a second, or several merged): keyed by percentile ("99"), ms; null without a success. */
  perBucket: Record<string, (number | null)[]>;
  ok: number[];
  errors: number[];
  /** Per window end (seconds from run start), keyed by percentile, ms; the window's maximum where merged. */
  windowEnds: number[];
  windowed: Record<string, number[]>;
}

export interface RunSeries {
  /** Seconds merged into one point. */
  bucketSeconds: number;
  /** Middle of each bucket, seconds from run start. */
  times: number[];
  /** Seconds per second-percentile line, ascending (50 and the SLA's). */
  bucketPercentiles: number[];
  /** The SLA's percentiles, ascending. */
  windowPercentiles: number[];
  windowSeconds: number;
  actions: ActionSeries[];
}

/** The SLA as the engine applies it: whole seconds of steady state, thresholds in ms. */
export function slaOptions(sla: Sla, plan: RunTimetable) {
  const thresholds: Record<string, number> = {};
  for (const [action, threshold] of Object.entries(sla.thresholds)) if (threshold !== undefined) thresholds[action] = durationMs(threshold);
  return {
    window: durationMs(sla.window),
    step: durationMs(sla.step),
    percentiles: [...sla.percentiles].sort((a, b) => a - b),
    thresholds,
    start: Math.ceil(plan.steadyStartMs / 1000) * 1000,
    end: Math.floor(plan.steadyEndMs / 1000) * 1000,
  };
}

export function runSeries(seconds: readonly SecondSnapshot[], plan: RunTimetable, sla: Sla, maxPoints = MAX_POINTS): RunSeries {
  const options = slaOptions(sla, plan);
  const firstSecond = Math.floor(plan.startAtMs / 1000);
  const lastSecond = Math.max(Math.ceil(plan.endMs / 1000), firstSecond + 1);
  const bucketSeconds = Math.max(1, Math.ceil((lastSecond - firstSecond) / maxPoints));
  const buckets = Math.ceil((lastSecond - firstSecond) / bucketSeconds);
  const times = Array.from({ length: buckets }, (_, k) => (firstSecond * 1000 + (k + 0.5) * bucketSeconds * 1000 - plan.startAtMs) / 1000);
  const bucketPercentiles = [...new Set([MEDIAN, ...options.percentiles])].sort((a, b) => a - b);

  const names = actionNames(seconds, Object.keys(options.thresholds));
  const merged = new Map<string, { histograms: (Histogram | undefined)[]; ok: number[]; errors: number[] }>();
  for (const name of names) merged.set(name, { histograms: new Array(buckets), ok: new Array(buckets).fill(0), errors: new Array(buckets).fill(0) });
  const merging = new Set<Histogram>();
  for (const snapshot of seconds) {
    const bucket = Math.floor((snapshot.second - firstSecond) / bucketSeconds);
    if (bucket < 0 || bucket >= buckets) continue;
    for (const [name, part] of Object.entries(snapshot.actions)) {
      const into = merged.get(name)!;
      into.ok[bucket]! += part.ok;
      into.errors[bucket]! += Object.values(part.errors).reduce((sum, n) => sum + (n ?? 0), 0);
      // A lone second is read as it is; several (merged seconds, or a second sent twice) are added up.
      const present = into.histograms[bucket];
      if (present === undefined && bucketSeconds === 1) {
        into.histograms[bucket] = part.histogram;
      } else {
        const sum = present !== undefined && merging.has(present) ? present : newWideHistogram();
        if (present !== undefined && sum !== present) sum.add(present);
        sum.add(part.histogram);
        merging.add(sum);
        into.histograms[bucket] = sum;
      }
    }
  }

  const windows = windowEvaluations(seconds, options);
  const windowStride = Math.max(1, Math.ceil(windows.length / maxPoints));
  const actions = names.map((name): ActionSeries => {
    const { histograms, ok, errors } = merged.get(name)!;
    const perBucket: Record<string, (number | null)[]> = {};
    for (const percentile of bucketPercentiles) {
      perBucket[String(percentile)] = [];
    }
    for (const histogram of histograms) {
      const values = histogram && histogram.totalCount > 0 ? percentilesOf(histogram, bucketPercentiles) : undefined;
      bucketPercentiles.forEach((percentile, i) => perBucket[String(percentile)]!.push(values ? msFromUs(values[i]!) : null));
    }
    const { ends, values } = windowedLines(windows, name, options.percentiles, windowStride, plan.startAtMs);
    return { action: name, perBucket, ok, errors, windowEnds: ends, windowed: values };
  });
  return { bucketSeconds, times, bucketPercentiles, windowPercentiles: options.percentiles, windowSeconds: options.window / 1000, actions };
}

/** The Olio actions first, in the matrix order of the thresholds, then any other action by name. */
function actionNames(seconds: readonly SecondSnapshot[], known: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const snapshot of seconds) for (const name of Object.keys(snapshot.actions)) seen.add(name);
  return [...known.filter((name) => seen.has(name)), ...[...seen].filter((name) => !known.includes(name)).sort()];
}

function windowEvaluations(seconds: readonly SecondSnapshot[], options: ReturnType<typeof slaOptions>): WindowEvaluation[] {
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
