// An experiment's metric series leave the controller's /metrics when the experiment is deleted,
// by a person or by its ttlSecondsAfterFinished, at once (its finalizer forgets them), not after
// the grace period: the real kube-apiserver, the testbed, Redis, and /metrics read over HTTP as a
// scrape would. Experiments without migrations and a few seconds of steady state keep it short;
// the grace period is long so that only the deletion can explain the series going.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MigrascopeMetrics } from '../../src/metrics/index.ts';
import { at, experimentManifest, startClusterHarness, type ClusterHarness } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 240_000 });

let harness: ClusterHarness;
let metricsUrl: string;

beforeAll(async () => {
  harness = await startClusterHarness();
  const metrics = new MigrascopeMetrics({ defaultMetrics: false, seriesGraceMs: 30 * 60_000 });
  const operator = await harness.startController({ metrics, metricsPort: 0, metricsHost: '127.0.0.1' });
  metricsUrl = `${operator.metricsUrl ?? ''}/metrics`;
}, 240_000);
afterAll(async () => harness?.close());

/** The sample lines of /metrics for this experiment of the test's namespace. */
async function seriesOf(experiment: string): Promise<string[]> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  const text = await response.text();
  return text.split('\n').filter((line) => !line.startsWith('#') && line.includes(`namespace="${harness.namespace}"`) && line.includes(`experiment="${experiment}"`));
}

const phaseIs = (phase: string) => (line: string) => line.startsWith('migrascope_experiment_phase{') && line.includes(`phase="${phase}"`) && line.endsWith(' 1');

describe('Given an experiment without migrations deleted while it runs', () => {
  it('then its series are in /metrics while it runs and gone once its finalizer has run', async () => {
    await harness.create('MigrationExperiment', experimentManifest(harness, 'deleted-midrun', { migrations: null, steady: '30s' }));
    const running = await harness.eventually('its series, in steady state', async () => {
      const lines = await seriesOf('deleted-midrun');
      return lines.some(phaseIs('SteadyState')) ? lines : undefined;
    });
    expect(running).toEqual(expect.arrayContaining([expect.stringMatching(/^migrascope_actions_total\{/), expect.stringMatching(/^migrascope_migrations_total\{/)]));

    await harness.remove('MigrationExperiment', 'deleted-midrun');
    await harness.eventually('the experiment gone', async () => ((await harness.get('MigrationExperiment', 'deleted-midrun')) === undefined ? true : undefined), 60_000);
    expect(await seriesOf('deleted-midrun')).toEqual([]);
  });
});

describe('Given an experiment without migrations and a short TTL', () => {
  it('then its series stay after it succeeds (the grace period is long) and go when its TTL deletes it', async () => {
    await harness.create('MigrationExperiment', experimentManifest(harness, 'ttl-deleted', { migrations: null, steady: '4s', spec: { ttlSecondsAfterFinished: 5 } }));
    const succeeded = await harness.eventually('its final series: phase Succeeded', async () => {
      const read = await harness.get('MigrationExperiment', 'ttl-deleted');
      if (at(read, 'status', 'phase') !== 'Succeeded') return undefined;
      const lines = await seriesOf('ttl-deleted');
      return lines.some(phaseIs('Succeeded')) ? lines : undefined;
    });
    expect(succeeded).toEqual(expect.arrayContaining([expect.stringMatching(/^migrascope_actions_total\{.*result="ok"\} [1-9]/)]));

    await harness.eventually('the experiment deleted by its TTL', async () => ((await harness.get('MigrationExperiment', 'ttl-deleted')) === undefined ? true : undefined), 60_000);
    expect(await harness.events('ttl-deleted')).toEqual(expect.arrayContaining([expect.stringMatching(/^Normal TtlExpired: /)]));
    expect(await seriesOf('ttl-deleted')).toEqual([]);
  });
});
