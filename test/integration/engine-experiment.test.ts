// Experiments end to end on real Redis and the testbed: the engine queues load shards and a
// delayed migration in BullMQ, in-process workers drive the reference app and migrate the web VM
// through XAPI, and the status tells what the testbed really did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { parseCampaign, parseExperiment } from '../../src/api/v1alpha1/index.ts';
import { runCampaign } from '../../src/engine/campaign-runner.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { InvalidInputError } from '../../src/invalid/index.ts';
import type { MigrationReport } from '../../src/testbed/index.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';

describe('given the testbed, a local Redis and in-process workers', () => {
  let harness: EngineHarness;
  const migrations: MigrationReport[] = [];

  beforeAll(async () => {
    harness = await startEngineHarness();
    harness.testbed.migrations.on('migration', (report) => migrations.push(report));
  });
  afterAll(async () => harness?.close());

  it('when an experiment with one migration runs, then it goes through every phase and its status matches the testbed', async () => {
    // A light load: the probe shares this process with the load and the testbed, and its answer
    // times must reflect the guest's stall, not this process's own queue.
    const experiment = shortExperiment(harness, { name: 'one-migration', users: 10 });
    const phases: string[] = [];
    const events: string[] = [];
    const runner = new ExperimentRunner(experiment, { uid: 'exp-one', namespace: 'test', name: 'one-migration' }, harness.deps, {
      onStatus: (status) => {
        if (status.phase && phases.at(-1) !== status.phase) phases.push(status.phase);
      },
      onEvent: (event) => void events.push(event.reason),
    });
    const status: MigrationExperimentStatus = await runner.run();

    expect(phases).toEqual(['Preparing', 'RampUp', 'SteadyState', 'Migrating', 'RampDown', 'Analyzing', 'Succeeded']);
    expect(status.phase).toBe('Succeeded');
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(events).toEqual(expect.arrayContaining(['RunStarted', 'MigrationStarted', 'MigrationSucceeded', 'Succeeded']));

    expect(migrations).toHaveLength(1);
    const [done] = migrations;
    const run = status.runs?.[0];
    const migration = run?.migrations?.[0];
    expect(migration?.state).toBe('Succeeded');
    expect(migration?.source).toBe(done?.source);
    expect(migration?.destination).toBe(done?.destination);
    expect(migration?.source).not.toBe(migration?.destination);
    expect(migration?.modelDowntimeSeconds).toBeCloseTo(done?.prediction.downtimeSeconds ?? -1, 3);
    // The downtime users saw (the active probe's longest gap) is the model's, within 100 ms.
    expect(Math.abs((migration?.downtimeSeconds ?? 0) - (done?.prediction.downtimeSeconds ?? 0))).toBeLessThan(0.1);

    const actions = run?.actions ?? [];
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['HomePage', 'TagSearch', 'EventDetail']));
    for (const action of actions) expect(action.errors).toBe(0);
    expect(actions.reduce((sum, a) => sum + a.count, 0)).toBeGreaterThan(100);
    expect(status.summary?.migrations).toBe(1);
  });

  it('when the SLA breaks and the experiment says to abort on p99, then load and pending migrations stop and the evidence stays', async () => {
    const base = shortExperiment(harness, { name: 'abort', steady: '30s', window: '2s', abort: 'p99', migrations: { offsets: ['25s'], timeout: '1m' } });
    const experiment = { ...base, spec: { ...base.spec, sla: { ...base.spec.sla, thresholds: { ...base.spec.sla.thresholds, HomePage: '1ms', EventDetail: '1ms', TagSearch: '1ms' } } } };
    const before = migrations.length;
    const started = Date.now();
    const status = await new ExperimentRunner(experiment, { uid: 'exp-abort', namespace: 'test', name: 'abort' }, harness.deps).run();

    expect(status.phase).toBe('Aborted');
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SlaViolated' });
    expect(Date.now() - started).toBeLessThan(30_000);
    const run = status.runs?.[0];
    expect(run?.state).toBe('Aborted');
    expect(run?.message).toMatch(/SLA violated/);
    expect(run?.migrations?.[0]).toMatchObject({ state: 'Cancelled' });
    expect(migrations.length).toBe(before);
    expect((run?.actions ?? []).reduce((sum, a) => sum + a.count, 0)).toBeGreaterThan(0);
  });

  it('when a campaign sweeps three levels, then it tabulates each level and recommends the highest passing one', async () => {
    const web = harness.testbed.vms.find((vm) => vm.name === 'web');
    const campaign = parseCampaign({
      apiVersion: 'migrascope.io/v1alpha1',
      kind: 'MigrationCampaign',
      metadata: { name: 'sweep', namespace: 'test' },
      spec: {
        mode: 'capacity',
        sweep: { users: { from: 4, to: 12, step: 4 } },
        template: {
          spec: {
            poolRef: { name: 'pool' },
            target: { vm: { nameLabel: 'web' }, applicationUrl: web?.url },
            workload: { profile: 'olio', drivers: 2, thinkTime: { mean: '500ms' }, rampUp: '2s', steadyState: '5s', rampDown: '1s' },
            sla: { window: '3s', step: '1s' },
            pauseBetweenRuns: '0s',
          },
        },
      },
    });
    const status = await runCampaign(campaign, 'camp-1', harness.deps);

    expect(status.phase).toBe('Succeeded');
    expect(status.levels?.map((level) => level.users)).toEqual([4, 8, 12]);
    for (const level of status.levels ?? []) {
      expect(level.phase).toBe('Succeeded');
      expect(level.actions?.length).toBeGreaterThan(0);
      expect(level.verdict).toMatch(/Pass|Fail/);
    }
    const passing = (status.levels ?? []).filter((level) => level.verdict === 'Pass').map((level) => level.users);
    if (status.recommendation?.users !== undefined) expect(passing).toContain(status.recommendation.users);
    expect(status.recommendation?.message).toMatch(/users|no level/);
  });

  it('when an experiment names a percentile to abort on that it does not compute, then it is refused naming the field', () => {
    expect(() =>
      parseExperiment({
        apiVersion: 'migrascope.io/v1alpha1',
        kind: 'MigrationExperiment',
        metadata: { name: 'bad' },
        spec: {
          poolRef: { name: 'pool' },
          target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://127.0.0.1:1/' },
          workload: { users: 5, steadyState: '1m' },
          sla: { percentiles: [90], window: '30s' },
          abort: { onViolation: 'p99' },
        },
      }),
    ).toThrow(InvalidInputError);
    try {
      parseExperiment({
        apiVersion: 'migrascope.io/v1alpha1',
        kind: 'MigrationExperiment',
        metadata: { name: 'bad' },
        spec: { poolRef: { name: 'pool' }, target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://127.0.0.1:1/' }, workload: { users: 0, steadyState: '1m' } },
      });
    } catch (error) {
      expect((error as InvalidInputError).field).toBe('spec.workload.users');
    }
  });
});
