// Experiments end to end on real Redis and the testbed: the engine queues load shards and a
// delayed migration in BullMQ, in-process workers drive the reference app and migrate the web VM
// through XAPI, and the status tells what the testbed really did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
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
    const experiment = shortExperiment(harness, { name: 'one-migration' });
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
});
