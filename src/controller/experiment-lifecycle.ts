// The decisions of the experiment reconciler that need no I/O: whether a phase is final, when a
// finished experiment's TTL runs out, what a refused spec change says, how long a finalizer may
// take, and the conditions of an experiment that has not started. Kept pure so they are tested
// one by one, and so the reconciler reads as the story of one object.
import {
  TERMINAL_EXPERIMENT_PHASES,
  setCondition,
  type Condition,
  type ConditionUpdate,
  type MigrationExperiment,
} from '../api/v1alpha1/index.ts';
import { experimentConditions } from '../engine/conditions.ts';

export const EXPERIMENT_FINALIZER = 'migrascope.io/experiment';
/** A finished experiment runs again, with its current spec, when this annotation takes a new value. */
export const RERUN_ANNOTATION = 'migrascope.io/rerun';
export const SPEC_CHANGED_CONDITION = 'SpecChanged';
export const SPEC_CHANGED_REASON = 'SpecChangedWhileRunning';

/** Succeeded, Failed or Aborted: an experiment's (or a campaign's) last phase. */
export function isTerminal(phase: string | undefined): boolean {
  return phase !== undefined && (TERMINAL_EXPERIMENT_PHASES as readonly string[]).includes(phase);
}

export type TtlDecision = { action: 'keep' } | { action: 'delete' } | { action: 'wait'; ms: number };

/** ttlSecondsAfterFinished (and ttlOnlyIfSucceeded) applied to a finished experiment. */
export function ttlDecision(experiment: MigrationExperiment, nowMs: number): TtlDecision {
  const ttl = experiment.spec.ttlSecondsAfterFinished;
  const status = experiment.status;
  if (ttl === undefined || !isTerminal(status?.phase)) return { action: 'keep' };
  if (experiment.spec.ttlOnlyIfSucceeded && status?.phase !== 'Succeeded') return { action: 'keep' };
  // A finished experiment without completionTime (written by hand, or lost) counts from now on.
  const finishedMs = status?.completionTime ? Date.parse(status.completionTime) : nowMs;
  const remaining = finishedMs + ttl * 1000 - nowMs;
  return remaining <= 0 ? { action: 'delete' } : { action: 'wait', ms: remaining };
}

/**
 * The condition saying a spec change was refused: the run keeps the generation it started with.
 * Undefined when the object's generation is the one that runs.
 */
export function specChangeCondition(generation: number, startedGeneration: number, phase: string | undefined, kind: 'experiment' | 'campaign' = 'experiment'): ConditionUpdate | undefined {
  if (generation <= startedGeneration) return undefined;
  const when = isTerminal(phase) ? `after the ${kind} finished` : 'while it runs';
  // An experiment re-runs by annotation; a campaign's levels are its children, so it is recreated.
  const remedy =
    kind === 'campaign'
      ? 'the change applies to none of its levels; delete and recreate the campaign to change it'
      : isTerminal(phase)
        ? `to run it with this spec, set the annotation ${RERUN_ANNOTATION} to a new value`
        : `the change applies to none of the current runs; once they finish, set the annotation ${RERUN_ANNOTATION} to a new value to run this spec`;
  return {
    type: SPEC_CHANGED_CONDITION,
    status: 'True',
    reason: SPEC_CHANGED_REASON,
    message:
      `generation ${generation} changed the spec ${when}; the runs use generation ${startedGeneration}: ${remedy}`,
    observedGeneration: generation,
  };
}

/** Conditions with the spec-change condition set (or left out when nothing was refused). */
export function withSpecChange(conditions: readonly Condition[] | undefined, refused: ConditionUpdate | undefined, now = new Date()): Condition[] | undefined {
  if (!refused) return conditions ? [...conditions] : undefined;
  return setCondition(conditions, refused, now);
}

/**
 * The rerun asked for by the annotation, if any: a token the finished runs do not answer yet. A
 * token set before the first run is that run's (the start records it), never a second run.
 */
export function rerunRequested(annotations: Readonly<Record<string, string>> | undefined, status: { phase?: string | undefined; rerunToken?: string | undefined } | undefined): string | undefined {
  const token = annotations?.[RERUN_ANNOTATION];
  if (token === undefined || token === '' || !isTerminal(status?.phase) || token === status?.rerunToken) return undefined;
  return token;
}

/**
 * The status patch that clears a finished experiment for its rerun: every field of the last runs
 * goes (null in a merge patch), the report's address stays, the token is recorded.
 */
export function rerunStatusPatch(previous: Readonly<Record<string, unknown>>, token: string, generation: number, now = new Date()): Record<string, unknown> {
  const cleared = Object.fromEntries(Object.keys(previous).filter((key) => key !== 'reportPath').map((key) => [key, null]));
  return {
    ...cleared,
    phase: 'Pending',
    observedGeneration: generation,
    rerunToken: token,
    conditions: pendingConditions(undefined, generation, undefined, now),
  };
}

/** A problem only the controller can see (a missing pool or Secret), naming the field to fix. */
export interface ReferenceProblem {
  reason: string;
  field: string;
  message: string;
}

/** Conditions of an experiment waiting to start: Degraded naming the field, or progressing. */
export function pendingConditions(conditions: readonly Condition[] | undefined, generation: number | undefined, problem: ReferenceProblem | undefined, now = new Date()): Condition[] {
  if (problem) {
    const message = `${problem.field}: ${problem.message}`;
    return experimentConditions(conditions, { kind: 'failed', reason: problem.reason, message, generation }, now);
  }
  return experimentConditions(conditions, { kind: 'progressing', reason: 'Starting', message: 'starting the first run', generation }, now);
}

/** How long a deleted experiment's finalizer may work before it lets go anyway. */
export function finalizerDeadlineMs(deletionTimestamp: string | Date | undefined, timeoutMs: number, nowMs: number): number {
  const deleted = deletionTimestamp === undefined ? nowMs : new Date(deletionTimestamp).getTime();
  return (Number.isNaN(deleted) ? nowMs : deleted) + timeoutMs;
}
