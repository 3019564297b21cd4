import { describe, expect, it } from 'vitest';
import { parseExperiment, type MigrationExperiment, type MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { experiment as experimentCase } from '../api/testing/cases.ts';
import {
  SPEC_CHANGED_CONDITION,
  SPEC_CHANGED_REASON,
  finalizerDeadlineMs,
  isTerminal,
  pendingConditions,
  specChangeCondition,
  rerunRequested,
  rerunStatusPatch,
  ttlDecision,
  withSpecChange,
} from './experiment-lifecycle.ts';

const NOW = Date.parse('2025-05-01T10:00:00Z');

function finished(phase: MigrationExperimentStatus['phase'], spec: Record<string, unknown>, completionTime?: string): MigrationExperiment {
  const base = experimentCase() as { spec: Record<string, unknown> };
  return { ...parseExperiment({ ...base, spec: { ...base.spec, ...spec } }), status: { phase, ...(completionTime ? { completionTime } : {}) } };
}

describe('Given the phases of an experiment', () => {
  it('then only Succeeded, Failed and Aborted are terminal', () => {
    expect(['Succeeded', 'Failed', 'Aborted'].map(isTerminal)).toEqual([true, true, true]);
    expect(['Pending', 'Preparing', 'RampUp', 'SteadyState', 'Migrating', 'RampDown', 'Analyzing', 'Running', undefined].map(isTerminal)).toEqual(
      Array(9).fill(false),
    );
  });
});

describe('Given ttlSecondsAfterFinished', () => {
  it('when absent, then a finished experiment is kept', () => {
    expect(ttlDecision(finished('Succeeded', {}, '2025-05-01T09:00:00Z'), NOW)).toEqual({ action: 'keep' });
  });

  it('when the experiment still runs, then nothing is decided', () => {
    expect(ttlDecision(finished('SteadyState', { ttlSecondsAfterFinished: 0 }), NOW)).toEqual({ action: 'keep' });
  });

  it('when the TTL has not run out, then the reconciler waits the rest of it', () => {
    expect(ttlDecision(finished('Succeeded', { ttlSecondsAfterFinished: 600 }, '2025-05-01T09:55:00Z'), NOW)).toEqual({ action: 'wait', ms: 300_000 });
  });

  it('when it has run out, then the experiment is deleted', () => {
    expect(ttlDecision(finished('Failed', { ttlSecondsAfterFinished: 60 }, '2025-05-01T09:58:00Z'), NOW)).toEqual({ action: 'delete' });
  });

  it('when only successes expire, then a failure or an abort stays for debugging and a success goes', () => {
    const spec = { ttlSecondsAfterFinished: 60, ttlOnlyIfSucceeded: true };
    expect(ttlDecision(finished('Failed', spec, '2025-05-01T09:00:00Z'), NOW)).toEqual({ action: 'keep' });
    expect(ttlDecision(finished('Aborted', spec, '2025-05-01T09:00:00Z'), NOW)).toEqual({ action: 'keep' });
    expect(ttlDecision(finished('Succeeded', spec, '2025-05-01T09:00:00Z'), NOW)).toEqual({ action: 'delete' });
  });

  it('when the finish time is unknown, then the TTL counts from now', () => {
    expect(ttlDecision(finished('Succeeded', { ttlSecondsAfterFinished: 30 }), NOW)).toEqual({ action: 'wait', ms: 30_000 });
  });
});

describe('Given a spec changed after the runs started', () => {
  it('when the generation is the one that runs, then nothing is refused', () => {
    expect(specChangeCondition(3, 3, 'SteadyState')).toBeUndefined();
  });

  it('when it is newer, then a condition says the change applies to none of the current runs and how to change', () => {
    const refused = specChangeCondition(2, 1, 'Migrating');
    expect(refused).toMatchObject({ type: SPEC_CHANGED_CONDITION, status: 'True', reason: SPEC_CHANGED_REASON, observedGeneration: 2 });
    expect(refused?.message).toContain('while it runs');
    expect(refused?.message).toContain('applies to none of the current runs');
    expect(refused?.message).toContain('once they finish, set the annotation migrascope.io/rerun');
  });

  it("when it is a campaign's, then the way out is to recreate it: its levels are its children", () => {
    expect(specChangeCondition(2, 1, 'Running', 'campaign')?.message).toContain('delete and recreate the campaign');
  });

  it('when the experiment had finished, then the condition says so', () => {
    expect(specChangeCondition(4, 1, 'Succeeded')?.message).toContain('after the experiment finished');
    expect(specChangeCondition(4, 1, 'Succeeded')?.message).toContain('to run it with this spec, set the annotation migrascope.io/rerun to a new value');
  });

  it('then the condition joins the others without touching them', () => {
    const at = new Date('2025-05-01T10:00:00Z');
    const conditions = pendingConditions(undefined, 1, undefined, at);
    const merged = withSpecChange(conditions, specChangeCondition(2, 1, 'RampUp'), at);
    expect(merged?.map((c) => c.type)).toEqual(['Ready', 'Progressing', 'Degraded', 'Reconciling', 'Stalled', SPEC_CHANGED_CONDITION]);
    expect(withSpecChange(conditions, undefined)).toEqual(conditions);
  });
});

describe('Given an experiment waiting to start', () => {
  it('when its pool is missing, then it is Degraded with a message naming the field, not Ready, not Progressing', () => {
    const conditions = pendingConditions(undefined, 1, { reason: 'PoolNotFound', field: 'spec.poolRef.name', message: 'no XenPool "lab"' });
    const byType = Object.fromEntries(conditions.map((c) => [c.type, c]));
    expect(byType.Degraded).toMatchObject({ status: 'True', reason: 'PoolNotFound', message: 'spec.poolRef.name: no XenPool "lab"', observedGeneration: 1 });
    expect(byType.Ready?.status).toBe('False');
    expect(byType.Progressing?.status).toBe('False');
    expect(byType.Stalled).toMatchObject({ status: 'True', reason: 'PoolNotFound', message: 'spec.poolRef.name: no XenPool "lab"', observedGeneration: 1 });
    expect(byType.Reconciling?.status).toBe('False');
  });

  it('when nothing is missing, then it is Progressing and Reconciling (kstatus: InProgress), not Stalled', () => {
    const conditions = pendingConditions(undefined, 1, undefined);
    const byType = Object.fromEntries(conditions.map((c) => [c.type, c]));
    expect(byType.Progressing?.status).toBe('True');
    expect(byType.Degraded?.status).toBe('False');
    expect(byType.Reconciling).toMatchObject({ status: 'True', reason: 'Starting', observedGeneration: 1 });
    expect(byType.Stalled?.status).toBe('False');
  });
});

describe('Given a deleted experiment', () => {
  it('then the finalizer deadline counts from the deletion, not from whenever it was looked at', () => {
    expect(finalizerDeadlineMs('2025-05-01T09:59:00Z', 120_000, NOW)).toBe(Date.parse('2025-05-01T10:01:00Z'));
    expect(finalizerDeadlineMs(undefined, 120_000, NOW)).toBe(NOW + 120_000);
  });
});

describe('Given the migrascope.io/rerun annotation', () => {
  const annotations = { 'migrascope.io/rerun': 'tuesday' };

  it('when the experiment finished and the runs answer another token (or none), then a rerun is asked for with that token', () => {
    expect(rerunRequested(annotations, { phase: 'Succeeded' })).toBe('tuesday');
    expect(rerunRequested(annotations, { phase: 'Failed', rerunToken: 'monday' })).toBe('tuesday');
  });

  it('when the runs already answer it, the experiment still runs, or the token is empty, then nothing is asked for', () => {
    expect(rerunRequested(annotations, { phase: 'Succeeded', rerunToken: 'tuesday' })).toBeUndefined();
    expect(rerunRequested(annotations, { phase: 'SteadyState' })).toBeUndefined();
    expect(rerunRequested({ 'migrascope.io/rerun': '' }, { phase: 'Succeeded' })).toBeUndefined();
    expect(rerunRequested(undefined, { phase: 'Succeeded' })).toBeUndefined();
  });

  it('when the rerun clears the status, then every field of the last runs is nulled but the report address, and it starts Pending with the token', () => {
    const patch = rerunStatusPatch({ phase: 'Succeeded', runs: [], summary: {}, completionTime: 'x', reportPath: '/reports/lab/exp', rerunToken: 'monday' }, 'tuesday', 3);
    expect(patch).toMatchObject({ phase: 'Pending', runs: null, summary: null, completionTime: null, observedGeneration: 3, rerunToken: 'tuesday' });
    expect(patch).not.toHaveProperty('reportPath');
    expect(patch.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'Starting', observedGeneration: 3 })]));
  });
});
