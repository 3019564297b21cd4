// How an experiment's runs are numbered and named: the measured runs 1..repetitions and, when the
// spec asks for one (spec.baseline), the baseline run before them as run 0.
import type { MigrationExperimentSpec } from '../api/v1alpha1/index.ts';

/**
 * The baseline run's number (spec.baseline): it runs before run 1 and its jobs, Redis keys and
 * request logs carry this number, so they never meet a measured run's (1..repetitions).
 */
export const BASELINE_RUN = 0;

/** Every run an experiment makes, in order: the baseline first when it asks for one. */
export function runNumbers(spec: Pick<MigrationExperimentSpec, 'repetitions' | 'baseline'>): number[] {
  const measured = Array.from({ length: spec.repetitions }, (_, i) => i + 1);
  return spec.baseline?.enabled ? [BASELINE_RUN, ...measured] : measured;
}

/** How events and phase messages name a run. */
export function runLabel(run: number): string {
  return run === BASELINE_RUN ? 'the baseline run' : `run ${run}`;
}

/** How file names (request logs) name a run. */
export function runFileLabel(run: number): string {
  return run === BASELINE_RUN ? 'baseline' : `run${run}`;
}
