// Campaigns over more than users, end to end on real Redis and the testbed: the testbed's model
// inputs refused on a pool that is not the testbed, a sweep of the spacing
// between two migrations (the study's advice, compressed), and a grid of the testbed's VM memory
// and link bandwidth, whose levels reach the pre-copy model through XAPI's pool_migrate options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCampaign, type MigrationCampaignManifest } from '../../src/api/v1alpha1/index.ts';
import { runCampaign } from '../../src/engine/campaign-runner.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { openConnection } from '../../src/xen/connection.ts';
import { predictPreCopy } from '../../src/testbed/precopy-model.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';

describe('given the testbed, a local Redis and in-process workers', () => {
  let harness: EngineHarness;
  beforeAll(async () => void (harness = await startEngineHarness()));
  afterAll(async () => harness?.close());

  function campaign(name: string, sweep: object, migrationsSpec: object, steadyState: string): MigrationCampaignManifest {
    const web = harness.testbed.vms.find((vm) => vm.name === 'web');
    return {
      apiVersion: 'migrascope.io/v1alpha1',
      kind: 'MigrationCampaign',
      metadata: { name, namespace: 'test' },
      spec: {
        mode: 'safeLoad',
        sweep,
        template: {
          spec: {
            poolRef: { name: 'pool' },
            target: { vm: { nameLabel: 'web' }, applicationUrl: web?.url ?? '' },
            workload: { profile: 'olio', users: 6, thinkTime: { mean: '500ms' }, rampUp: '1s', steadyState, rampDown: '1s' },
            sla: { window: '2s', step: '1s' },
            migrations: { ...migrationsSpec, destination: { policy: 'roundRobin' } },
            pauseBetweenRuns: '0s',
          },
        },
      },
    } as MigrationCampaignManifest;
  }

  it('when the pool does not say it is the testbed (a real pool), then an experiment setting the testbed\'s model inputs is refused before it runs', async () => {
    const connection = await openConnection({ url: harness.testbed.xapi.url, username: harness.testbed.xapi.username, password: harness.testbed.xapi.password });
    const call = (method: string, ...args: unknown[]) => connection.client.call(method, ...args);
    const [pool] = (await call('pool.get_all')) as string[];
    const description = (await call('pool.get_name_description', pool)) as string;
    try {
      // As a XenServer admin describes a production pool; no migration has left the model's key yet.
      await call('pool.set_name_description', pool, 'Production pool, rack 4');
      const base = shortExperiment(harness, { name: 'real-pool', steady: '5s', window: '2s', migrations: { offsets: ['1s'] } });
      const experiment = { ...base, spec: { ...base.spec, testbed: { vmMemory: '4GiB' } } };
      const status = await new ExperimentRunner(experiment, { uid: 'exp-real-pool', namespace: 'test', name: 'real-pool' }, harness.deps).run();
      expect(status.phase).toBe('Failed');
      expect(status.conditions?.find((c) => c.type === 'Ready')?.message).toMatch(/spec\.testbed: the pool at .* is a real XenServer \/ XCP-ng pool, where the VM's memory and the link's bandwidth are not settable/);
      expect(harness.migrations).toHaveLength(0);
    } finally {
      await call('pool.set_name_description', pool, description);
      await connection.close();
    }
  });

  it('when a campaign sweeps the spacing of two migrations, then each level migrates twice that far apart, widest first, and the recommendation names the spacing', async () => {
    const spacing = parseCampaign(campaign('spacing', { spacing: { from: '3s', to: '6s', step: '3s' } }, { count: 2, first: '1s', spacing: '5s' }, '10s'));
    const before = harness.migrations.length;
    const status = await runCampaign(spacing, 'camp-spacing', harness.deps);

    expect(status.phase).toBe('Succeeded');
    // Easiest first: the widest spacing runs first.
    expect(status.levels?.map((level) => level.sweep)).toEqual([{ spacing: '6s' }, { spacing: '3s' }]);
    expect(status.levels?.map((level) => level.experiment)).toEqual(['spacing-sp6s', 'spacing-sp3s']);
    expect(status.levels?.every((level) => level.users === 6)).toBe(true);
    expect(harness.migrations.length - before).toBe(4);
    for (const [index, seconds] of [6, 3].entries()) {
      const level = status.levels?.[index];
      expect(level?.phase).toBe('Succeeded');
      expect(level?.verdict).toMatch(/Pass|Fail/);
      const done = harness.migrations.slice(before + 2 * index, before + 2 * index + 2);
      expect(done).toHaveLength(2);
      // The second migration started `spacing` after the first (the queue's delay, within a second).
      const starts = done.map((report) => report.timeline.startedAt);
      expect(Math.abs((starts[1]! - starts[0]!) / 1000 - seconds)).toBeLessThan(1);
    }
    expect(status.recommendation?.field).toBe('spacing');
    expect(status.recommendation?.message).toMatch(/migrations spaced at least (6s|3s) apart keeping the p99 SLA|no level kept/);
  }, 90_000);

  it('when a campaign sweeps the testbed VM memory across a link bandwidth (a grid), then each migration follows the pre-copy model of that level\'s inputs', async () => {
    const grid = parseCampaign(
      campaign('model-grid', { vmMemory: { values: ['128MiB', '512MiB'] }, linkBandwidth: { values: ['200MB/s'] } }, { count: 1, first: '1s' }, '6s'),
    );
    const before = harness.migrations.length;
    const status = await runCampaign(grid, 'camp-grid', harness.deps);

    expect(status.phase).toBe('Succeeded');
    expect(status.levels?.map((level) => level.sweep)).toEqual([
      { vmMemory: '128MiB', linkBandwidth: '200MB/s' },
      { vmMemory: '512MiB', linkBandwidth: '200MB/s' },
    ]);
    const done = harness.migrations.slice(before);
    expect(done).toHaveLength(2);
    for (const [index, memoryBytes] of [128 * 1024 ** 2, 512 * 1024 ** 2].entries()) {
      const prediction = done[index]!.prediction;
      // The testbed's web VM (dirty rate 20 MB/s, wws 8 MiB, setup 200 ms, resume 400 ms) with this level's memory and link.
      const expected = predictPreCopy({ memoryBytes, bandwidthBytesPerSecond: 200e6, dirtyRateBytesPerSecond: 20e6, writableWorkingSetBytes: 8 * 1024 ** 2, setupMs: 200, resumeOverheadMs: 400 });
      expect(prediction.totalSeconds).toBeCloseTo(expected.totalSeconds, 6);
      const recorded = status.levels?.[index]?.meanMigrationSeconds ?? 0;
      expect(Math.abs(recorded - expected.totalSeconds)).toBeLessThan(1);
    }
    // Four times the memory over the same link: a longer migration.
    expect(done[1]!.prediction.totalSeconds).toBeGreaterThan(done[0]!.prediction.totalSeconds + 1);
    // Rows: the memory; columns: the bandwidth (the field the recommendation reads along).
    expect(status.recommendation?.field).toBe('linkBandwidth');
    expect(status.recommendation?.rows?.map((row) => row.row)).toEqual([{ vmMemory: '128MiB' }, { vmMemory: '512MiB' }]);
  }, 60_000);
});
