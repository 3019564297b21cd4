import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { newHistogram } from '../recording/index.ts';
import { WorkerMetrics } from './worker-metrics.ts';

describe('Given the metrics of a worker process', () => {
  const registry = new Registry();
  const metrics = new WorkerMetrics(registry);
  afterAll(() => metrics.close());

  it('When two shards run and report, Then shards, users, actions in flight and actions by outcome add up', async () => {
    const a = metrics.shardStarted();
    const b = metrics.shardStarted();
    a.progress(10, 3);
    b.progress(5, 1);
    a.second({ second: 1, actions: { HomePage: { histogram: newHistogram(), ok: 7, errors: { timeout: 2 } } } });
    let text = await registry.metrics();
    expect(text).toContain('migrascope_worker_load_shards 2');
    expect(text).toContain('migrascope_worker_load_users 15');
    expect(text).toContain('migrascope_worker_actions_in_flight 4');
    expect(text).toContain('migrascope_worker_actions_total{action="HomePage",outcome="ok"} 7');
    expect(text).toContain('migrascope_worker_actions_total{action="HomePage",outcome="timeout"} 2');
    a.end();
    text = await registry.metrics();
    expect(text).toContain('migrascope_worker_load_shards 1');
    expect(text).toContain('migrascope_worker_load_users 5');
  });

  it('When scraped, Then the event-loop delay and the jobs of each counted queue by state are read', async () => {
    metrics.countJobs({ name: 'load', getJobCounts: async () => ({ waiting: 2, active: 1, delayed: 0, failed: 4 }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await registry.metrics();
    expect(text).toContain('migrascope_worker_queue_jobs{queue="load",state="waiting"} 2');
    expect(text).toContain('migrascope_worker_queue_jobs{queue="load",state="failed"} 4');
    expect(text).toMatch(/migrascope_worker_event_loop_delay_seconds\{percentile="99"\} [0-9.e-]+/);
  });

  it('When the worker reads its clock and declines shards, Then the offset and the declines by reason and outcome are exported', async () => {
    metrics.clockOffset(-2.5);
    metrics.shardDeclined('fairShare', 'handedBack');
    metrics.shardDeclined('clock', 'failed');
    metrics.shardDeclined('clock', 'failed');
    const text = await registry.metrics();
    expect(text).toContain('migrascope_worker_clock_offset_seconds -2.5');
    expect(text).toContain('migrascope_worker_load_shards_declined_total{reason="fairShare",outcome="handedBack"} 1');
    expect(text).toContain('migrascope_worker_load_shards_declined_total{reason="clock",outcome="failed"} 2');
  });

  it('When a migration runs, Then its progress is exported until it ends', async () => {
    const migration = metrics.migrationStarted('lab', 'study');
    migration.progress(0.4);
    expect(await registry.metrics()).toContain('migrascope_migration_progress_ratio{namespace="lab",experiment="study"} 0.4');
    expect(await registry.metrics()).toContain('migrascope_worker_migrations_running 1');
    expect(await registry.metrics()).not.toContain('migrascope_migration_data_remaining_bytes{');
    migration.end();
    expect(await registry.metrics()).not.toContain('migrascope_migration_progress_ratio{');
  });

  it("When a migration's task reports the data it still has to send, Then that is exported until it ends", async () => {
    const migration = metrics.migrationStarted('lab', 'study');
    migration.progress(0.25, 3_000_000);
    expect(await registry.metrics()).toContain('migrascope_migration_data_remaining_bytes{namespace="lab",experiment="study"} 3000000');
    migration.progress(0.5);
    expect(await registry.metrics()).toContain('migrascope_migration_data_remaining_bytes{namespace="lab",experiment="study"} 3000000');
    migration.progress(0.75, 1_000_000);
    expect(await registry.metrics()).toContain('migrascope_migration_data_remaining_bytes{namespace="lab",experiment="study"} 1000000');
    migration.end();
    expect(await registry.metrics()).not.toContain('migrascope_migration_data_remaining_bytes{');
  });
});
