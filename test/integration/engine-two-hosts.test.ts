// A two-host pool, the one users most often have and the study's own: with no third host to go
// to, the automatic policies alternate the VM between the two hosts, migration after migration
// within a run and run after run (docs/resources.md, Migrations). Real Redis, the testbed's XAPI,
// the engine's workers; the testbed's own reports say where the VM really went.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import type { MigrationReport } from '../../src/testbed/index.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';

describe('given a testbed pool of two hosts, a local Redis and in-process workers', () => {
  let harness: EngineHarness;
  const migrations: MigrationReport[] = [];

  beforeAll(async () => {
    harness = await startEngineHarness({ hosts: 2 });
    harness.testbed.migrations.on('migration', (report) => migrations.push(report));
  });
  afterAll(async () => harness?.close());

  it('when an experiment of two runs migrates twice per run round-robin, then every migration succeeds and the VM alternates between the hosts', async () => {
    const base = shortExperiment(harness, { name: 'two-hosts', users: 6, steady: '14s', migrations: { offsets: ['3s', '9s'], destination: { policy: 'roundRobin' }, timeout: '1m' } });
    const experiment = { ...base, spec: { ...base.spec, repetitions: 2 } };
    const status = await new ExperimentRunner(experiment, { uid: 'exp-two-hosts', namespace: 'test', name: 'two-hosts' }, harness.deps).run();

    expect(status.phase).toBe('Succeeded');
    const recorded = (status.runs ?? []).flatMap((run) => run.migrations ?? []);
    expect(recorded.map((migration) => migration.state)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    const hops = ['h1 -> h2', 'h2 -> h1', 'h1 -> h2', 'h2 -> h1'];
    expect(recorded.map((migration) => `${migration.source} -> ${migration.destination}`)).toEqual(hops);
    expect(migrations.map((report) => `${report.source} -> ${report.destination}`)).toEqual(hops);
    expect(status.summary?.migrations).toBe(4);
  });
});
