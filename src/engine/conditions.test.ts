import { describe, expect, it } from 'vitest';
import { experimentConditions } from './conditions.ts';

describe('experimentConditions', () => {
  it('given a failure, then Ready is False, Progressing False and Degraded True with the reason', () => {
    const list = experimentConditions([], { kind: 'failed', reason: 'MigrationFailed', message: 'host full', generation: 3 });
    expect(list.map((c) => [c.type, c.status, c.reason, c.observedGeneration])).toEqual([
      ['Ready', 'False', 'MigrationFailed', 3],
      ['Progressing', 'False', 'MigrationFailed', 3],
      ['Degraded', 'True', 'MigrationFailed', 3],
    ]);
  });
  it('given success, then Ready is True and nothing is degraded', () => {
    const list = experimentConditions([], { kind: 'succeeded', reason: 'Succeeded', message: 'done' });
    expect(list.map((c) => c.status)).toEqual(['True', 'False', 'False']);
  });
});
