// What a GitOps tool's edits do, on a real kube-apiserver with the controller, the testbed and
// Redis: a finished experiment whose spec changes says so and keeps its results until the
// migrascope.io/rerun annotation takes a new value, then runs again with the new spec (no
// delete-and-recreate, so Argo CD or Flux never fights the controller over the object); the same
// token applied again runs nothing; a campaign changed while it runs keeps the spec it started
// with and says how to change it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OLIO_ACTIONS } from '../../src/api/v1alpha1/index.ts';
import { kstatus } from '../support/kstatus.ts';
import { at, condition, experimentManifest, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

let harness: ClusterHarness;

beforeAll(async () => {
  harness = await startClusterHarness();
  await harness.startController();
});
afterAll(async () => harness?.close());

async function finished(kind: 'MigrationExperiment' | 'MigrationCampaign', name: string, after?: (read: Json | undefined) => boolean): Promise<Json> {
  return harness.eventually(
    `${name} finished`,
    async () => {
      const read = await harness.get(kind, name);
      const phase = at(read, 'status', 'phase');
      return ['Succeeded', 'Failed', 'Aborted'].includes(String(phase)) && (after?.(read) ?? true) ? read : undefined;
    },
    150_000,
  );
}

describe('Given an experiment that ran to Succeeded', () => {
  let migrationsBefore = 0;

  beforeAll(async () => {
    await harness.create('MigrationExperiment', experimentManifest(harness, 'rerun-me', { steady: '6s', migrations: { offsets: ['2s'], destination: { policy: 'roundRobin' }, timeout: '1m' } }));
    const done = await finished('MigrationExperiment', 'rerun-me');
    expect(at(done, 'status', 'phase')).toBe('Succeeded');
    migrationsBefore = harness.migrations.length;
  }, 180_000);

  it('when its spec changes in git, then it keeps its results and says how to run the new spec, and kstatus still reads it Current', async () => {
    await harness.patch('MigrationExperiment', 'rerun-me', { spec: { workload: { steadyState: '10s' } } });
    const changed = await harness.eventually('SpecChanged', async () => {
      const read = await harness.get('MigrationExperiment', 'rerun-me');
      return condition(read, 'SpecChanged')?.observedGeneration === 2 ? read : undefined;
    });
    expect(condition(changed, 'SpecChanged')?.message).toContain('to run it with this spec, set the annotation migrascope.io/rerun to a new value');
    expect(at(changed, 'status', 'phase')).toBe('Succeeded');
    expect(at(changed, 'status', 'summary', 'migrations')).toBe(1);
    expect((await kstatus([changed]))[0]?.status).toBe('Current');
    expect(harness.migrations.length).toBe(migrationsBefore);
  });

  it('when the rerun annotation gets a value, then it runs again with the new spec, once, and records the token', async () => {
    await harness.patch('MigrationExperiment', 'rerun-me', { metadata: { annotations: { 'migrascope.io/rerun': 'after-edit' } } });
    const again = await finished('MigrationExperiment', 'rerun-me', (read) => at(read, 'status', 'rerunToken') === 'after-edit' && at(read, 'status', 'observedGeneration') === 2);
    expect(at(again, 'status', 'phase')).toBe('Succeeded');
    expect(at(again, 'status', 'summary', 'migrations')).toBe(1);
    expect(at(again, 'status', 'runs')).toHaveLength(1);
    // The new spec's 10 s of steady state (then 2 s of ramp-down), not the 6 s it first ran with.
    const run = at(again, 'status', 'runs', 0) as { steadyStateStartTime: string; endTime: string };
    expect(Date.parse(run.endTime) - Date.parse(run.steadyStateStartTime)).toBeGreaterThanOrEqual(10_000);
    expect(condition(again, 'SpecChanged')).toBeUndefined();
    expect(condition(again, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(harness.migrations.length).toBe(migrationsBefore + 1);
    expect(await harness.events('rerun-me')).toEqual(expect.arrayContaining([expect.stringMatching(/^Normal Rerun: migrascope.io\/rerun: after-edit: running again with generation 2; the last runs ended Succeeded/)]));
  }, 180_000);

  it('when the same token is applied again (a GitOps resync), then nothing runs', async () => {
    await harness.patch('MigrationExperiment', 'rerun-me', { metadata: { labels: { resynced: 'yes' }, annotations: { 'migrascope.io/rerun': 'after-edit' } } });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const read = await harness.get('MigrationExperiment', 'rerun-me');
    expect(at(read, 'status', 'phase')).toBe('Succeeded');
    expect(harness.migrations.length).toBe(migrationsBefore + 1);
  });
});

describe('Given an experiment created with a rerun token already set', () => {
  it('when it finishes, then the token is its first run, and no second run follows', async () => {
    const manifest = experimentManifest(harness, 'born-with-token', { steady: '5s', migrations: null });
    await harness.create('MigrationExperiment', { ...manifest, metadata: { name: 'born-with-token', annotations: { 'migrascope.io/rerun': 'v1' } } });
    const done = await finished('MigrationExperiment', 'born-with-token');
    expect(at(done, 'status', 'rerunToken')).toBe('v1');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await harness.events('born-with-token')).not.toEqual(expect.arrayContaining([expect.stringMatching(/Rerun/)]));
    expect(at(await harness.get('MigrationExperiment', 'born-with-token'), 'status', 'phase')).toBe('Succeeded');
  }, 120_000);
});

describe('Given a campaign of two levels whose spec changes while its first level runs', () => {
  it('then it keeps the levels it started with, says to recreate it to change them, and finishes them', async () => {
    const { spec } = experimentManifest(harness, 'template', { steady: '5s', migrations: null }) as { spec: Json };
    const { workload, ...template } = spec;
    const { users: _users, ...withoutUsers } = workload as Json;
    const thresholds = Object.fromEntries(OLIO_ACTIONS.map((action) => [action, '60s']));
    await harness.create('MigrationCampaign', {
      metadata: { name: 'edited' },
      spec: { mode: 'capacity', template: { spec: { ...template, workload: withoutUsers, sla: { ...(template.sla as Json), thresholds } } }, sweep: { users: { from: 10, to: 20, step: 10 } } },
    });
    await harness.eventually('the first level running', async () => ((await harness.get('MigrationExperiment', 'edited-10u')) ? true : undefined));
    await harness.patch('MigrationCampaign', 'edited', { spec: { sweep: { users: { from: 10, to: 30, step: 10 } } } });
    const refused = await harness.eventually('SpecChanged', async () => condition(await harness.get('MigrationCampaign', 'edited'), 'SpecChanged'));
    expect(refused.message).toContain('delete and recreate the campaign');
    const done = await finished('MigrationCampaign', 'edited');
    expect(at(done, 'status', 'phase')).toBe('Succeeded');
    expect((at(done, 'status', 'levels') as Json[]).map((level) => level.users)).toEqual([10, 20]);
    expect(await harness.get('MigrationExperiment', 'edited-30u')).toBeUndefined();
  }, 180_000);
});
