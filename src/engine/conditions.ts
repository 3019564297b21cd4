// An experiment's or campaign's conditions from where it stands, in the kstatus reading Argo CD
// and Flux use: Ready when it finished well, Progressing while it runs, Degraded when it broke.
import { setCondition, type Condition } from '../api/v1alpha1/index.ts';

/** Ready / Progressing / Degraded together, in the kstatus reading Argo CD and Flux use. */
export function experimentConditions(
  conditions: readonly Condition[] | undefined,
  state: { kind: 'progressing' | 'succeeded' | 'failed' | 'aborted'; reason: string; message: string; generation?: number | undefined },
  now: Date = new Date(),
): Condition[] {
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
  return list;
}
