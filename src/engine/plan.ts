// A run's timetable, fixed before anything starts: when ramp-up begins (the same instant for every
// load worker), where steady state lies, when each migration falls due, and how the users are
// sharded across the drivers. It is pure arithmetic on the spec, so a restarted engine that reads
// the same start time back from Redis gets the same plan.
import { durationMs, scheduledMigrations, type MigrationExperimentSpec } from '../api/v1alpha1/index.ts';
import type { ExperimentRef } from '../queue/contracts.ts';
import { BASELINE_RUN } from './run-numbers.ts';

export interface ShardPlan {
  shard: number;
  users?: number;
  rate?: number;
}

export interface PlannedMigration {
  index: number;
  offsetMs: number;
  dueAtMs: number;
  /** The VM it moves, as the spec names it. */
  vm: string;
  /** In sequence: the index of the migration that must end first; it starts then, not at dueAtMs. */
  after?: number;
}

export interface RunPlan {
  experiment: ExperimentRef;
  run: number;
  startAtMs: number;
  rampUpMs: number;
  steadyMs: number;
  rampDownMs: number;
  steadyStartMs: number;
  steadyEndMs: number;
  endMs: number;
  shards: ShardPlan[];
  migrations: PlannedMigration[];
}

/**
 * The plan of a run asked to start at `requestedStartMs`. Steady state is put on a whole second
 * and lasts whole seconds, as the load driver's timeline does, so the per-second histograms split
 * exactly at its edges; a plan made from its own startAtMs is the same plan.
 */
export function planRun(spec: MigrationExperimentSpec, experiment: ExperimentRef, run: number, requestedStartMs: number): RunPlan {
  // The baseline run is run 1's timetable and load, without the migrations.
  if (run === BASELINE_RUN) return { ...planRun(spec, experiment, 1, requestedStartMs), run, migrations: [] };
  const rampUpMs = durationMs(spec.workload.rampUp);
  const steadyMs = Math.ceil(durationMs(spec.workload.steadyState) / 1000) * 1000;
  const rampDownMs = durationMs(spec.workload.rampDown);
  const steadyStartMs = Math.ceil((requestedStartMs + rampUpMs) / 1000) * 1000;
  const startAtMs = steadyStartMs - rampUpMs;
  return {
    experiment,
    run,
    startAtMs,
    rampUpMs,
    steadyMs,
    rampDownMs,
    steadyStartMs,
    steadyEndMs: steadyStartMs + steadyMs,
    endMs: steadyStartMs + steadyMs + rampDownMs,
    shards: shardLoad(spec.workload.drivers, spec.workload.users, spec.workload.rate),
    migrations: scheduledMigrations(spec.migrations, spec.target.vm).map((scheduled, i) => ({
      ...scheduled,
      index: i + 1,
      dueAtMs: steadyStartMs + scheduled.offsetMs,
    })),
  };
}

/** Users split as evenly as whole users allow (the first shards take the remainder); a rate evenly. */
export function shardLoad(drivers: number, users: number | undefined, rate: number | undefined): ShardPlan[] {
  return Array.from({ length: drivers }, (_, shard) => {
    if (users !== undefined) {
      return { shard, users: Math.floor(users / drivers) + (shard < users % drivers ? 1 : 0) };
    }
    return { shard, rate: (rate ?? 0) / drivers };
  });
}

export type RunStage = 'before' | 'rampUp' | 'steady' | 'rampDown' | 'after';

/** Which stage of the run a wall-clock instant falls in. */
export function stageAt(plan: RunPlan, nowMs: number): RunStage {
  if (nowMs < plan.startAtMs) return 'before';
  if (nowMs < plan.steadyStartMs) return 'rampUp';
  if (nowMs < plan.steadyEndMs) return 'steady';
  if (nowMs < plan.endMs) return 'rampDown';
  return 'after';
}
