// The conditions of the two kinds that describe something rather than run it, XenPool and
// WorkloadProfile: Ready / Degraded for people and Argo CD, Reconciling / Stalled for kstatus
// (Flux, kpt). Pure, so each reading is tested alone and fed to the real kstatus library.
import { setCondition, setKstatusConditions, type Condition, type KstatusState } from '../api/v1alpha1/index.ts';
import { XenError } from '../xen/index.ts';
import { PoolReferenceError } from './cluster-pool-credentials.ts';

/**
 * How kstatus should read a pool that cannot be reached. A failure that retrying can cure (the
 * pool is down or busy: XenError.retryable, or an error we cannot classify) is Reconciling, so
 * kstatus waits (InProgress) while we look again every recheck; one that needs a person (no
 * Secret, no key, forbidden, wrong password, bad TLS) is Stalled, so kstatus fails at once. The
 * recheck goes on either way: fixing the Secret clears Stalled without touching the pool.
 */
export function unreachableKind(error: unknown): 'reconciling' | 'stalled' {
  if (error instanceof PoolReferenceError) return 'stalled';
  if (error instanceof XenError) return error.retryable ? 'reconciling' : 'stalled';
  return 'reconciling';
}

export interface PoolState {
  kind: KstatusState['kind'];
  reason: string;
  message: string;
}

/** Ready when logged in; Degraded when not; kstatus's Reconciling or Stalled as unreachableKind says. */
export function poolConditions(conditions: readonly Condition[] | undefined, state: PoolState, generation?: number): Condition[] {
  const { kind, reason, message } = state;
  return describedConditions(conditions, kind === 'current' ? { kind } : { kind, reason, message }, reason, message, generation);
}

/**
 * Ready when it compiles; Degraded and kstatus's Stalled when it does not (InvalidProfile: only a
 * spec change can fix it). A profile is never in progress: Reconciling stays False.
 */
export function profileConditions(conditions: readonly Condition[] | undefined, valid: boolean, reason: string, message: string, generation?: number): Condition[] {
  const text = message.slice(0, 32_768);
  return describedConditions(conditions, valid ? { kind: 'current' } : { kind: 'stalled', reason, message: text }, reason, text, generation);
}

/** Ready when Current, Degraded otherwise, and kstatus's pair, all for one generation. */
function describedConditions(conditions: readonly Condition[] | undefined, state: KstatusState, reason: string, message: string, generation?: number): Condition[] {
  const fine = state.kind === 'current';
  const observed = generation === undefined ? {} : { observedGeneration: generation };
  const ready = setCondition(conditions, { type: 'Ready', status: fine ? 'True' : 'False', reason, message, ...observed });
  const degraded = setCondition(ready, {
    type: 'Degraded',
    status: fine ? 'False' : 'True',
    reason: fine ? 'AsExpected' : reason,
    message: fine ? 'nothing is wrong' : message,
    ...observed,
  });
  return setKstatusConditions(degraded, state, generation);
}
