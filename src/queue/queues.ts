// The two BullMQ queues of Migrascope and how jobs are added to them: with ids derived from their
// purpose (adding again is a no-op), retries for load shards whose worker died, and completed jobs
// kept for a day so a restarted engine can still look at them.
import { Queue, type ConnectionOptions } from 'bullmq';
import { LOAD_QUEUE, MIGRATION_QUEUE, loadJobId, migrationJobId, type LoadJobData, type MigrationJobData } from './contracts.ts';
import { bullPrefix } from './run-keys.ts';

export interface QueueSettings {
  connection: ConnectionOptions;
  /** Key prefix of everything Migrascope keeps in Redis (tests use a random one). */
  prefix: string;
}

const KEEP = { removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } };

export class ExperimentQueues {
  readonly load: Queue<LoadJobData>;
  readonly migration: Queue<MigrationJobData>;

  constructor(settings: QueueSettings) {
    const options = { connection: settings.connection, prefix: bullPrefix(settings.prefix) };
    this.load = new Queue<LoadJobData>(LOAD_QUEUE, options);
    this.migration = new Queue<MigrationJobData>(MIGRATION_QUEUE, options);
  }

  async addLoad(data: LoadJobData): Promise<void> {
    await this.load.add('load', data, {
      jobId: loadJobId(data.experiment, data.run, data.shard),
      // A worker that dies mid-run leaves a stalled job; BullMQ hands it to another worker.
      attempts: 3,
      backoff: { type: 'fixed', delay: 1000 },
      ...KEEP,
    });
  }

  async addMigration(data: MigrationJobData, nowMs = Date.now()): Promise<void> {
    await this.migration.add('migration', data, {
      jobId: migrationJobId(data.experiment, data.run, data.index),
      delay: Math.max(0, data.dueAtMs - nowMs),
      // A retry follows the migration already asked of XAPI (see engine/migration-worker).
      attempts: 3,
      backoff: { type: 'fixed', delay: 2000 },
      ...KEEP,
    });
  }

  /** Drops a migration that has not started yet; false when a worker already has it. */
  async cancelMigration(data: Pick<MigrationJobData, 'experiment' | 'run' | 'index'>): Promise<boolean> {
    const job = await this.migration.getJob(migrationJobId(data.experiment, data.run, data.index));
    if (!job) return true;
    const state = await job.getState();
    if (state === 'delayed' || state === 'waiting' || state === 'prioritized') {
      await job.remove();
      return true;
    }
    return state !== 'active';
  }

  /** The BullMQ state of a load shard's job ("failed" after its last attempt). */
  async loadState(data: Pick<LoadJobData, 'experiment' | 'run' | 'shard'>): Promise<{ state: string; reason?: string }> {
    const job = await this.load.getJob(loadJobId(data.experiment, data.run, data.shard));
    if (!job) return { state: 'missing' };
    const state = await job.getState();
    return { state, ...(job.failedReason ? { reason: job.failedReason } : {}) };
  }

  async close(): Promise<void> {
    await Promise.all([this.load.close(), this.migration.close()]);
  }
}
