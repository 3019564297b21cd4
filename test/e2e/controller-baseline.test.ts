// The operator runs an experiment with a baseline against a real kube-apiserver, the testbed and
// Redis: the API server takes the baseline run and its comparison into status, the testbed saw no
// migration while the baseline ran, the served report shows the baseline with its charts (its data
// read back from Redis as run 0), /metrics exports the slowdowns, and deleting the experiment
// leaves none of the baseline's jobs or keys in Redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BaselineResult, RunResult } from '../../src/api/v1alpha1/index.ts';
import type { Operator } from '../../src/controller/operator.ts';
import { loadJobId } from '../../src/queue/contracts.ts';
import { ExperimentQueues } from '../../src/queue/queues.ts';
import { at, experimentManifest, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 240_000 });

let harness: ClusterHarness;
let operator: Operator;

beforeAll(async () => {
  harness = await startClusterHarness();
  operator = await harness.startController({ metricsPort: 0 });
});
afterAll(async () => harness?.close());

describe('Given an experiment asking for a baseline run before its one run with a migration', () => {
  let finished: Json;

  beforeAll(async () => {
    const manifest = experimentManifest(harness, 'baselined', { steady: '8s', migrations: { offsets: ['3s'], destination: { policy: 'roundRobin' }, timeout: '1m' }, spec: { baseline: { enabled: true } } });
    await harness.create('MigrationExperiment', manifest);
    finished = await harness.eventually('the experiment Succeeded', async () => {
      const read = await harness.get('MigrationExperiment', 'baselined');
      const phase = at(read, 'status', 'phase');
      if (phase === 'Failed' || phase === 'Aborted') throw new Error(`ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
      return phase === 'Succeeded' ? read : undefined;
    }, 200_000);
  });

  it('when it Succeeded, then status holds the baseline run, which migrated nothing, and its comparison with the run', async () => {
    const baseline = at(finished, 'status', 'baseline') as BaselineResult;
    const runs = at(finished, 'status', 'runs') as RunResult[];
    expect(baseline.run).toMatchObject({ index: 0, state: 'Succeeded', migrations: [] });
    expect(runs.map((run) => run.index)).toEqual([1]);
    expect(at(finished, 'status', 'summary', 'runs')).toBe(1);
    expect(harness.migrations).toHaveLength(1);
    expect(Date.parse(runs[0]?.migrations?.[0]?.startTime ?? '')).toBeGreaterThan(Date.parse(baseline.run.endTime ?? ''));
    const home = baseline.actions?.find((a) => a.action === 'HomePage')?.percentiles.find((p) => p.percentile === 99);
    const inRun = runs[0]?.actions?.find((a) => a.action === 'HomePage')?.percentiles.find((p) => p.percentile === 99);
    expect(home?.meanMaxSeconds).toBe(inRun?.maxSeconds);
    expect(home?.slowdownSeconds).toBeCloseTo((inRun?.maxSeconds ?? 0) - (home?.baselineMaxSeconds ?? 0), 12);
    expect(await harness.events('baselined')).toEqual(expect.arrayContaining([expect.stringMatching(/^Normal RunStarted: the baseline run \(the same load, no migration\) starts/)]));
  });

  it('then the controller serves the report with the baseline and its charts, and /metrics the slowdowns', async () => {
    const page = await (await fetch(`${operator.metricsUrl ?? ''}${String(at(finished, 'status', 'reportPath'))}`)).text();
    expect(page).toContain('Baseline: the same load without migration');
    expect(page).toMatch(/id="baseline-run" data-run="0">[\s\S]*<svg/);
    expect(page).not.toContain('Charts unavailable');
    const metrics = await (await fetch(`${operator.metricsUrl ?? ''}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`migrascope_baseline_extra_violating_windows\\{namespace="${harness.namespace}",experiment="baselined",action="HomePage",percentile="99"\\} -?[\\d.]+`));
  });

  it('when it is deleted, then neither the baseline run’s load jobs nor its keys stay in Redis', async () => {
    const uid = at(finished, 'metadata', 'uid') as string;
    const connection = new Redis(harness.redis.url, { maxRetriesPerRequest: null });
    const queues = new ExperimentQueues({ connection, prefix: harness.prefix });
    const client = new Redis(harness.redis.url);
    try {
      const ref = { uid, namespace: harness.namespace, name: 'baselined' };
      expect(await queues.load.getJob(loadJobId(ref, 0, 0))).toBeDefined();
      await harness.remove('MigrationExperiment', 'baselined');
      await harness.eventually('the experiment gone', async () => ((await harness.get('MigrationExperiment', 'baselined')) === undefined ? true : undefined));
      expect(await queues.load.getJob(loadJobId(ref, 0, 0))).toBeUndefined();
      expect(await client.keys(`${harness.prefix}:experiment:${uid}:*`)).toEqual([]);
    } finally {
      await queues.close();
      connection.disconnect();
      client.disconnect();
    }
  });
});
