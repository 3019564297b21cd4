// Judging a request log again, with any SLA settings: what `migrascope analyze` does. The log is
// streamed (never held whole); what is kept is, per second and action, the counts and the
// non-empty HdrHistogram buckets, which is what the windows need and far smaller than the lines.
// Lines come in completion order, so the seconds are put in order before the windows slide.
import { InvalidInputError } from '../invalid/index.ts';
// recording's own modules, not its index, which also carries the wire format between workers (zod):
// `migrascope analyze` reads a log without it.
import { asJs, newHistogram, usFromMs } from '../recording/histogram.ts';
import type { ErrorKind } from '../recording/outcome.ts';
import type { SecondSnapshot } from '../recording/recorder.ts';
import { readRequestLog } from '../recording/request-log.ts';
import { SlidingWindowSla, type SlaResult } from './sliding-window-sla.ts';

/** A time a person gave: absolute (epoch ms), or an offset from the log's first second. */
export type TimeSpec = { at: number } | { afterLogStart: number };

export interface LogAnalysisOptions {
  window?: number;
  step?: number;
  percentiles?: readonly number[];
  thresholds?: Readonly<Record<string, number>>;
  /** The threshold of the actions `thresholds` does not name. */
  defaultThreshold?: number;
  /** Steady state; by default the log's span, from its first action's second to its last one's end. */
  start?: TimeSpec;
  end?: TimeSpec;
  /** Told about every line that cannot be read; the line is then skipped. */
  onCorrupt: (line: number, reason: string) => void;
}

export interface LogActionResult {
  /** Actions started in steady state. */
  count: number;
  /** Those of them that failed. */
  errors: number;
  /** ms, or null when the SLA names no threshold for the action. */
  threshold: number | null;
  /** Per percentile ("90"): the largest windowed value in ms, null when no window held a success. */
  max: Record<string, number | null>;
  violations: Record<string, number>;
  /** Per percentile; null when the action has no threshold. */
  met: Record<string, boolean | null>;
  firstViolationAt: Record<string, number | null>;
}

export interface LogAnalysis {
  start: number;
  end: number;
  window: number;
  step: number;
  percentiles: number[];
  windows: number;
  lines: number;
  corruptLines: number;
  actions: Record<string, LogActionResult>;
  /** Per percentile: every judged action met it, and none of them is in noData. */
  met: Record<string, boolean>;
  /**
   * Judged actions tried in steady state that never succeeded: percentiles are over successes, so
   * they judge nothing (met null) and the SLA is not met.
   */
  noData: string[];
}

interface ActionSecondCounts {
  count: number;
  errors: number;
  kinds: Partial<Record<ErrorKind, number>>;
  /** Bucket (its lowest value, µs) to count. */
  buckets: Map<number, number>;
}

export async function analyzeRequestLog(path: string, options: LogAnalysisOptions): Promise<LogAnalysis> {
  const seconds = new Map<number, Map<string, ActionSecondCounts>>();
  const bucketOf = bucketFinder();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let lines = 0;
  let corruptLines = 0;
  for await (const line of readRequestLog(path)) {
    lines += 1;
    if ('corrupt' in line) {
      corruptLines += 1;
      options.onCorrupt(line.line, line.corrupt);
      continue;
    }
    const { t, action, ms, ok, error } = line.record;
    first = Math.min(first, t);
    last = Math.max(last, t);
    const second = Math.floor(t / 1000);
    let actions = seconds.get(second);
    if (actions === undefined) seconds.set(second, (actions = new Map()));
    let counts = actions.get(action);
    if (counts === undefined) actions.set(action, (counts = { count: 0, errors: 0, kinds: {}, buckets: new Map() }));
    counts.count += 1;
    if (!ok) {
      counts.errors += 1;
      // The SLA counts failures whatever their kind; a line without one is kept under `body`.
      const kind = error ?? 'body';
      counts.kinds[kind] = (counts.kinds[kind] ?? 0) + 1;
      continue;
    }
    const bucket = bucketOf(usFromMs(ms));
    counts.buckets.set(bucket, (counts.buckets.get(bucket) ?? 0) + 1);
  }

  // Nothing to judge is bad input, not an SLA met: an empty file, a binary one, the wrong file.
  if (!Number.isFinite(first)) {
    throw new InvalidInputError(
      path,
      lines === 0 ? 'holds no line: not a request log (written by `migrascope load --log FILE`)' : `none of its ${lines} line(s) is a request-log record (see the warnings): not a request log?`,
    );
  }
  const logStart = Number.isFinite(first) ? Math.floor(first / 1000) * 1000 : 0;
  const logEnd = Number.isFinite(last) ? (Math.floor(last / 1000) + 1) * 1000 : logStart;
  const start = resolve(options.start, logStart, logStart);
  const end = resolve(options.end, logEnd, logStart);
  const sla = new SlidingWindowSla({
    window: options.window,
    step: options.step,
    percentiles: options.percentiles,
    thresholds: options.thresholds,
    defaultThreshold: options.defaultThreshold,
    start,
    end,
    skipEmptyWindows: true,
  });

  const totals = new Map<string, { count: number; errors: number }>();
  for (const second of [...seconds.keys()].sort((a, b) => a - b)) {
    if (second * 1000 < start || second * 1000 >= end) continue;
    const snapshot: SecondSnapshot = { second, actions: Object.create(null) as SecondSnapshot['actions'] };
    for (const [action, counts] of seconds.get(second)!) {
      const total = totals.get(action) ?? { count: 0, errors: 0 };
      total.count += counts.count;
      total.errors += counts.errors;
      totals.set(action, total);
      const histogram = newHistogram();
      for (const [bucket, count] of counts.buckets) histogram.recordValueWithCount(bucket, count);
      snapshot.actions[action] = { histogram, ok: counts.count - counts.errors, errors: counts.kinds };
    }
    sla.add(snapshot);
  }
  sla.finish();
  return describe(sla.result(), totals, lines, corruptLines);
}

/** The lowest value of a µs value's bucket: seconds are kept as bucket counts, not values. */
function bucketFinder(): (us: number) => number {
  const template = asJs(newHistogram());
  return (us) => template.lowestEquivalentValue(us);
}

function resolve(spec: TimeSpec | undefined, logDefault: number, logStart: number): number {
  if (spec === undefined) return logDefault;
  return 'at' in spec ? spec.at : logStart + spec.afterLogStart;
}

function describe(result: SlaResult, totals: Map<string, { count: number; errors: number }>, lines: number, corruptLines: number): LogAnalysis {
  const actions: Record<string, LogActionResult> = Object.create(null) as Record<string, LogActionResult>;
  const noData: string[] = [];
  for (const action of [...totals.keys()].sort((a, b) => a.localeCompare(b))) {
    const verdict = Object.hasOwn(result.actions, action) ? result.actions[action] : undefined;
    const total = totals.get(action)!;
    const entry: LogActionResult = {
      count: total.count,
      errors: total.errors,
      threshold: verdict?.thresholdMs ?? null,
      max: {},
      violations: {},
      met: {},
      firstViolationAt: {},
    };
    // The SLA engine's judgement: a judged action no window held a success of.
    const failedEveryTime = verdict?.noData === true;
    if (failedEveryTime) noData.push(action);
    for (const percentile of result.percentiles.map(String)) {
      const judged = verdict?.percentiles[percentile];
      entry.max[percentile] = judged?.maxMs ?? null;
      entry.violations[percentile] = judged?.violations ?? 0;
      entry.met[percentile] = failedEveryTime ? null : (judged?.met ?? (entry.threshold === null ? null : true));
      entry.firstViolationAt[percentile] = judged?.firstViolationAt ?? null;
    }
    actions[action] = entry;
  }
  const met: Record<string, boolean> = {};
  for (const percentile of result.percentiles.map(String)) {
    met[percentile] = noData.length === 0 && Object.values(actions).every((entry) => entry.met[percentile] !== false);
  }
  return {
    start: result.start,
    end: result.end,
    window: result.window,
    step: result.step,
    percentiles: result.percentiles,
    windows: result.windows,
    lines,
    corruptLines,
    actions,
    met,
    noData,
  };
}
