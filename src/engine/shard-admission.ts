// Whether this worker process takes a load shard BullMQ handed it. BullMQ workers pull: a process
// with free concurrency fetches job after job while the others sleep on the queue, so left alone
// one process takes every shard of a run (its users then share one event loop while the other
// workers idle). Two rules decide instead, each from this process's own shards and the live
// workers' presence in Redis (worker-registry.ts):
//
// - Clock: a worker whose clock is more than --max-clock-offset from Redis's refuses the shard
//   (worker-clock.ts says why). It hands the shard back for a worker in bound to take; when no
//   live worker is in bound, or none took it within CLOCK_WAIT_MS, the shard fails with the reason,
//   which the run's status then carries.
// - Fair share: a process already driving ceil(shards / workers) of the run's shards, where
//   workers counts itself and the other live, in-bound workers with a free slot, hands the shard
//   back for one of them. It never starves the shard: when it comes back to this process
//   FAIR_SHARE_WAIT_MS after the first hand-back (the others did not take it), it is taken anyway.
//
// A migration is judged by the clock rule alone: its instants (its start, its end, the downtime its
// probe saw) are read on this worker's clock and drawn against the load workers' seconds. One an
// earlier attempt already asked XAPI for, or recorded, is taken whatever the clock: it is followed
// where it stands (migration-worker.ts), and never failed while it runs.
//
// Handing back is BullMQ's manual delay (moveToDelayed, then DelayedError): the job waits
// HAND_BACK_DELAY_MS, costs no attempt, and the delay marker wakes a worker that was sleeping on
// the queue, which is one of the others.
import type { Logger } from '../log/index.ts';
import type { WorkerMetrics } from '../metrics/index.ts';
import type { LoadJobData, MigrationJobData } from '../queue/contracts.ts';
import type { RedisClient } from '../queue/redis-connection.ts';
import { RunKeys } from '../queue/run-keys.ts';
import { WORKER_BEAT_MS, WorkerRegistry, type WorkerPresence } from '../queue/worker-registry.ts';
import { clockRefusal, readClockOffset, type ClockReading } from './worker-clock.ts';

export const HAND_BACK_DELAY_MS = 100;
export const FAIR_SHARE_WAIT_MS = 2000;
export const CLOCK_WAIT_MS = 60_000;
const LEAVE_WAIT_MS = 1000;

export type Admission =
  | { verdict: 'take'; note?: string }
  | { verdict: 'handBack'; reason: 'fairShare' | 'clock'; delayMs: number; message: string }
  | { verdict: 'fail'; message: string };

export interface AdmissionInput {
  /** The run's shards. */
  shards: number;
  /** Shards of the run this process drives now. */
  mine: number;
  /** The other live workers. */
  others: readonly WorkerPresence[];
  /** Why this worker's clock is out of bound; undefined: in bound. */
  clockRefused: string | undefined;
  /** How long ago this process first handed this job back (0: never). */
  declinedForMs: number;
}

/** The clock rule on a shard or a migration: undefined when this worker's clock is in bound; no I/O. */
export function admitByClock(input: Pick<AdmissionInput, 'others' | 'clockRefused' | 'declinedForMs'>, what: 'shard' | 'migration'): Admission | undefined {
  if (input.clockRefused === undefined) return undefined;
  if (!input.others.some((worker) => worker.clockInBound)) return { verdict: 'fail', message: `${input.clockRefused}; no other live worker has its clock in bound` };
  if (input.declinedForMs >= CLOCK_WAIT_MS) return { verdict: 'fail', message: `${input.clockRefused}; no worker in bound took the ${what} within ${CLOCK_WAIT_MS / 1000} s` };
  return { verdict: 'handBack', reason: 'clock', delayMs: HAND_BACK_DELAY_MS, message: `${input.clockRefused}; handed back for a worker in bound` };
}

/** The rules above, on one shard; no I/O. */
export function admitShard(input: AdmissionInput): Admission {
  const byClock = admitByClock(input, 'shard');
  if (byClock) return byClock;
  const inBound = input.others.filter((worker) => worker.clockInBound);
  const withRoom = inBound.filter((worker) => worker.loadShards < worker.loadConcurrency);
  const share = Math.ceil(input.shards / (withRoom.length + 1));
  if (input.mine < share || withRoom.length === 0) return { verdict: 'take' };
  if (input.declinedForMs >= FAIR_SHARE_WAIT_MS) {
    return { verdict: 'take', note: `taking it beyond this worker's fair share (${share} of ${input.shards}): no other worker took it within ${FAIR_SHARE_WAIT_MS / 1000} s` };
  }
  return {
    verdict: 'handBack',
    reason: 'fairShare',
    delayMs: HAND_BACK_DELAY_MS,
    message: `this worker drives ${input.mine} of the run's ${input.shards} shards, its fair share with ${withRoom.length} other worker(s) free: handed back`,
  };
}

export interface ShardAdmissionOptions {
  redis: RedisClient;
  prefix: string;
  /** This process in the registry (host/pid/random, so a person can tell who did what). */
  workerId: string;
  loadConcurrency: number;
  maxClockOffsetMs: number;
  log: Logger;
  metrics?: WorkerMetrics | undefined;
  /** This worker's clock (default Date.now): a test fakes an offset here. */
  now?: () => number;
}

/** One process's admissions: its shards by run, its presence in the registry, its clock. */
export class ShardAdmission {
  readonly #options: ShardAdmissionOptions;
  readonly #registry: WorkerRegistry;
  /** Job id -> its run ("<uid>/<run>"), for the shards this process drives. */
  readonly #driving = new Map<string, string>();
  /** Job id -> when this process first handed it back (performance.now()). */
  readonly #declined = new Map<string, number>();
  #clock: ClockReading = { offsetMs: 0, uncertaintyMs: 0 };
  #beating: NodeJS.Timeout | undefined;
  /** Admissions one at a time: two shards fetched together must not both see the same count. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ShardAdmissionOptions) {
    this.#options = options;
    this.#registry = new WorkerRegistry(options.redis, options.prefix);
  }

  /** Starts beating, reads the clock and says so (an out-of-bound clock is an error in the log). */
  async start(): Promise<void> {
    // One beat at a time: with Redis away they wait in the client, and must not pile up there.
    // Set first: a failed first reading below still leaves this worker beating.
    let pending = false;
    this.#beating = setInterval(() => {
      if (pending) return;
      pending = true;
      this.#readClock()
        .then(() => this.#beat())
        .catch((error: unknown) => this.#options.log.warn({ err: error }, 'cannot tell Redis this worker is alive (the next beat tries again)'))
        .finally(() => (pending = false));
    }, WORKER_BEAT_MS);
    await this.#readClock();
    const refused = clockRefusal(this.#clock, this.#options.maxClockOffsetMs);
    const fields = { worker: this.#options.workerId, clockOffsetMs: Math.round(this.#clock.offsetMs), maxClockOffsetMs: this.#options.maxClockOffsetMs };
    if (refused) this.#options.log.error(fields, `${refused}. Until it is, this worker refuses load shards and migrations`);
    else this.#options.log.info(fields, 'worker clock within bound of Redis');
    await this.#beat();
  }

  /** Decides on a shard; 'take' counts it as driven by this process until ended(jobId). */
  admit(jobId: string, job: LoadJobData): Promise<Admission> {
    const decided = this.#queue.then(() => this.#admit(jobId, job));
    this.#queue = decided.catch(() => undefined);
    return decided;
  }

  /** Decides on a migration: the clock rule alone (see above). */
  async admitMigration(jobId: string, job: MigrationJobData): Promise<Admission> {
    await this.#readClock();
    const clockRefused = clockRefusal(this.#clock, this.#options.maxClockOffsetMs, 'migration');
    const keys = new RunKeys(this.#options.prefix, job.experiment, job.run);
    const started = clockRefused !== undefined && ((await this.#options.redis.exists(keys.migrationClaim(job.index))) > 0 || (await this.#options.redis.hexists(keys.migrations, String(job.index))) > 0);
    const log = this.#options.log.child({ experiment: job.experiment.name, run: job.run, migration: job.index, worker: this.#options.workerId, clockOffsetMs: Math.round(this.#clock.offsetMs) });
    if (started) log.warn(`${clockRefused}; following the migration an earlier attempt started all the same`);
    const firstDeclined = this.#declined.get(jobId);
    const others = clockRefused === undefined || started ? [] : (await this.#beat()).filter((worker) => worker.id !== this.#options.workerId);
    const admission = (started ? undefined : admitByClock({ others, clockRefused, declinedForMs: firstDeclined === undefined ? 0 : performance.now() - firstDeclined }, 'migration')) ?? { verdict: 'take' };
    if (admission.verdict === 'handBack') {
      if (firstDeclined === undefined) this.#declined.set(jobId, performance.now());
      log.warn(`migration: ${admission.message}`);
    } else {
      this.#declined.delete(jobId);
      if (admission.verdict === 'fail') log.error(`refusing the migration: ${admission.message}`);
    }
    return admission;
  }

  /**
   * When a job handed back `delayMs` from now becomes due, on Redis's clock: BullMQ compares it with
   * the clock of the worker that next looks, so a worker ahead of Redis must not push it later.
   */
  handBackAt(delayMs: number): number {
    return (this.#options.now ?? Date.now)() - this.#clock.offsetMs + delayMs;
  }

  ended(jobId: string): void {
    if (this.#driving.delete(jobId)) void this.#beat().catch(() => undefined);
  }

  /** Leaves the registry; with Redis away it does not wait (the presence lapses after its TTL anyway). */
  async close(): Promise<void> {
    clearInterval(this.#beating);
    let timer: NodeJS.Timeout | undefined;
    const given = new Promise<void>((resolve) => (timer = setTimeout(resolve, LEAVE_WAIT_MS)));
    await Promise.race([this.#registry.leave(this.#options.workerId).catch(() => undefined), given]);
    clearTimeout(timer);
  }

  async #admit(jobId: string, job: LoadJobData): Promise<Admission> {
    await this.#readClock();
    const clockRefused = clockRefusal(this.#clock, this.#options.maxClockOffsetMs);
    const others = (await this.#beat()).filter((worker) => worker.id !== this.#options.workerId);
    const run = `${job.experiment.uid}/${job.run}`;
    const mine = [...this.#driving.values()].filter((of) => of === run).length;
    const firstDeclined = this.#declined.get(jobId);
    const admission = admitShard({ shards: job.shards, mine, others, clockRefused, declinedForMs: firstDeclined === undefined ? 0 : performance.now() - firstDeclined });
    const log = this.#options.log.child({ experiment: job.experiment.name, run: job.run, shard: job.shard, worker: this.#options.workerId });
    if (admission.verdict === 'take') {
      this.#declined.delete(jobId);
      this.#driving.set(jobId, run);
      if (admission.note) log.warn(admission.note);
      // The others see this slot taken at once; a beat lost here only delays that to the next one.
      await this.#beat().catch((error: unknown) => log.warn({ err: error }, 'cannot tell Redis this worker took the shard (the next beat does)'));
    } else if (admission.verdict === 'handBack') {
      if (firstDeclined === undefined) {
        this.#declined.set(jobId, performance.now());
        if (admission.reason === 'clock') await this.#recordRefusal(job, admission.message);
      }
      log[admission.reason === 'clock' ? 'warn' : 'debug']({ clockOffsetMs: Math.round(this.#clock.offsetMs) }, admission.message);
      this.#options.metrics?.shardDeclined(admission.reason, 'handedBack');
    } else {
      this.#declined.delete(jobId);
      await this.#recordRefusal(job, admission.message);
      log.error({ clockOffsetMs: Math.round(this.#clock.offsetMs) }, `refusing the load shard: ${admission.message}`);
      this.#options.metrics?.shardDeclined('clock', 'failed');
    }
    return admission;
  }

  /** For the engine to tell (a Warning event): which worker refused which shard, and why. */
  async #recordRefusal(job: LoadJobData, message: string): Promise<void> {
    const keys = new RunKeys(this.#options.prefix, job.experiment, job.run);
    await this.#options.redis.hset(keys.refusals, `${job.shard} ${this.#options.workerId}`, message);
  }

  async #readClock(): Promise<void> {
    this.#clock = await readClockOffset(this.#options.redis, this.#options.now);
    this.#options.metrics?.clockOffset(this.#clock.offsetMs / 1000);
  }

  #beat(): Promise<WorkerPresence[]> {
    return this.#registry.beat({
      id: this.#options.workerId,
      loadConcurrency: this.#options.loadConcurrency,
      loadShards: this.#driving.size,
      clockOffsetMs: Math.round(this.#clock.offsetMs),
      clockInBound: clockRefusal(this.#clock, this.#options.maxClockOffsetMs) === undefined,
    });
  }
}
