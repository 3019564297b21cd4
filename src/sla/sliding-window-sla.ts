// The SLA engine: windows [t - window, t) for t = start + window, start + window + step, ...
// <= end, each judged per action and percentile against the action's threshold. It works
// incrementally, as seconds arrive (from a Recorder, or merged from many workers): a second
// enters the running window once and leaves it once, so each window end costs the buckets that
// changed plus one percentile lookup, never a pass over the samples.
//
// Input contract: snapshots arrive in ascending second order (several snapshots of the same
// second, e.g. one per worker, are fine). A snapshot of second s tells the engine that every
// second before s is complete, so all window ends t <= s are judged then. A snapshot older than
// an already judged window is "late": it still counts for the windows to come, and the result
// reports how many samples came late, since the judged windows never saw them.
import { InvalidInputError } from '../invalid/index.ts';
import { msFromUs } from '../recording/histogram.ts';
import type { ActionSecond, SecondSnapshot } from '../recording/recorder.ts';
import { RunningWindow } from './running-window.ts';
import { CLOUDSTONE_THRESHOLDS_MS, DEFAULT_PERCENTILES, DEFAULT_STEP_MS, DEFAULT_WINDOW_MS, wholeSeconds } from './thresholds.ts';

export interface SlaOptions {
  /** Window length in ms (whole seconds); default 5 minutes. */
  window?: number;
  /** How far windows slide, in ms (whole seconds); default 1 s. */
  step?: number;
  /** Default [90, 99]. */
  percentiles?: readonly number[];
  /** Threshold in ms per action; default the Cloudstone SLA. Actions without one are measured, not judged. */
  thresholds?: Readonly<Record<string, number>>;
  /** The threshold of the actions `thresholds` does not name; none by default. */
  defaultThreshold?: number;
  /**
   * The actions reported from the start, judged or not (a workload's actions); by default those
   * with a threshold. Any other action appears when it has samples.
   */
  actions?: readonly string[];
  /** Start of steady state, epoch ms on a whole second. */
  start: number;
  /** End of steady state (exclusive), epoch ms on a whole second; open-ended when left out. */
  end?: number;
  /**
   * Windows that hold no sample are counted (they are met) but neither walked nor returned: the
   * cost is then bounded by the seconds given, not by the span between them (a request log with
   * one line at t: 0 spans 54 years of seconds). For judging after the fact; live consumers that
   * want every window end leave it off.
   */
  skipEmptyWindows?: boolean;
}

/** One window as judged: what live consumers (metrics, alerts, progress) see as it happens. */
export interface WindowEvaluation {
  /** The window is [end - window, end), epoch ms. */
  end: number;
  actions: Record<string, WindowAction>;
}

export interface WindowAction {
  /** Successful actions in the window. */
  samples: number;
  /** Failed actions in the window: they have no response time, but too many of them break the SLA. */
  failures: number;
  /** Keyed by percentile ("90"): ms over the successes, nearest rank within HdrHistogram precision; none without a success. */
  percentiles: Record<string, number>;
  /** Keyed by percentile; only for actions with a threshold. */
  violated: Record<string, boolean>;
}

export interface PercentileVerdict {
  /** The largest windowed value (the study's Table 2), ms; null when no window held a sample. */
  maxMs: number | null;
  /** End of the window where the maximum was first reached, epoch ms. */
  maxAt: number | null;
  violations: number;
  /** End of the first violating window, epoch ms. */
  firstViolationAt: number | null;
  /** No violating window; null for an action without a threshold, or with no data (see ActionVerdict.noData). */
  met: boolean | null;
}

export interface ActionVerdict {
  thresholdMs: number | null;
  /** Windows that held at least one successful action (the others are empty and judged met). */
  windowsWithSamples: number;
  /**
   * A judged action tried in steady state that no judged window held a success of (every try
   * failed): there is nothing to judge, so its percentiles are not met (met null) and neither is
   * the SLA. Errors are outside the percentiles by design; without this an app that failed every
   * request would read as "met". False while no window was judged at all, and for an action never
   * tried (a rare action a short run did not reach).
   */
  noData: boolean;
  percentiles: Record<string, PercentileVerdict>;
}

export interface SlaResult {
  start: number;
  end: number;
  window: number;
  step: number;
  percentiles: number[];
  /** Windows judged so far. */
  windows: number;
  actions: Record<string, ActionVerdict>;
  /** Per percentile: no action with a threshold had a violating window, and none had no data. */
  met: Record<string, boolean>;
  /** Samples that arrived after a window they belonged to had been judged. */
  lateSamples: number;
}

export class SlidingWindowSla {
  readonly window: number;
  readonly step: number;
  readonly percentiles: readonly number[];
  readonly thresholds: Readonly<Record<string, number>>;
  readonly defaultThreshold: number | undefined;
  readonly start: number;
  readonly end: number;
  readonly #skipEmptyWindows: boolean;
  #nextEnd: number;
  #lastSecond = Number.NEGATIVE_INFINITY;
  #windows = 0;
  #lateSamples = 0;
  #finished = false;
  readonly #running = new Map<string, RunningWindow>();
  readonly #verdicts = new Map<string, ActionVerdict>();
  /** The actions seen in a steady-state second (tried, whether they succeeded or not). */
  readonly #tried = new Set<string>();

  constructor(options: SlaOptions) {
    this.window = wholeSeconds('window', options.window ?? DEFAULT_WINDOW_MS);
    this.step = wholeSeconds('step', options.step ?? DEFAULT_STEP_MS);
    this.percentiles = [...new Set(options.percentiles ?? DEFAULT_PERCENTILES)].sort((a, b) => a - b);
    for (const percentile of this.percentiles) {
      if (!(percentile > 0 && percentile <= 100)) throw new InvalidInputError('percentiles', `must be in (0, 100] (got ${percentile})`);
    }
    // Action names are the user's: a null prototype, so "constructor" or "__proto__" are names
    // like any other, never Object.prototype's members.
    this.thresholds = Object.assign(Object.create(null) as Record<string, number>, options.thresholds ?? CLOUDSTONE_THRESHOLDS_MS);
    for (const [action, threshold] of Object.entries(this.thresholds)) {
      if (!(threshold > 0)) throw new InvalidInputError(`thresholds.${action}`, `must be a positive duration (got ${threshold})`);
    }
    this.defaultThreshold = options.defaultThreshold;
    if (this.defaultThreshold !== undefined && !(this.defaultThreshold > 0)) {
      throw new InvalidInputError('defaultThreshold', `must be a positive duration (got ${this.defaultThreshold})`);
    }
    this.start = onSecond('start', options.start);
    this.end = options.end === undefined ? Number.POSITIVE_INFINITY : onSecond('end', options.end);
    if (this.end < this.start) throw new InvalidInputError('end', 'must not be before start');
    this.#skipEmptyWindows = options.skipEmptyWindows ?? false;
    this.#nextEnd = this.start + this.window;
    for (const action of options.actions ?? Object.keys(this.thresholds)) this.#verdictOf(action);
  }

  /** Feeds one second; returns the windows this completes, in order. */
  add(snapshot: SecondSnapshot): WindowEvaluation[] {
    if (this.#finished) throw new Error('SlidingWindowSla: add() after finish()');
    const at = snapshot.second * 1000;
    if (at >= this.end) return this.#judgeThrough(this.end);
    if (at < this.start) return [];
    const judged = snapshot.second > this.#lastSecond ? this.#judgeThrough(at) : [];
    this.#lastSecond = Math.max(this.#lastSecond, snapshot.second);
    const missedByJudged = this.#judgedWindowHeld(at);
    const enters = at >= this.#nextEnd - this.window;
    for (const [action, part] of Object.entries(snapshot.actions)) {
      if (missedByJudged) this.#lateSamples += part.histogram.totalCount;
      this.#verdictOf(action);
      this.#tried.add(action);
      if (enters) this.#runningOf(action).add(snapshot.second, part.histogram, failuresOf(part));
    }
    return judged;
  }

  /** No more seconds: judges the windows left up to `end` (or the last second, when open-ended). */
  finish(): WindowEvaluation[] {
    const through = Number.isFinite(this.end) ? this.end : Number.isFinite(this.#lastSecond) ? (this.#lastSecond + 1) * 1000 : this.start;
    const judged = this.#judgeThrough(through);
    this.#finished = true;
    return judged;
  }

  /** The verdicts so far (complete after finish()). */
  result(): SlaResult {
    const actions: Record<string, ActionVerdict> = Object.create(null) as Record<string, ActionVerdict>;
    for (const [action, verdict] of [...this.#verdicts].sort(([a], [b]) => a.localeCompare(b))) {
      const judged = structuredClone(verdict);
      judged.noData = this.#windows > 0 && judged.thresholdMs !== null && judged.windowsWithSamples === 0 && this.#tried.has(action);
      if (judged.noData) for (const percentile of Object.values(judged.percentiles)) percentile.met = null;
      actions[action] = judged;
    }
    const met: Record<string, boolean> = {};
    for (const percentile of this.percentiles) {
      const key = String(percentile);
      met[key] = Object.values(actions).every((verdict) => !verdict.noData && verdict.percentiles[key]?.met !== false);
    }
    return {
      start: this.start,
      end: this.end,
      window: this.window,
      step: this.step,
      percentiles: [...this.percentiles],
      windows: this.#windows,
      actions,
      met,
      lateSamples: this.#lateSamples,
    };
  }

  /** Whether a window already judged should have held the second starting at `at`. */
  #judgedWindowHeld(at: number): boolean {
    const firstEnd = this.start + this.window;
    // The first window end after `at`: the only one whose lower edge can be closest to it.
    const after = Math.max(0, Math.floor((at - firstEnd) / this.step) + 1);
    const end = firstEnd + after * this.step;
    return end < this.#nextEnd && end - this.window <= at;
  }

  #judgeThrough(through: number): WindowEvaluation[] {
    const judged: WindowEvaluation[] = [];
    while (this.#nextEnd <= through && this.#nextEnd <= this.end) {
      if (this.#skipEmptyWindows && this.#emptyAt(this.#nextEnd)) {
        // Every second before `through` has been given, and none of them is in this window or
        // after it: every window that ends by `through` is empty too.
        const count = Math.floor((Math.min(through, this.end) - this.#nextEnd) / this.step) + 1;
        this.#windows += count;
        this.#nextEnd += count * this.step;
        continue;
      }
      judged.push(this.#judge(this.#nextEnd));
      this.#nextEnd += this.step;
    }
    return judged;
  }

  /** Whether the window ending at `end` holds no sample (of the seconds given so far). */
  #emptyAt(end: number): boolean {
    const firstSecond = (end - this.window) / 1000;
    for (const running of this.#running.values()) {
      running.evictBefore(firstSecond);
      if (running.samples > 0 || running.failures > 0) return false;
    }
    return true;
  }

  #judge(end: number): WindowEvaluation {
    const evaluation: WindowEvaluation = { end, actions: Object.create(null) as Record<string, WindowAction> };
    const firstSecond = (end - this.window) / 1000;
    this.#windows += 1;
    for (const [action, running] of this.#running) {
      running.evictBefore(firstSecond);
      if (running.samples === 0 && running.failures === 0) continue;
      const verdict = this.#verdictOf(action);
      if (running.samples > 0) verdict.windowsWithSamples += 1;
      const judged: WindowAction = { samples: running.samples, failures: running.failures, percentiles: {}, violated: {} };
      const buckets = running.samples > 0 ? running.percentiles(this.percentiles) : [];
      this.percentiles.forEach((percentile, i) => {
        const key = String(percentile);
        const bucket = buckets[i];
        const record = verdict.percentiles[key]!;
        if (bucket !== undefined) {
          const ms = msFromUs(bucket.highestUs);
          judged.percentiles[key] = ms;
          if (record.maxMs === null || ms > record.maxMs) {
            record.maxMs = ms;
            record.maxAt = end;
          }
        }
        if (verdict.thresholdMs === null) return;
        // Over the threshold only when the percentile's whole bucket is: a value HdrHistogram
        // cannot tell apart from the threshold (within 0.1%) meets it (docs/sla.md). Failures are
        // not timed, but when more than (100 - p)% of the window's actions failed the percentile
        // is broken whatever the successes took: those users got no page.
        const violated = running.failedAt(percentile) || (bucket !== undefined && bucket.lowestUs > verdict.thresholdMs * 1000);
        judged.violated[key] = violated;
        if (violated) {
          record.violations += 1;
          record.firstViolationAt ??= end;
          record.met = false;
        }
      });
      evaluation.actions[action] = judged;
    }
    return evaluation;
  }

  #runningOf(action: string): RunningWindow {
    let running = this.#running.get(action);
    if (running === undefined) {
      running = new RunningWindow();
      this.#running.set(action, running);
    }
    return running;
  }

  #verdictOf(action: string): ActionVerdict {
    let verdict = this.#verdicts.get(action);
    if (verdict === undefined) {
      const thresholdMs = (Object.hasOwn(this.thresholds, action) ? this.thresholds[action] : undefined) ?? this.defaultThreshold ?? null;
      verdict = { thresholdMs, windowsWithSamples: 0, noData: false, percentiles: {} };
      for (const percentile of this.percentiles) {
        verdict.percentiles[String(percentile)] = {
          maxMs: null,
          maxAt: null,
          violations: 0,
          firstViolationAt: null,
          met: thresholdMs === null ? null : true,
        };
      }
      this.#verdicts.set(action, verdict);
    }
    return verdict;
  }
}

function onSecond(field: string, ms: number): number {
  if (!Number.isFinite(ms)) throw new InvalidInputError(field, `must be an epoch time in ms (got ${ms})`);
  if (ms % 1000 !== 0) throw new InvalidInputError(field, `must fall on a whole second (got ${new Date(ms).toISOString()})`);
  return ms;
}

/** An action's failed actions in a second, all kinds together. */
function failuresOf(part: ActionSecond): number {
  let failures = 0;
  for (const count of Object.values(part.errors)) failures += count ?? 0;
  return failures;
}
