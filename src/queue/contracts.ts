// The jobs the engine puts in Redis and the workers take out: what each carries, validated when
// taken (a job may have been queued by another version of Migrascope), and the ids that make a
// job unique for its purpose, so that adding it again is a no-op and it never runs twice.
import { z } from 'zod';
import { Uid } from '../api/v1alpha1/object-meta.ts';

export const LOAD_QUEUE = 'migrascope-load';
export const MIGRATION_QUEUE = 'migrascope-migration';

export const ExperimentRef = z.object({
  uid: Uid,
  namespace: z.string().min(1),
  name: z.string().min(1),
});
export type ExperimentRef = z.infer<typeof ExperimentRef>;

export const PoolRef = z.object({ namespace: z.string().min(1), name: z.string().min(1) });
export type PoolRef = z.infer<typeof PoolRef>;

export const ThinkTimeSpec = z.object({
  distribution: z.enum(['negativeExponential', 'fixed', 'uniform']),
  meanMs: z.number().min(0),
  maxMultiple: z.number().min(1),
  cycleType: z.enum(['cycleTime', 'thinkTime']),
});
export type ThinkTimeSpec = z.infer<typeof ThinkTimeSpec>;

/** One shard of a run's users, driven by one load worker. */
export const LoadJobData = z.object({
  experiment: ExperimentRef,
  /** 1-based; 0 is the baseline run (spec.baseline), which drives the same load without migration. */
  run: z.int().min(0),
  shard: z.int().min(0),
  shards: z.int().min(1),
  url: z.url(),
  /** A built-in profile's name ("olio") or the whole profile document, resolved when the experiment started. */
  profile: z.union([z.string(), z.record(z.string(), z.unknown())]),
  /** Values overriding the profile's params (the experiment's workload.params). */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** Closed loop: this shard's users. */
  users: z.int().min(1).optional(),
  /** Open loop: this shard's share of the arrival rate, per second. */
  rate: z.number().gt(0).optional(),
  /** The experiment's think time, replacing the profile's; absent: the profile's own. */
  thinkTime: ThinkTimeSpec.optional(),
  /** Wall-clock time (epoch ms) at which ramp-up starts, the same for every shard. */
  startAtMs: z.number(),
  rampUpMs: z.number().min(0),
  steadyMs: z.number().gt(0),
  rampDownMs: z.number().min(0),
  /** Write this shard's request log here (JSON lines), when the experiment records one. */
  requestLogPath: z.string().optional(),
  seed: z.int(),
});
export type LoadJobData = z.infer<typeof LoadJobData>;

export const DestinationSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('host'), host: z.string().min(1) }),
  z.object({ kind: z.literal('roundRobin') }),
  z.object({ kind: z.literal('mostFreeMemory') }),
]);
export type DestinationSpec = z.infer<typeof DestinationSpec>;

/** One live migration of a run, queued as a delayed job that falls due at its offset. */
export const MigrationJobData = z.object({
  experiment: ExperimentRef,
  run: z.int().min(1),
  /** 1-based position in the run's schedule. */
  index: z.int().min(1),
  pool: PoolRef,
  vm: z.string().min(1),
  destination: DestinationSpec,
  /** Planned start (epoch ms): steady state start + offset. */
  dueAtMs: z.number(),
  offsetMs: z.number().min(0),
  /** In sequence: the index of the migration of this run that must end before this one starts. */
  after: z.int().min(1).optional(),
  timeoutMs: z.number().gt(0),
  /** What the active downtime probe polls while the migration runs. */
  probeUrl: z.url(),
  /** spec.testbed: the simulated pool's pre-copy model inputs; a real pool refuses the migration. */
  testbed: z.object({ memoryBytes: z.number().gt(0).optional(), bandwidthBytesPerSecond: z.number().gt(0).optional() }).optional(),
});
export type MigrationJobData = z.infer<typeof MigrationJobData>;

/** Job ids: unique per experiment, run and purpose (BullMQ forbids ':' in them). */
export function loadJobId(experiment: ExperimentRef, run: number, shard: number): string {
  return `${experiment.uid}_r${run}_load_${shard}`;
}

export function migrationJobId(experiment: ExperimentRef, run: number, index: number): string {
  return `${experiment.uid}_r${run}_migration_${index}`;
}
