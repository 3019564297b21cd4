// Per action, per second: an HdrHistogram of the successful actions' response times, the number
// of successes, and the failures by kind. An outcome belongs to the second its action STARTED in,
// so a slow action lands where users felt it begin, not where it ended.
//
// record() is the load driver's hot path (millions of calls a second), so it does no allocation
// in the common case: it remembers the last second it wrote to, looks actions up in a Map and
// counts into HdrHistogram's buckets directly (bucket-counts.ts); drain() hands the seconds out
// as regular hdr-histogram-js histograms.
import type { ActionOutcome, ErrorKind } from './outcome.ts';
import { userKeyed } from './user-keyed.ts';
import type { Histogram } from './histogram.ts';
import { BucketCounts } from './bucket-counts.ts';

export interface ActionSecond {
  /** Response times of the successful actions, in microseconds. */
  histogram: Histogram;
  ok: number;
  errors: Partial<Record<ErrorKind, number>>;
}

export interface SecondSnapshot {
  /** Epoch second: the snapshot holds the actions that started in [second, second + 1) s. */
  second: number;
  actions: Record<string, ActionSecond>;
}

/** An action's second while it is still being recorded. */
interface Slot {
  counts: BucketCounts;
  ok: number;
  errors: Partial<Record<ErrorKind, number>>;
}

type Actions = Map<string, Slot>;

export class Recorder {
  #seconds = new Map<number, Actions>();
  #currentSecond = Number.NaN;
  #current: Actions | undefined;
  #drainedBefore = Number.NEGATIVE_INFINITY;
  #late = 0;

  record(outcome: ActionOutcome): void {
    const second = Math.floor(outcome.startMs / 1000);
    const actions = second === this.#currentSecond ? this.#current! : this.#select(second);
    if (second < this.#drainedBefore) this.#late += 1;
    const slot = actions.get(outcome.action) ?? this.#open(actions, outcome.action);
    if (outcome.ok) {
      const us = outcome.durationUs;
      // A NaN or negative duration would corrupt the histogram without a word; it is a driver bug.
      if (!(us >= 0)) throw new RangeError(`Recorder: ${outcome.action} has an invalid durationUs (${us})`);
      slot.ok += 1;
      slot.counts.record(us);
    } else {
      const kind = outcome.errorKind;
      if (kind === undefined) throw new TypeError(`Recorder: failed ${outcome.action} has no errorKind`);
      slot.errors[kind] = (slot.errors[kind] ?? 0) + 1;
    }
  }

  /**
   * Removes and returns the complete seconds (epoch s < beforeSecond), ascending. A second is
   * complete when no action that started in it can still be running: drain with a lag of at
   * least the longest action timeout. An outcome recorded for an already drained second is not
   * lost: it comes out in a later drain as a snapshot of that older second, and `lateOutcomes`
   * counts it, so consumers can merge or report it.
   */
  drain(beforeSecond: number): SecondSnapshot[] {
    const complete = [...this.#seconds.keys()].filter((second) => second < beforeSecond).sort((a, b) => a - b);
    const snapshots = complete.map((second) => {
      const actions = this.#seconds.get(second)!;
      this.#seconds.delete(second);
      const snapshot: SecondSnapshot = { second, actions: userKeyed() };
      for (const [action, slot] of actions) {
        snapshot.actions[action] = { histogram: slot.counts.toHistogram(), ok: slot.ok, errors: slot.errors };
      }
      return snapshot;
    });
    if (complete.includes(this.#currentSecond)) {
      this.#currentSecond = Number.NaN;
      this.#current = undefined;
    }
    this.#drainedBefore = Math.max(this.#drainedBefore, beforeSecond);
    return snapshots;
  }

  /** Outcomes recorded for seconds that had already been drained (see drain). */
  get lateOutcomes(): number {
    return this.#late;
  }

  #select(second: number): Actions {
    let actions = this.#seconds.get(second);
    if (actions === undefined) {
      actions = new Map();
      this.#seconds.set(second, actions);
    }
    this.#currentSecond = second;
    this.#current = actions;
    return actions;
  }

  #open(actions: Actions, action: string): Slot {
    const slot: Slot = { counts: new BucketCounts(), ok: 0, errors: {} };
    actions.set(action, slot);
    return slot;
  }
}
