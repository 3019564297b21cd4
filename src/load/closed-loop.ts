// Closed-loop load, as Faban drives it: a fixed number of users, each performing an action,
// thinking, and moving on by the transition matrix. Users join spread evenly over ramp-up
// (user i of N at start + rampUp x i / N), all of them keep going through ramp-down, and no
// action starts after the end. The load offered follows the server: a slow server gets fewer
// requests, as it would from real people.
import type { Profile, Random } from '../workloads/index.ts';
import { nextStart } from '../workloads/index.ts';
import type { ActionPerformer } from './action-runner.ts';
import { now } from './clock.ts';
import { outcomeOf, Population, type OutcomeSink } from './population.ts';
import type { Timeline } from './timeline.ts';
import { WakeQueue } from './wake-queue.ts';

export interface ClosedLoopOptions {
  profile: Profile;
  runner: ActionPerformer;
  users: number;
  timeline: Timeline;
  random: Random;
  onOutcome: OutcomeSink;
  /** A bug in the driver itself (never an HTTP failure: those are outcomes). */
  onError?: (error: unknown) => void;
}

export class ClosedLoop {
  readonly population: Population;
  readonly #options: ClosedLoopOptions;
  readonly #queue: WakeQueue;
  #retired = 0;
  /** Users join in index order, so the highest index woken so far + 1 have joined. */
  #joined = 0;
  #stopped = false;
  #done: (() => void) | undefined;
  /** Users whose next action starts at the next setImmediate (see #startSoon), and a spare list. */
  #ready: number[] = [];
  #spare: number[] = [];
  #readyScheduled = false;

  constructor(options: ClosedLoopOptions) {
    this.#options = options;
    this.population = new Population(options.profile, options.users, options.random);
    this.#queue = new WakeQueue(options.users, (index) => this.#act(index));
  }

  /** Runs to the end of the timeline (or until stop()); resolves when every user has finished. */
  run(): Promise<void> {
    const { timeline, users } = this.#options;
    const rampUpMs = timeline.steadyStart - timeline.start;
    const finished = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    this.population.watch();
    if (users === 0) this.#finish();
    for (let i = 0; i < users; i += 1) this.#queue.schedule(i, timeline.start + (rampUpMs * i) / users);
    return finished;
  }

  /** No new actions; the ones in flight finish (within their timeout). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const waiting = this.#options.users - this.#retired - this.population.inFlight;
    this.#queue.stop();
    // Those about to start are among the waiting: they are retired here, not started.
    this.#ready.length = 0;
    this.#retire(waiting);
  }

  /** Users that have joined and not yet finished. */
  get activeUsers(): number {
    return Math.max(0, this.#joined - this.#retired);
  }

  /** The oldest start (epoch ms) of an action whose outcome may still come. */
  oldestPending(): number {
    return this.population.oldestInFlight();
  }

  #act(index: number): void {
    const { profile, runner, timeline } = this.#options;
    const user = this.population.users[index];
    if (user === undefined) return;
    if (index >= this.#joined) this.#joined = index + 1;
    const at = now();
    if (this.#stopped || at >= timeline.end) {
      this.#retire(1);
      return;
    }
    const action = profile.actions[user.action];
    if (action === undefined) {
      this.#options.onError?.(new Error(`user ${user.userNumber} is at action ${user.action}, which the profile does not have`));
      this.#retire(1);
      return;
    }
    runner.run(user, action, undefined, at).then(
      (result) => {
        this.#options.onOutcome(outcomeOf(action.name, result), timeline.phaseAt(result.startedAt), result.failure);
        const due = nextStart(profile.think, this.#options.random, result.startedAt, result.endedAt);
        user.action = profile.mix.next(user.action, this.#options.random);
        if (this.#stopped || due >= timeline.end) this.#retire(1);
        // No think time left (a zero think time, or a cycle the response overran): no timer.
        // (The end of the action is a reading of the clock already taken: no need for another.)
        else if (due <= result.endedAt || due <= now()) this.#startSoon(index);
        else this.#queue.schedule(index, due);
      },
      (error: unknown) => {
        this.#options.onError?.(error);
        this.#retire(1);
      },
    );
  }

  /**
   * Starts the user's next action once the I/O at hand is handled (setImmediate), together with
   * the others ready by then. Sending a request (a write to the socket) costs far more than
   * reading a response: done at once, it would delay reading the responses already waiting, and
   * those responses would seem slower than they are, most of all when the driver's core is busy.
   */
  #startSoon(index: number): void {
    this.#ready.push(index);
    if (!this.#readyScheduled) {
      this.#readyScheduled = true;
      setImmediate(this.#startReady);
    }
  }

  readonly #startReady = (): void => {
    this.#readyScheduled = false;
    const ready = this.#ready;
    this.#ready = this.#spare;
    this.#spare = ready;
    for (let i = 0; i < ready.length; i += 1) this.#act(ready[i] as number);
    ready.length = 0;
  };

  #retire(count: number): void {
    this.#retired += count;
    if (this.#retired >= this.#options.users) this.#finish();
  }

  #finish(): void {
    this.#queue.stop();
    this.population.unwatch();
    this.#done?.();
    this.#done = undefined;
  }
}
