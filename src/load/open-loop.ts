// Open-loop load: actions start at a target rate whatever the server does, and each one's
// response time counts from when it was MEANT to start. When the server stalls, arrivals queue
// for a free user and their wait is part of what they report, so the stall shows in full
// instead of hiding behind fewer requests (the coordinated omission of closed-loop tools).
//
// The users (`--users`, the most actions in flight at once) keep their sessions, cookies and
// caches and walk the profile's chain as in closed loop; they just do not think: the arrival
// rate sets the pace. An arrival that waited longer than its action's timeout for a user is a
// timeout failure, counted at its intended start.
import type { Profile, Random } from '../workloads/index.ts';
import type { ActionPerformer } from './action-runner.ts';
import type { ArrivalSchedule } from './arrival-schedule.ts';
import { timerDelay } from '../quantity/index.ts';
import { now } from './clock.ts';
import { ActionTimeout } from './exchange.ts';
import { outcomeOf, Population, type OutcomeSink } from './population.ts';
import type { Timeline } from './timeline.ts';
import type { SimulatedUser } from './user.ts';

export interface OpenLoopOptions {
  profile: Profile;
  runner: ActionPerformer;
  users: number;
  timeline: Timeline;
  schedule: ArrivalSchedule;
  random: Random;
  onOutcome: OutcomeSink;
  onError?: (error: unknown) => void;
}

export class OpenLoop {
  readonly population: Population;
  readonly #options: OpenLoopOptions;
  readonly #idle: SimulatedUser[];
  /** Intended starts waiting for a free user, oldest first. */
  readonly #backlog = new Backlog();
  #nextArrival: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #done: (() => void) | undefined;

  constructor(options: OpenLoopOptions) {
    this.#options = options;
    this.population = new Population(options.profile, options.users, options.random);
    // Popped from the end: user 1 first.
    this.#idle = [...this.population.users].reverse();
    this.#nextArrival = options.schedule.next();
  }

  run(): Promise<void> {
    const finished = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    this.population.watch();
    this.#arm();
    return finished;
  }

  stop(): void {
    this.#stopped = true;
    this.#nextArrival = Number.POSITIVE_INFINITY;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#backlog.clear();
    this.#finishIfIdle();
  }

  /** Arrivals waiting for a free user. */
  get backlog(): number {
    return this.#backlog.size;
  }

  get activeUsers(): number {
    return this.#options.users - this.#idle.length;
  }

  oldestPending(): number {
    return Math.min(this.population.oldestInFlight(), this.#backlog.oldest());
  }

  #arm(): void {
    if (this.#stopped) return;
    if (!Number.isFinite(this.#nextArrival)) {
      this.#finishIfIdle();
      return;
    }
    const delay = this.#nextArrival - now();
    // A delay beyond a timer's range fires early, finds no arrival due and arms again.
    this.#timer = setTimeout(() => this.#arrive(), timerDelay(delay));
  }

  #arrive(): void {
    this.#timer = undefined;
    const horizon = now() + 0.5;
    while (this.#nextArrival <= horizon && !this.#stopped) {
      const intended = this.#nextArrival;
      this.#nextArrival = this.#options.schedule.next();
      const user = this.#idle.pop();
      if (user) this.#act(user, intended);
      else this.#backlog.push(intended);
    }
    this.#arm();
  }

  #act(user: SimulatedUser, intended: number): void {
    const { profile, runner, timeline } = this.#options;
    const action = profile.actions[user.action];
    if (action === undefined) {
      this.#options.onError?.(new Error(`user ${user.userNumber} is at action ${user.action}, which the profile does not have`));
      this.#idle.push(user);
      this.#finishIfIdle();
      return;
    }
    runner.run(user, action, intended).then(
      (result) => {
        this.#options.onOutcome(outcomeOf(action.name, result), timeline.phaseAt(intended), result.failure);
        user.action = profile.mix.next(user.action, this.#options.random);
        this.#next(user);
      },
      (error: unknown) => {
        this.#options.onError?.(error);
        this.#next(user);
      },
    );
  }

  /** The user takes the oldest waiting arrival that has not yet timed out, or goes idle. */
  #next(user: SimulatedUser): void {
    const { profile, timeline } = this.#options;
    while (this.#backlog.size > 0) {
      const intended = this.#backlog.shift();
      const action = profile.actions[user.action];
      if (action === undefined) break;
      const at = now();
      if (at - intended <= action.timeoutMs) {
        this.#act(user, intended);
        return;
      }
      const failure = new ActionTimeout(action.timeoutMs);
      this.#options.onOutcome(outcomeOf(action.name, { startedAt: intended, endedAt: at, ok: false, errorKind: 'timeout', failure }), timeline.phaseAt(intended), failure);
      user.action = profile.mix.next(user.action, this.#options.random);
    }
    this.#idle.push(user);
    this.#finishIfIdle();
  }

  #finishIfIdle(): void {
    const arrivalsOver = this.#stopped || !Number.isFinite(this.#nextArrival);
    if (arrivalsOver && this.#backlog.size === 0 && this.#idle.length === this.#options.users) {
      this.population.unwatch();
      this.#done?.();
      this.#done = undefined;
    }
  }
}

/** A FIFO of epoch times in a growable ring of doubles (a stall can queue many thousands). */
class Backlog {
  #items = new Float64Array(1024);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(value: number): void {
    if (this.#size === this.#items.length) {
      const grown = new Float64Array(this.#items.length * 2);
      for (let i = 0; i < this.#size; i += 1) grown[i] = this.#items[(this.#head + i) % this.#items.length] as number;
      this.#items = grown;
      this.#head = 0;
    }
    this.#items[(this.#head + this.#size) % this.#items.length] = value;
    this.#size += 1;
  }

  shift(): number {
    const value = this.#items[this.#head] as number;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size -= 1;
    return value;
  }

  oldest(): number {
    return this.#size === 0 ? Number.POSITIVE_INFINITY : (this.#items[this.#head] as number);
  }

  clear(): void {
    this.#head = 0;
    this.#size = 0;
  }
}
