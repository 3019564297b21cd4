import { describe, expect, it } from 'vitest';
import { experimentConditions } from './conditions.ts';

const table = (list: ReturnType<typeof experimentConditions>) => list.map((c) => [c.type, c.status, c.reason, c.observedGeneration]);

describe('experimentConditions', () => {
  it('given a failure, then Ready and Progressing are False, Degraded and Stalled True with the reason, Reconciling False', () => {
    const list = experimentConditions([], { kind: 'failed', reason: 'MigrationFailed', message: 'host full', generation: 3 });
    expect(table(list)).toEqual([
      ['Ready', 'False', 'MigrationFailed', 3],
      ['Progressing', 'False', 'MigrationFailed', 3],
      ['Degraded', 'True', 'MigrationFailed', 3],
      ['Reconciling', 'False', 'AsExpected', 3],
      ['Stalled', 'True', 'MigrationFailed', 3],
    ]);
    expect(list.find((c) => c.type === 'Stalled')?.message).toBe('host full');
  });

  it('given success, then Ready is True and nothing is degraded, reconciling or stalled', () => {
    const list = experimentConditions([], { kind: 'succeeded', reason: 'Succeeded', message: 'done' });
    expect(list.map((c) => c.status)).toEqual(['True', 'False', 'False', 'False', 'False']);
    expect(list.every((c) => c.observedGeneration === undefined)).toBe(true);
  });

  it('given a run under way, then Progressing and Reconciling are True with its reason and message', () => {
    const list = experimentConditions([], { kind: 'progressing', reason: 'Migrating', message: 'migration 1 of 2', generation: 1 });
    expect(table(list).filter(([, status]) => status === 'True')).toEqual([
      ['Progressing', 'True', 'Migrating', 1],
      ['Reconciling', 'True', 'Migrating', 1],
    ]);
    expect(list.find((c) => c.type === 'Reconciling')?.message).toBe('migration 1 of 2');
  });

  it('given an aborted run, then it is Stalled but not Degraded: it stopped on purpose and will not finish', () => {
    const list = experimentConditions([], { kind: 'aborted', reason: 'SlaViolated', message: 'stopped', generation: 2 });
    expect(table(list).filter(([, status]) => status === 'True')).toEqual([['Stalled', 'True', 'SlaViolated', 2]]);
  });

  it('given a run that finishes, then Reconciling moves to False at that time and Stalled keeps its time', () => {
    const started = new Date('2025-05-01T10:00:00Z');
    const ended = new Date('2025-05-01T10:20:00Z');
    const running = experimentConditions([], { kind: 'progressing', reason: 'RampUp', message: 'ramping up', generation: 1 }, started);
    const done = experimentConditions(running, { kind: 'succeeded', reason: 'Succeeded', message: 'done', generation: 1 }, ended);
    const at = (type: string) => done.find((c) => c.type === type)?.lastTransitionTime;
    expect([at('Reconciling'), at('Stalled')]).toEqual([ended.toISOString(), started.toISOString()]);
  });
});
