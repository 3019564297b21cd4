import { describe, expect, it } from 'vitest';
import { migrationInstants } from './input.ts';

describe('migrationInstants', () => {
  it('reads the instants of a migration from its status, and the downtime bounds from what the clients saw', () => {
    const instants = migrationInstants(
      { index: 2, state: 'Succeeded', source: 'h1', destination: 'h2', startTime: '2026-12-03T09:00:00.000Z', endTime: '2026-12-03T09:00:44.000Z', durationSeconds: 44, downtimeSeconds: 3.2, modelDowntimeSeconds: 2.97 },
      { downtimeStartMs: 1_000, downtimeEndMs: 4_200 },
    );
    expect(instants).toEqual({
      index: 2,
      state: 'Succeeded',
      source: 'h1',
      destination: 'h2',
      startMs: Date.parse('2026-12-03T09:00:00.000Z'),
      endMs: Date.parse('2026-12-03T09:00:44.000Z'),
      durationSeconds: 44,
      downtimeSeconds: 3.2,
      modelDowntimeSeconds: 2.97,
      downtimeStartMs: 1_000,
      downtimeEndMs: 4_200,
    });
  });

  it('leaves out what is not known yet: a pending migration has its index and state only', () => {
    expect(migrationInstants({ index: 1, state: 'Pending' })).toEqual({ index: 1, state: 'Pending' });
    expect(migrationInstants({ index: 1, state: 'Running', startTime: '2026-12-03T09:00:00.000Z' }, undefined)).toEqual({ index: 1, state: 'Running', startMs: Date.parse('2026-12-03T09:00:00.000Z') });
  });
});
