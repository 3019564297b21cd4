import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../api/v1alpha1/index.ts';
import { planRun, shardLoad, stageAt } from './plan.ts';
import { BASELINE_RUN, runNumbers } from './run-numbers.ts';

const experiment = parseExperiment({
  apiVersion: 'migrascope.io/v1alpha1',
  kind: 'MigrationExperiment',
  metadata: { name: 'study', namespace: 'lab' },
  spec: {
    poolRef: { name: 'pool' },
    target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://127.0.0.1:8080' },
    workload: { users: 10, drivers: 3, rampUp: '30s', steadyState: '10m', rampDown: '20s' },
    migrations: { count: 2, first: '2m', spacing: '3m' },
  },
});

describe('planRun', () => {
  const ref = { uid: 'u1', namespace: 'lab', name: 'study' };
  const plan = planRun(experiment.spec, ref, 1, 1_000_000);

  it('given a start off the second, then steady state is moved to the next whole second', () => {
    const off = planRun(experiment.spec, ref, 1, 1_000_250);
    expect(off.steadyStartMs).toBe(1_031_000);
    expect(off.startAtMs).toBe(1_001_000);
    expect(planRun(experiment.spec, ref, 1, off.startAtMs)).toEqual(off);
  });

  it('given ramp-up, steady state and ramp-down, then the stages follow each other from the start', () => {
    expect(plan.steadyStartMs).toBe(1_030_000);
    expect(plan.steadyEndMs).toBe(1_630_000);
    expect(plan.endMs).toBe(1_650_000);
  });

  it('given count, first and spacing, then migrations fall due at their offsets into steady state', () => {
    expect(plan.migrations).toEqual([
      { index: 1, offsetMs: 120_000, dueAtMs: 1_150_000, vm: 'web' },
      { index: 2, offsetMs: 300_000, dueAtMs: 1_330_000, vm: 'web' },
    ]);
  });

  it('given several VMs in sequence, then at each offset they follow one another, each after the one before', () => {
    const spec = { ...experiment.spec, migrations: { ...experiment.spec.migrations!, vms: [{ nameLabel: 'web' }, { nameLabel: 'db' }], mode: 'sequence' as const } };
    expect(planRun(spec, ref, 1, 1_000_000).migrations).toEqual([
      { index: 1, offsetMs: 120_000, dueAtMs: 1_150_000, vm: 'web' },
      { index: 2, offsetMs: 120_000, dueAtMs: 1_150_000, vm: 'db', after: 1 },
      { index: 3, offsetMs: 300_000, dueAtMs: 1_330_000, vm: 'web' },
      { index: 4, offsetMs: 300_000, dueAtMs: 1_330_000, vm: 'db', after: 3 },
    ]);
  });

  it('given several VMs together, then all fall due at the offset, none waiting for another', () => {
    const spec = { ...experiment.spec, migrations: { ...experiment.spec.migrations!, vms: [{ nameLabel: 'web' }, { uuid: '0a1b2c3d-0000-4000-8000-000000000001' }], mode: 'together' as const } };
    expect(planRun(spec, ref, 1, 1_000_000).migrations.map((m) => [m.index, m.vm, m.dueAtMs, m.after])).toEqual([
      [1, 'web', 1_150_000, undefined],
      [2, '0a1b2c3d-0000-4000-8000-000000000001', 1_150_000, undefined],
      [3, 'web', 1_330_000, undefined],
      [4, '0a1b2c3d-0000-4000-8000-000000000001', 1_330_000, undefined],
    ]);
  });

  it('given 10 users on 3 drivers, then every user is driven once', () => {
    expect(plan.shards.map((s) => s.users)).toEqual([4, 3, 3]);
  });

  it('tells the stage of an instant, edges included', () => {
    expect(stageAt(plan, 999_999)).toBe('before');
    expect(stageAt(plan, 1_000_000)).toBe('rampUp');
    expect(stageAt(plan, 1_030_000)).toBe('steady');
    expect(stageAt(plan, 1_630_000)).toBe('rampDown');
    expect(stageAt(plan, 1_650_000)).toBe('after');
  });
});

describe('shardLoad', () => {
  it('splits an open-loop rate evenly', () => {
    expect(shardLoad(4, undefined, 100).map((s) => s.rate)).toEqual([25, 25, 25, 25]);
  });
  it('never loses or invents users', () => {
    for (let users = 1; users < 50; users++) {
      for (let drivers = 1; drivers <= users; drivers++) {
        const total = shardLoad(drivers, users, undefined).reduce((sum, s) => sum + (s.users ?? 0), 0);
        expect(total).toBe(users);
      }
    }
  });
});

describe('the baseline run', () => {
  const ref = { uid: 'u1', namespace: 'lab', name: 'study' };
  const withBaseline = { ...experiment.spec, repetitions: 2, baseline: { enabled: true } };

  it('given spec.baseline, then it is run 0, before the measured runs', () => {
    expect(runNumbers(withBaseline)).toEqual([BASELINE_RUN, 1, 2]);
    expect(runNumbers({ ...withBaseline, baseline: { enabled: false } })).toEqual([1, 2]);
    expect(runNumbers({ ...withBaseline, baseline: undefined })).toEqual([1, 2]);
  });

  it('given the same start, then its plan is a measured run’s timetable and load without the migrations', () => {
    const baseline = planRun(withBaseline, ref, BASELINE_RUN, 1_000_000);
    const measured = planRun(withBaseline, ref, 1, 1_000_000);
    expect(baseline.migrations).toEqual([]);
    expect(measured.migrations).toHaveLength(2);
    expect({ ...baseline, run: 1, migrations: measured.migrations }).toEqual(measured);
  });
});
