// The workers that take jobs out of Redis: load shards and migrations. `migrascope worker` runs
// them as their own process (scaled apart from the controller); `migrascope run` runs them in
// process unless told not to. Jobs are validated on the way in: a job queued by another version
// that does not fit is failed with the reason, not half-run.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisClient } from '../queue/redis-connection.ts';
import type { Logger } from '../log/index.ts';
import type { LoadTargetAllowList } from './load-targets.ts';
import type { WorkerMetrics } from '../metrics/index.ts';
import { ExperimentQueues } from '../queue/queues.ts';
import { bullPrefix } from '../queue/run-keys.ts';
import { LOAD_QUEUE, LoadJobData, MIGRATION_QUEUE, MigrationJobData } from '../queue/contracts.ts';
import { performLoad, refuseShard, type ShardEnd } from './load-worker.ts';
import { ShardAdmission } from './shard-admission.ts';
import { DEFAULT_MAX_CLOCK_OFFSET_MS } from './worker-clock.ts';
import { performMigration, refuseMigration, type MigrationOutcome, type PoolResolver } from './migration-worker.ts';

/** Migrations one worker process follows at once unless told (see WorkerHostOptions.migrationConcurrency). */
export const DEFAULT_MIGRATION_CONCURRENCY = 16;

export interface WorkerHostOptions {
  connection: ConnectionOptions;
  /** A plain connection for the engine's own keys (not a blocking BullMQ one). */
  redis: RedisClient;
  prefix: string;
  resolvePool: PoolResolver;
  log: Logger;
  /** Load shards one worker process drives at once (default 16). */
  loadConcurrency?: number;
  /**
   * Migrations at once (of different experiments; default 16, as load shards). A migration job
   * mostly waits (on XAPI and its probe), and one waiting for a slot starts after its offset, so
   * its run measures a moment the spec did not ask for: with 4 a process, fifty experiments at
   * once on two workers saw their last migrations start 42 s late, after their load had stopped.
   */
  migrationConcurrency?: number;
  /** What the workers do, on this process's /metrics (shards, users, actions, saturation, jobs by state). */
  metrics?: WorkerMetrics | undefined;
  /** Where each namespace may send load (the controller's loadTargets); unrestricted when undefined. */
  loadTargets?: LoadTargetAllowList | undefined;
  /** How soon a job whose worker died is handed to another (BullMQ lock; default 10 s). */
  lockDurationMs?: number;
  /** How far this worker's clock may be from Redis's before it refuses load shards and migrations (default 1 s). */
  maxClockOffsetMs?: number;
  /** This worker's clock, as the clock check reads it (default Date.now; a test fakes an offset here). */
  now?: () => number;
}

export interface WorkerHost {
  /** This process as the other workers and the shards' ends know it. */
  readonly id: string;
  /** Settled once the workers take jobs (after the clock was read and the process said it is alive). */
  readonly ready: Promise<void>;
  /** Stops taking jobs; `force` abandons the running ones (they stall and another worker retries them). */
  close(force?: boolean): Promise<void>;
}

export function startWorkers(options: WorkerHostOptions): WorkerHost {
  const common = {
    connection: options.connection,
    prefix: bullPrefix(options.prefix),
    lockDuration: options.lockDurationMs ?? 10_000,
    stalledInterval: Math.max(1000, Math.floor((options.lockDurationMs ?? 10_000) / 2)),
    // Jobs are taken once this process is in the worker registry (shard-admission).
    autorun: false,
  };
  const id = `${hostname()}/${process.pid}/${randomBytes(2).toString('hex')}`;
  const loadConcurrency = options.loadConcurrency ?? 16;
  const deps = { redis: options.redis, prefix: options.prefix, log: options.log, resolvePool: options.resolvePool, metrics: options.metrics, loadTargets: options.loadTargets, workerId: id };
  const admission = new ShardAdmission({
    redis: options.redis,
    prefix: options.prefix,
    workerId: id,
    loadConcurrency,
    maxClockOffsetMs: options.maxClockOffsetMs ?? DEFAULT_MAX_CLOCK_OFFSET_MS,
    log: options.log,
    metrics: options.metrics,
    ...(options.now ? { now: options.now } : {}),
  });
  // Queues only to count their jobs by state when Prometheus scrapes.
  const counted = options.metrics ? new ExperimentQueues({ connection: options.connection, prefix: options.prefix }) : undefined;
  if (counted) options.metrics?.countJobs(counted.load, counted.migration);
  // A shard this process still drives, handed out again because its lock lapsed while Redis was
  // away (BullMQ took it for stalled): the retry follows the running attempt instead of starting a
  // second one on the same users. Another process retrying it takes the shard over (load-worker).
  const driving = new Map<string, Promise<ShardEnd>>();
  const load = new Worker<LoadJobData, ShardEnd>(
    LOAD_QUEUE,
    async (job: Job<LoadJobData>, token?: string) => {
      const jobId = job.id ?? '';
      const running = driving.get(jobId);
      if (running) {
        options.log.warn({ job: jobId, attempt: job.attemptsMade }, 'load job handed out again while this process still drives it (its lock lapsed): following the running shard');
        return running;
      }
      const data = LoadJobData.parse(job.data);
      const admitted = await admission.admit(jobId, data);
      if (admitted.verdict === 'handBack') {
        // BullMQ's manual delay: no attempt spent, and its marker wakes a worker asleep on the queue.
        await job.moveToDelayed(admission.handBackAt(admitted.delayMs), token);
        throw new DelayedError(admitted.message);
      }
      if (admitted.verdict === 'fail') return refuseShard(data, deps, admitted.message);
      const shard = performLoad(data, deps).finally(() => {
        driving.delete(jobId);
        admission.ended(jobId);
      });
      driving.set(jobId, shard);
      return shard;
    },
    { ...common, concurrency: loadConcurrency },
  );
  const migration = new Worker<MigrationJobData, MigrationOutcome>(
    MIGRATION_QUEUE,
    async (job: Job<MigrationJobData>, token?: string) => {
      const data = MigrationJobData.parse(job.data);
      const admitted = await admission.admitMigration(job.id ?? '', data);
      if (admitted.verdict === 'handBack') {
        await job.moveToDelayed(admission.handBackAt(admitted.delayMs), token);
        throw new DelayedError(admitted.message);
      }
      if (admitted.verdict === 'fail') return refuseMigration(data, deps, admitted.message);
      return performMigration(data, `${job.id}#${job.attemptsMade}`, deps);
    },
    { ...common, concurrency: options.migrationConcurrency ?? DEFAULT_MIGRATION_CONCURRENCY },
  );
  for (const worker of [load, migration]) {
    worker.on('failed', (job, error) => options.log.warn({ job: job?.id, attempt: job?.attemptsMade, err: error }, 'job failed'));
    const forget = logErrorsOnce(worker, 'worker error', options.log);
    worker.on('ready', forget);
  }
  // Without a listener, BullMQ prints each of the queues' errors to the console, once per reconnect.
  for (const queue of counted ? [counted.load, counted.migration] : []) logErrorsOnce(queue, 'queue error', options.log);
  // The clock read and the first beat precede the first job; Redis away then is waited for by the
  // reads (ioredis queues them), and a failure is logged: every shard reads the clock again anyway.
  // Closing before that (Redis gone since) does not wait for it: the workers then never run.
  let closing = false;
  const ready = admission
    .start()
    .catch((error: unknown) => options.log.error({ err: error }, 'cannot read the clock against Redis or join the worker registry (each shard tries again)'))
    .then(() => {
      if (closing) return;
      for (const worker of [load, migration]) worker.run().catch((error: unknown) => options.log.error({ err: error }, 'worker stopped'));
    });
  return {
    id,
    ready,
    close: async (force = false) => {
      closing = true;
      await Promise.all([load.close(force), migration.close(force)]);
      await admission.close();
      await counted?.close();
    },
  };
}

/**
 * A lost Redis makes every reconnect attempt an 'error': each message is logged once, not once per
 * retry. Returns a function that forgets the last message (Redis is back: the next one is news).
 */
function logErrorsOnce(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }, what: string, log: Logger): () => void {
  let lastError: string | undefined;
  emitter.on('error', (error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    log.error({ err: error }, what);
  });
  return () => (lastError = undefined);
}
