// Campaigns over more than users, end to end on real Redis and the testbed: a sweep of the spacing
// between two migrations (the study's advice, compressed), and a grid of the testbed's VM memory
// and link bandwidth, whose levels reach the pre-copy model through XAPI's pool_migrate options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCampaign, type MigrationCampaignManifest } from '../../src/api/v1alpha1/index.ts';
import { runCampaign } from '../../src/engine/campaign-runner.ts';
import { predictPreCopy } from '../../src/testbed/precopy-model.ts';
import type { MigrationReport } from '../../src/testbed/index.ts';
import { startEngineHarness, type EngineHarness } from '../support/engine.ts';

describe('given the testbed, a local Redis and in-process workers', () => {
  let harness: EngineHarness;
  const migrations: MigrationReport[] = [];

  beforeAll(async () => {
    harness = await startEngineHarness();
    harness.testbed.migrations.on('migration', (report) => migrations.push(report));
  });
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

  it('when a campaign sweeps the spacing of two migrations, then each level migrates twice that far apart, widest first, and the recommendation names the spacing', async () => {
    const spacing = parseCampaign(campaign('spacing', { spacing: { from: '3s', to: '6s', step: '3s' } }, { count: 2, first: '1s', spacing: '5s' }, '10s'));
    const before = migrations.length;
    const status = await runCampaign(spacing, 'camp-spacing', harness.deps);

    expect(status.phase).toBe('Succeeded');
    // Easiest first: the widest spacing runs first.
    expect(status.levels?.map((level) => level.sweep)).toEqual([{ spacing: '6s' }, { spacing: '3s' }]);
    expect(status.levels?.map((level) => level.experiment)).toEqual(['spacing-sp6s', 'spacing-sp3s']);
    expect(status.levels?.every((level) => level.users === 6)).toBe(true);
    expect(migrations.length - before).toBe(4);
    for (const [index, seconds] of [6, 3].entries()) {
      const level = status.levels?.[index];
      expect(level?.phase).toBe('Succeeded');
      expect(level?.verdict).toMatch(/Pass|Fail/);
      const done = migrations.slice(before + 2 * index, before + 2 * index + 2);
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
    const before = migrations.length;
    const status = await runCampaign(grid, 'camp-grid', harness.deps);

    expect(status.phase).toBe('Succeeded');
    expect(status.levels?.map((level) => level.sweep)).toEqual([
      { vmMemory: '128MiB', linkBandwidth: '200MB/s' },
      { vmMemory: '512MiB', linkBandwidth: '200MB/s' },
    ]);
    const done = migrations.slice(before);
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
