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
export function specChangeCondition(generation: number, startedGeneration: number, phase: string | undefined): ConditionUpdate | undefined {
  if (generation <= startedGeneration) return undefined;
  const when = isTerminal(phase) ? 'after the experiment finished' : 'while it runs';
  return {
    type: SPEC_CHANGED_CONDITION,
    status: 'True',
    reason: SPEC_CHANGED_REASON,
    message:
      `generation ${generation} changed the spec ${when}; the runs use generation ${startedGeneration}: ` +
      'the change applies to none of the current runs; delete and recreate the experiment to change it',
    observedGeneration: generation,
  };
}

/** Conditions with the spec-change condition set (or left out when nothing was refused). */
export function withSpecChange(conditions: readonly Condition[] | undefined, refused: ConditionUpdate | undefined, now = new Date()): Condition[] | undefined {
  if (!refused) return conditions ? [...conditions] : undefined;
  return setCondition(conditions, refused, now);
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
