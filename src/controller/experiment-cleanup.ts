// What a deleted experiment leaves in Redis, removed by its finalizer: the BullMQ jobs of its
// runs (ids derived from uid, run and purpose, so they are found without listing the queues),
// the engine's checkpoint and recorded seconds, and the spec it started from. Whatever cannot be
// removed is named, for the Event that says what was left behind.
import { Cluster } from 'ioredis';
import type { RedisClient } from '../queue/redis-connection.ts';
import { experimentKeyBase } from '../queue/run-keys.ts';
import { scheduledMigrations, type MigrationExperimentSpec } from '../api/v1alpha1/index.ts';
import { runNumbers } from '../engine/run-numbers.ts';
import { loadJobId, migrationJobId, type ExperimentRef } from '../queue/contracts.ts';
import type { ExperimentQueues } from '../queue/queues.ts';
import { startedSpecKey } from './started-spec.ts';

export interface ExperimentLeftovers {
  /** What could not be removed, for a person ("load job x (active)", "Redis key y"). */
  leftBehind: string[];
  removedJobs: number;
  removedKeys: number;
}

export async function removeExperimentData(redis: RedisClient, queues: ExperimentQueues, prefix: string, ref: ExperimentRef, spec: MigrationExperimentSpec): Promise<ExperimentLeftovers> {
  const result: ExperimentLeftovers = { leftBehind: [], removedJobs: 0, removedKeys: 0 };
  const migrations = scheduledMigrations(spec.migrations, spec.target.vm).length;
  for (const run of runNumbers(spec)) {
    const jobs = [
      ...Array.from({ length: spec.workload.drivers }, (_, shard) => ({ queue: queues.load, id: loadJobId(ref, run, shard), what: 'load job' })),
      ...Array.from({ length: migrations }, (_, i) => ({ queue: queues.migration, id: migrationJobId(ref, run, i + 1), what: 'migration job' })),
    ];
    for (const { queue, id, what } of jobs) {
      const job = await queue.getJob(id);
      if (!job) continue;
      try {
        await job.remove();
        result.removedJobs += 1;
      } catch (error) {
        // BullMQ refuses to remove a job a worker holds the lock of (still active).
        result.leftBehind.push(`${what} ${id} (${await job.getState()}: ${(error as Error).message})`);
      }
    }
  }
  // All under the uid's hash tag: in a Cluster, one slot and so one DEL.
  const keys = [...new Set([...(await scanKeys(redis, `${experimentKeyBase(prefix, ref.uid)}:*`)), startedSpecKey(prefix, 'experiment', ref.uid)])];
  result.removedKeys = keys.length === 0 ? 0 : await redis.del(...keys);
  return result;
}

/** The keys matching `pattern`; in a Cluster, on every primary (SCAN sees one node's keys). */
async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}
