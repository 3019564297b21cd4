// Open-loop arrivals: when each action is MEANT to start, at a target rate per second, constant
// or in steps, whatever the server does. Ramp-up raises the rate linearly from 0 to the first
// step's; steady state runs the steps (equal shares of it, or the durations given); ramp-down
// holds the last rate. Arrivals are evenly spaced at the current rate (as wrk2 does): the k-th
// arrival (k = 0, 1, 2...) comes when the integral of the rate reaches k: the first at the start.
import { InvalidInputError } from '../invalid/index.ts';
import { parseDuration } from '../quantity/index.ts';
import type { Timeline } from './timeline.ts';

export interface RateStep {
  /** Arrivals per second. */
  perSecond: number;
  /** ms; undefined: an equal share of steady state. */
  durationMs: number | undefined;
}

/**
 * "200" (constant), "100,200,300" (equal steps over steady state) or "100:30s,200:1m" (steps of
 * the given durations, which must add up to steady state). `field` names the flag.
 */
/** The highest rate, actions per second: the resources' spec.workload.rate cap. */
export const MAX_RATE = 100_000;

export function parseRate(field: string, text: string): RateStep[] {
  const parts = text.split(',').map((part) => part.trim());
  const steps = parts.map((part) => {
    const [rate, duration, extra] = part.split(':');
    if (extra !== undefined || rate === undefined || rate === '') throw new InvalidInputError(field, `cannot read "${part}" (write 200, 100,200,300 or 100:30s,200:1m)`);
    const perSecond = Number(rate);
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new InvalidInputError(field, `a rate must be a number of actions per second above 0 (got "${rate}")`);
    // As spec.workload.rate: more is a slip, and would only queue actions without end.
    if (perSecond > MAX_RATE) throw new InvalidInputError(field, `a rate must be at most ${MAX_RATE} actions per second (got "${rate}")`);
    return { perSecond, durationMs: duration === undefined ? undefined : parseDuration(field, duration) };
  });
  const timed = steps.filter((step) => step.durationMs !== undefined).length;
  if (timed !== 0 && timed !== steps.length) throw new InvalidInputError(field, 'give a duration for every step or for none');
  return steps;
}

interface Segment {
  start: number;
  durationMs: number;
  /** Per ms, at the segment's start and end. */
  from: number;
  to: number;
}

export class ArrivalSchedule {
  readonly #segments: Segment[];
  #segment = 0;
  /** Arrivals due before the current segment (fractional). */
  #before = 0;
  #issued = 0;

  constructor(timeline: Timeline, steps: readonly RateStep[], field = '--rate') {
    if (steps.length === 0) throw new InvalidInputError(field, 'at least one rate');
    const steadyMs = timeline.steadyEnd - timeline.steadyStart;
    const given = steps.every((step) => step.durationMs !== undefined);
    if (given) {
      const total = steps.reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
      if (Math.abs(total - steadyMs) > 1) throw new InvalidInputError(field, `the steps last ${total} ms; they must add up to the steady state (${steadyMs} ms)`);
    }
    const first = (steps[0] as RateStep).perSecond / 1000;
    const last = (steps.at(-1) as RateStep).perSecond / 1000;
    this.#segments = [{ start: timeline.start, durationMs: timeline.steadyStart - timeline.start, from: 0, to: first }];
    let at = timeline.steadyStart;
    for (const step of steps) {
      const durationMs = step.durationMs ?? steadyMs / steps.length;
      this.#segments.push({ start: at, durationMs, from: step.perSecond / 1000, to: step.perSecond / 1000 });
      at += durationMs;
    }
    this.#segments.push({ start: timeline.steadyEnd, durationMs: timeline.end - timeline.steadyEnd, from: last, to: last });
  }

  /** The next intended start (epoch ms), or +Infinity when the run has no more. */
  next(): number {
    for (;;) {
      const segment = this.#segments[this.#segment];
      if (segment === undefined) return Number.POSITIVE_INFINITY;
      const wanted = this.#issued - this.#before;
      const offset = timeFor(segment, wanted);
      if (offset < segment.durationMs) {
        this.#issued += 1;
        return segment.start + offset;
      }
      this.#before += countIn(segment, segment.durationMs);
      this.#segment += 1;
    }
  }
}

/** Arrivals in the first `t` ms of a segment: the integral of a linear rate. */
function countIn(segment: Segment, t: number): number {
  const slope = segment.durationMs > 0 ? (segment.to - segment.from) / segment.durationMs : 0;
  return segment.from * t + (slope * t * t) / 2;
}

/** When, from the segment's start, `count` arrivals are due (+Infinity if never in it). */
function timeFor(segment: Segment, count: number): number {
  if (segment.durationMs <= 0) return Number.POSITIVE_INFINITY;
  const slope = (segment.to - segment.from) / segment.durationMs;
  if (count <= 0) return 0;
  if (Math.abs(slope) < 1e-15) return segment.from > 0 ? count / segment.from : Number.POSITIVE_INFINITY;
  // slope/2 t^2 + from t - count = 0, the root with t >= 0.
  const discriminant = segment.from * segment.from + 2 * slope * count;
  if (discriminant < 0) return Number.POSITIVE_INFINITY;
  return (-segment.from + Math.sqrt(discriminant)) / slope;
}
