// The workers that take jobs out of Redis: load shards and migrations. `migrascope worker` runs
// them as their own process (scaled apart from the controller); `migrascope run` runs them in
// process unless told not to. Jobs are validated on the way in: a job queued by another version
// that does not fit is failed with the reason, not half-run.
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisClient } from '../queue/redis-connection.ts';
import type { Logger } from '../log/index.ts';
import type { LoadTargetAllowList } from './load-targets.ts';
import type { WorkerMetrics } from '../metrics/index.ts';
import { ExperimentQueues } from '../queue/queues.ts';
import { bullPrefix } from '../queue/run-keys.ts';
import { LOAD_QUEUE, LoadJobData, MIGRATION_QUEUE, MigrationJobData } from '../queue/contracts.ts';
import { performLoad, type ShardEnd } from './load-worker.ts';
import { performMigration, type MigrationOutcome, type PoolResolver } from './migration-worker.ts';

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
}

export interface WorkerHost {
  /** Stops taking jobs; `force` abandons the running ones (they stall and another worker retries them). */
  close(force?: boolean): Promise<void>;
}

export function startWorkers(options: WorkerHostOptions): WorkerHost {
  const common = {
    connection: options.connection,
    prefix: bullPrefix(options.prefix),
    lockDuration: options.lockDurationMs ?? 10_000,
    stalledInterval: Math.max(1000, Math.floor((options.lockDurationMs ?? 10_000) / 2)),
  };
  const deps = { redis: options.redis, prefix: options.prefix, log: options.log, resolvePool: options.resolvePool, metrics: options.metrics, loadTargets: options.loadTargets };
  // Queues only to count their jobs by state when Prometheus scrapes.
  const counted = options.metrics ? new ExperimentQueues({ connection: options.connection, prefix: options.prefix }) : undefined;
  if (counted) options.metrics?.countJobs(counted.load, counted.migration);
  // A shard this process still drives, handed out again because its lock lapsed while Redis was
  // away (BullMQ took it for stalled): the retry follows the running attempt instead of starting a
  // second one on the same users. Another process retrying it takes the shard over (load-worker).
  const driving = new Map<string, Promise<ShardEnd>>();
  const load = new Worker<LoadJobData, ShardEnd>(
    LOAD_QUEUE,
    async (job: Job<LoadJobData>) => {
      const id = job.id ?? '';
      const running = driving.get(id);
      if (running) {
        options.log.warn({ job: id, attempt: job.attemptsMade }, 'load job handed out again while this process still drives it (its lock lapsed): following the running shard');
        return running;
      }
      const shard = performLoad(LoadJobData.parse(job.data), deps).finally(() => driving.delete(id));
      driving.set(id, shard);
      return shard;
    },
    { ...common, concurrency: options.loadConcurrency ?? 16 },
  );
  const migration = new Worker<MigrationJobData, MigrationOutcome>(
    MIGRATION_QUEUE,
    async (job: Job<MigrationJobData>) => performMigration(MigrationJobData.parse(job.data), `${job.id}#${job.attemptsMade}`, deps),
    { ...common, concurrency: options.migrationConcurrency ?? DEFAULT_MIGRATION_CONCURRENCY },
  );
  for (const worker of [load, migration]) {
    worker.on('failed', (job, error) => options.log.warn({ job: job?.id, attempt: job?.attemptsMade, err: error }, 'job failed'));
    const forget = logErrorsOnce(worker, 'worker error', options.log);
    worker.on('ready', forget);
  }
  // Without a listener, BullMQ prints each of the queues' errors to the console, once per reconnect.
  for (const queue of counted ? [counted.load, counted.migration] : []) logErrorsOnce(queue, 'queue error', options.log);
  return {
    close: async (force = false) => {
      await Promise.all([load.close(force), migration.close(force)]);
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
