// The metrics of a real run as Prometheus scrapes them: a short testbed experiment with one
// migration, the engine's metrics and a worker's /metrics (what `migrascope worker` serves) both
// scraped by a real Prometheus (Debian's). The experiment's series exist from its start at zero,
// so increase() sees its only migration; they go once the run is over and the grace period ends.
// The worker's data remaining of the migration falls as the testbed's task reports it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { MigrascopeMetrics, startMetricsServer, WorkerMetrics, type MetricsServer } from '../../src/metrics/index.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';
import { freePort, startProcess, temporaryDirectory, waitFor, type RunningProcess } from '../support/processes.ts';

const GRACE_MS = 8_000;

describe('given a testbed run whose engine and worker metrics a real Prometheus scrapes every second', () => {
  const engineMetrics = new MigrascopeMetrics({ defaultMetrics: false, seriesGraceMs: GRACE_MS });
  const workerRegistry = new MigrascopeMetrics({ defaultMetrics: false });
  const workerMetrics = new WorkerMetrics(workerRegistry.registry);
  let harness: EngineHarness;
  let engineServer: MetricsServer;
  let workerServer: MetricsServer;
  let prometheus: RunningProcess;
  let prometheusUrl: string;

  async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    return body.data?.result ?? [];
  }

  beforeAll(async () => {
    harness = await startEngineHarness({ workerMetrics });
    harness.deps.metrics = engineMetrics;
    engineServer = await startMetricsServer({ registry: engineMetrics.registry });
    workerServer = await startMetricsServer({ registry: workerRegistry.registry });
    const dir = await temporaryDirectory('prometheus');
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    const config = join(dir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: controller',
        '    honor_labels: true',
        `    static_configs: [{ targets: ['127.0.0.1:${engineServer.port}'] }]`,
        '  - job_name: worker',
        '    honor_labels: true',
        `    static_configs: [{ targets: ['127.0.0.1:${workerServer.port}'] }]`,
      ].join('\n'),
    );
    prometheus = startProcess('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { cleanup: [dir] });
    await waitFor('Prometheus to scrape both targets', async () => (await query('up == 1').catch(() => [])).length === 2, 60_000, () => prometheus.output());
  });

  afterAll(async () => {
    await prometheus?.stop();
    await harness?.close();
    await engineServer?.close();
    await workerServer?.close();
    workerMetrics.close();
  });

  it('when the run goes on and ends, then Prometheus sees the worker at work, the first migration from zero, and the experiment series go after the grace period', async () => {
    const experiment = shortExperiment(harness, { name: 'scraped', users: 10, steady: '20s' });
    const seenWhileRunning = new Set<string>();
    let running = true;
    const watching = (async () => {
      while (running) {
        if ((await query('migrascope_worker_load_users > 0')).length > 0) seenWhileRunning.add('users');
        if ((await query('migrascope_worker_load_shards > 0')).length > 0) seenWhileRunning.add('shards');
        if ((await query('sum(migrascope_worker_queue_jobs{state="active"}) > 0')).length > 0) seenWhileRunning.add('active jobs');
        if ((await query('migrascope_experiment_phase{experiment="scraped",phase="RampUp"} == 1')).length > 0) seenWhileRunning.add('phase');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    // The migration's data remaining as the worker exports it, sampled in process (the task is read every 250 ms).
    const remaining: number[] = [];
    const sampling = setInterval(() => {
      void workerMetrics.migrationDataRemaining.get().then(({ values }) => {
        const sample = values.find((value) => value.labels.experiment === 'scraped' && value.labels.namespace === 'test');
        if (sample && sample.value !== remaining.at(-1)) remaining.push(sample.value);
      });
    }, 20);
    const status: MigrationExperimentStatus = await new ExperimentRunner(experiment, { uid: 'exp-scraped', namespace: 'test', name: 'scraped' }, harness.deps).run();
    running = false;
    clearInterval(sampling);
    await watching;
    // Read from the testbed task's other_config by the xen adapter: it fell while the migration ran, and went with it.
    expect(remaining.length).toBeGreaterThanOrEqual(3);
    expect(remaining).toEqual([...remaining].sort((a, b) => b - a));
    expect(remaining[0]).toBeGreaterThan(0);
    expect((await workerMetrics.migrationDataRemaining.get()).values).toEqual([]);
    expect(status.phase).toBe('Succeeded');
    expect([...seenWhileRunning].sort()).toEqual(['active jobs', 'phase', 'shards', 'users']);

    // What the run left, before the grace period is over: the threshold line, the response-time
    // histogram, the migration's duration and downtime.
    const text = await engineMetrics.registry.metrics();
    expect(text).toContain('migrascope_sla_threshold_seconds{namespace="test",experiment="scraped",action="HomePage"} 1');
    expect(text).toMatch(/migrascope_action_duration_seconds_count\{namespace="test",experiment="scraped",action="HomePage"\} [1-9]/);
    expect(text).toContain('migrascope_migrations_total{namespace="test",experiment="scraped",result="succeeded"} 1');
    expect(text).toContain('migrascope_migrations_in_running_phase{namespace="test",experiment="scraped"} 0');
    expect(text).toMatch(/migrascope_migration_downtime_seconds_count\{namespace="test",experiment="scraped",source="client"\} 1/);
    const workerText = await workerRegistry.registry.metrics();
    expect(workerText).toMatch(/migrascope_worker_actions_total\{action="HomePage",outcome="ok"\} [1-9]/);
    expect(workerText).toMatch(/migrascope_worker_event_loop_delay_seconds\{percentile="99"\}/);

    // The only migration, as an alert's increase() sees it: the series was there at 0 before it.
    await waitFor(
      'increase() to see the one migration',
      async () => (await query('increase(migrascope_migrations_total{experiment="scraped",result="succeeded"}[2m]) > 0')).length === 1,
      30_000,
    );
    const p90 = await query('histogram_quantile(0.9, sum by (le) (migrascope_action_duration_seconds_bucket{experiment="scraped"}))');
    expect(Number(p90[0]?.value[1])).toBeGreaterThan(0);

    await waitFor(
      'the experiment series to go from /metrics and from Prometheus',
      async () => !(await engineMetrics.registry.metrics()).includes('experiment="scraped"') && (await query('{experiment="scraped"}')).length === 0,
      GRACE_MS + 60_000,
      () => prometheus.output(),
    );
    expect((await engineMetrics.registry.metrics()).includes('experiment="scraped"')).toBe(false);
  });
});
