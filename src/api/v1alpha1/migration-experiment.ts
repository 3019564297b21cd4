// MigrationExperiment: one declared measurement, run `repetitions` times against a VM of a pool.

import { z } from 'zod';
import { Conditions } from './condition.ts';
import { Duration } from './duration.ts';
import { MigrationExperimentSpec } from './experiment-spec.ts';
import { API_VERSION } from './group.ts';
import { ObjectMeta } from './object-meta.ts';
import { parseWith } from './parse.ts';
import { BaselineResult, RunResult, RunSummary } from './results.ts';

/** In the order a run goes through them; the last three are terminal. */
export const EXPERIMENT_PHASES = [
  'Pending',
  'Preparing',
  'RampUp',
  'SteadyState',
  'Migrating',
  'RampDown',
  'Analyzing',
  'Succeeded',
  'Failed',
  'Aborted',
] as const;
export const ExperimentPhase = z.enum(EXPERIMENT_PHASES);
export type ExperimentPhase = z.infer<typeof ExperimentPhase>;

export const TERMINAL_EXPERIMENT_PHASES: readonly ExperimentPhase[] = ['Succeeded', 'Failed', 'Aborted'];

export const ProfileInUse = z.strictObject({
  kind: z.enum(['BuiltIn', 'WorkloadProfile']).describe('A built-in profile (olio) or a WorkloadProfile of the namespace.'),
  name: z.string().max(253),
  generation: z.int().min(0).optional().describe("The WorkloadProfile's metadata.generation the runs use: later edits change nothing in them."),
  uid: z.string().max(64).optional(),
  actions: z.array(z.string().max(64)).max(64).describe('The judged actions, in the profile\'s order.'),
});
export type ProfileInUse = z.infer<typeof ProfileInUse>;

export const MigrationExperimentStatus = z.strictObject({
  phase: ExperimentPhase.optional().describe('Where the experiment is; the reason of a terminal phase is in a condition.'),
  observedGeneration: z.int().min(0).optional().describe('The metadata.generation the status describes.'),
  conditions: Conditions.optional(),
  currentRun: z.int().min(0).optional().describe('The run in progress, 1-based; 0 while the baseline run goes.'),
  completedRuns: z.int().min(0).optional().describe('Runs finished (any outcome).'),
  profile: ProfileInUse.optional().describe('The profile the runs use, fixed when the experiment started.'),
  startTime: z.iso.datetime({ offset: true }).optional(),
  completionTime: z.iso.datetime({ offset: true }).optional(),
  migrationOffsets: z
    .array(Duration)
    .max(32)
    .optional()
    .describe('The migration schedule as applied: offsets into steady state, whichever form the spec used.'),
  runs: z.array(RunResult).max(100).optional().describe('One entry per run, in order.'),
  summary: RunSummary.optional().describe('Over the finished runs: means and worst values.'),
  baseline: BaselineResult.optional().describe('With spec.baseline: the run without migration and, per action, what the migrations added to it.'),
  reportPath: z
    .string()
    .max(1024)
    .optional()
    .describe("Where the controller serves this experiment's HTML report on its HTTP port (the metrics port), e.g. /reports/default/study."),
  rerunToken: z
    .string()
    .max(253)
    .optional()
    .describe('The migrascope.io/rerun annotation these runs answer: a finished experiment runs again, with its current spec, when the annotation changes.'),
});
export type MigrationExperimentStatus = z.infer<typeof MigrationExperimentStatus>;

export const MigrationExperimentResource = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('MigrationExperiment'),
  metadata: ObjectMeta,
  spec: MigrationExperimentSpec,
  status: MigrationExperimentStatus.optional(),
});
/** An experiment with every default filled in (what the engine works from). */
export type MigrationExperiment = z.output<typeof MigrationExperimentResource>;
/** An experiment as a person writes it: defaults may be left out. */
export type MigrationExperimentManifest = z.input<typeof MigrationExperimentResource>;

/** Parse an experiment object (from YAML or the API server), defaults filled in. */
export function parseExperiment(object: unknown): MigrationExperiment {
  return parseWith(MigrationExperimentResource, object);
}
