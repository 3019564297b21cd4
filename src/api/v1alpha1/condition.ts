// Conditions in the shape of metav1.Condition, so kubectl, Argo CD and Flux (kstatus) read them:
// Ready / Progressing / Degraded for people and Argo CD, Reconciling / Stalled for kstatus (the
// only two it reads), each with a machine reason and a sentence for a person.

import { z } from 'zod';

export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded', 'Reconciling', 'Stalled'] as const;

export const CONDITION_TYPE_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
export const CONDITION_REASON_PATTERN = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

export const Condition = z.strictObject({
  type: z
    .string()
    .min(1)
    .max(316)
    .regex(CONDITION_TYPE_PATTERN)
    .describe('Ready, Progressing, Degraded, Reconciling or Stalled (kstatus), SpecChanged.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
  observedGeneration: z.int().min(0).optional().describe('The metadata.generation this condition was set for.'),
  lastTransitionTime: z.iso.datetime({ offset: true }).describe('When status last changed.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(CONDITION_REASON_PATTERN)
    .describe('CamelCase reason for programs, e.g. SlaViolated, MigrationFailed, InvalidSpec.'),
  message: z.string().max(32768).describe('What happened, for a person; names the field when the spec is at fault.'),
});
export type Condition = z.infer<typeof Condition>;

export const Conditions = z.array(Condition).max(16).meta({
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * `conditions` with `update` set, as apimachinery's meta.SetStatusCondition does: the time of
 * transition moves only when the status changes, so "since when is it Degraded" stays true.
 */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, now: Date = new Date()): Condition[] {
  const existing = conditions?.find((condition) => condition.type === update.type);
  const lastTransitionTime = existing && existing.status === update.status ? existing.lastTransitionTime : now.toISOString();
  const next: Condition = { ...update, lastTransitionTime };
  return existing ? (conditions ?? []).map((condition) => (condition === existing ? next : condition)) : [...(conditions ?? []), next];
}

/** The condition of `type`, if set. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** Why kstatus should wait (Reconciling) or give up (Stalled); neither means the object is Current. */
export type KstatusState =
  | { kind: 'reconciling'; reason: string; message: string }
  | { kind: 'stalled'; reason: string; message: string }
  | { kind: 'current' };

/**
 * `Reconciling` and `Stalled`, the abnormal-true conditions kstatus (sigs.k8s.io/cli-utils, as
 * Flux and kpt use it) reads: Reconciling=True is InProgress, Stalled=True is Failed, both False
 * (with status.observedGeneration equal to metadata.generation) is Current.
 */
export function setKstatusConditions(conditions: readonly Condition[] | undefined, state: KstatusState, generation?: number, now: Date = new Date()): Condition[] {
  const observed = generation === undefined ? {} : { observedGeneration: generation };
  const quiet = { reason: 'AsExpected', message: 'nothing is under way or wrong' };
  const reconciling = state.kind === 'reconciling' ? { status: 'True' as const, reason: state.reason, message: state.message } : { status: 'False' as const, ...quiet };
  const stalled = state.kind === 'stalled' ? { status: 'True' as const, reason: state.reason, message: state.message } : { status: 'False' as const, ...quiet };
  const list = setCondition(conditions, { type: 'Reconciling', ...reconciling, ...observed }, now);
  return setCondition(list, { type: 'Stalled', ...stalled, ...observed }, now);
}
