// The simulated users of a run and what both drivers need from all of them at once: enforcing
// the action timeouts (a sweep every 100 ms, not a timer per action) and knowing the oldest
// action still in flight (so that a second is handed on only when nothing can still land in it).
import type { Profile, Random } from '../workloads/index.ts';
import type { ActionOutcome } from '../recording/index.ts';
import type { ActionResult } from './action-runner.ts';
import { now } from './clock.ts';
import { ActionTimeout } from './exchange.ts';
import type { ActionFailure } from './exchange.ts';
import type { Phase } from './timeline.ts';
import { SimulatedUser } from './user.ts';

/** Receives every action's outcome, with the phase it started in and, on failure, why. */
export type OutcomeSink = (outcome: ActionOutcome, phase: Phase, failure: ActionFailure | undefined) => void;

const SWEEP_EVERY_MS = 100;

export class Population {
  readonly users: SimulatedUser[];
  readonly #profile: Profile;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(profile: Profile, count: number, random: Random) {
    this.#profile = profile;
    this.users = Array.from({ length: count }, (_, i) => new SimulatedUser(i + 1, profile, random));
  }

  /** Starts the timeout sweep. */
  watch(): void {
    this.#sweeper ??= setInterval(() => this.expireOverdue(now()), SWEEP_EVERY_MS);
    this.#sweeper.unref();
  }

  unwatch(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Ends every request whose action is past its deadline, as a timeout. */
  expireOverdue(at: number): void {
    for (const user of this.users) {
      if (user.deadline < at && user.inFlight) user.inFlight.expire(new ActionTimeout(this.#profile.actions[user.action]?.timeoutMs ?? 0));
    }
  }

  /** Ends every request in flight (a run cut short). */
  expireAll(): void {
    for (const user of this.users) user.inFlight?.expire(new ActionTimeout(0));
  }

  /** The start (epoch ms) of the oldest action in flight; +Infinity when none is. */
  oldestInFlight(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const user of this.users) if (user.actionStartedAt < oldest) oldest = user.actionStartedAt;
    return oldest;
  }

  get inFlight(): number {
    let count = 0;
    for (const user of this.users) if (user.busy) count += 1;
    return count;
  }
}

/** The outcome the recording takes, from the runner's result. */
export function outcomeOf(action: string, result: ActionResult): ActionOutcome {
  const durationUs = Math.max(0, Math.round((result.endedAt - result.startedAt) * 1000));
  return result.ok
    ? { action, startMs: result.startedAt, durationUs, ok: true }
    : { action, startMs: result.startedAt, durationUs, ok: false, errorKind: result.errorKind ?? 'body' };
}
