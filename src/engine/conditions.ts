// An experiment's or campaign's conditions from where it stands: Ready when it finished well,
// Progressing while it runs, Degraded when it broke (Argo CD and people read these), and the two
// kstatus reads (Flux, kpt): Reconciling while work is under way (Pending starting, running),
// Stalled when it failed or cannot start (InvalidSpec, a missing pool or profile) and when it was
// aborted: it will never finish its runs, and kstatus reads Ready=False without Stalled as
// InProgress, which would make Flux wait for it forever. Only a success reads as Current.
import { setCondition, setKstatusConditions, type Condition, type KstatusState } from '../api/v1alpha1/index.ts';

export interface ExperimentState {
  kind: 'progressing' | 'succeeded' | 'failed' | 'aborted';
  reason: string;
  message: string;
  generation?: number | undefined;
}

/** Ready / Progressing / Degraded and kstatus's Reconciling / Stalled together, one generation. */
export function experimentConditions(conditions: readonly Condition[] | undefined, state: ExperimentState, now: Date = new Date()): Condition[] {
  const generation = state.generation === undefined ? {} : { observedGeneration: state.generation };
  const ready = state.kind === 'succeeded' ? 'True' : 'False';
  const progressing = state.kind === 'progressing' ? 'True' : 'False';
  const degraded = state.kind === 'failed' ? 'True' : 'False';
  let list = setCondition(conditions, { type: 'Ready', status: ready, reason: state.reason, message: state.message, ...generation }, now);
  list = setCondition(list, { type: 'Progressing', status: progressing, reason: state.reason, message: state.message, ...generation }, now);
  list = setCondition(
    list,
    { type: 'Degraded', status: degraded, reason: degraded === 'True' ? state.reason : 'AsExpected', message: degraded === 'True' ? state.message : 'nothing is wrong', ...generation },
    now,
  );
  return setKstatusConditions(list, kstatusOf(state), state.generation, now);
}

function kstatusOf(state: ExperimentState): KstatusState {
  if (state.kind === 'progressing') return { kind: 'reconciling', reason: state.reason, message: state.message };
  if (state.kind === 'succeeded') return { kind: 'current' };
  return { kind: 'stalled', reason: state.reason, message: state.message };
}
