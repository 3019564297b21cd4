// What `migrascope run` prints for an experiment whose run went through a Redis outage and lost a
// load worker: both said in words, with how long, beside the tables.
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../api/v1alpha1/index.ts';
import { describeExperiment } from './run-summary.ts';

const experiment = parseExperiment({
  apiVersion: 'migrascope.io/v1alpha1',
  kind: 'MigrationExperiment',
  metadata: { name: 'bumpy' },
  spec: {
    poolRef: { name: 'pool' },
    target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://127.0.0.1:1/' },
    workload: { users: 10, rampUp: '1s', steadyState: '10s', rampDown: '1s' },
    sla: { window: '5s', step: '1s' },
  },
});

describe('given a finished experiment whose run lost Redis for a while and a load worker', () => {
  it('when it is described, then the outage and the gap are named with their run, length and start', () => {
    const text = describeExperiment({
      experiment,
      runs: [],
      status: {
        phase: 'Succeeded',
        completedRuns: 1,
        runs: [
          {
            index: 1,
            state: 'Succeeded',
            redisOutages: [{ startTime: '2026-12-02T22:44:20.000Z', endTime: '2026-12-02T22:44:50.500Z', seconds: 30.5 }],
            loadGaps: [{ shard: 1, startTime: '2026-12-02T22:45:00.000Z', endTime: '2026-12-02T22:45:07.000Z', seconds: 7 }],
          },
        ],
      },
    });
    expect(text).toContain('run 1: Redis did not answer for 30.5s from 2026-12-02T22:44:20.000Z');
    expect(text).toContain('run 1: load shard 1 went unmeasured for 7s from 2026-12-02T22:45:00.000Z');
  });

  it('when nothing went missing, then neither is mentioned', () => {
    const text = describeExperiment({ experiment, runs: [], status: { phase: 'Succeeded', runs: [{ index: 1, state: 'Succeeded' }] } });
    expect(text).not.toMatch(/Redis|unmeasured/);
  });
});
