// Fifty experiments at once on one controller and two `migrascope worker` processes against the
// testbed: every one reaches Succeeded with its one migration recorded exactly once, both workers
// took a share of the jobs, every migration started while its run's users were in steady state (not
// late for want of a worker slot), and nothing is left behind (the controller's work queues empty,
// no BullMQ job waiting, active or failed). Each experiment migrates its own small VM; the VMs'
// guests all front one reference app, spread over ten hosts that have the memory and links for them.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MigrascopeMetrics } from '../../src/metrics/index.ts';
import { ExperimentQueues } from '../../src/queue/queues.ts';
import { startReferenceApp, type ReferenceApp } from '../../src/testbed/app/index.ts';
import { parseTopology } from '../../src/testbed/index.ts';
import { waitFor, type RunningProcess } from '../support/processes.ts';
import { at, startClusterHarness, startMigrascope, type ClusterHarness, type Json } from './controller-cluster.ts';

const EXPERIMENTS = 50;
// Ten hosts: on three, 32 migrations at once (two workers' slots) shared each host's 1 Gbit/s
// link ten ways, and the model's pre-copy (5 MB/s dirtied) no longer converged within a minute.
const HOSTS = 10;
/** The runs' ramp-up, steady state and migration offset (shortExperiment), in ms. */
const RAMP_UP_MS = 3000;
const STEADY_MS = 30_000;
const OFFSET_MS = 5000;
// Fifty runs of 35 s take 45-75 s on the loaded 2-core machine; the bounds leave room for a slower one.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

let app: ReferenceApp;
let harness: ClusterHarness;
const metrics = new MigrascopeMetrics({ defaultMetrics: false });
const workers: RunningProcess[] = [];

const vmName = (i: number) => `vm-${String(i).padStart(2, '0')}`;

/** Fifty 128 MiB VMs, round-robin over ten 4 GiB hosts: room beside the control domain's 1 GiB for the five of each and the many that may arrive at once. */
function fiftyVmTopology(appUrl: string) {
  return parseTopology({
    pool: 'fifty',
    credentials: { username: 'root', password: 'fifty-secret' },
    tls: false,
    hosts: Array.from({ length: HOSTS }, (_, i) => ({ name: `h${i + 1}`, memory: '4GiB', cpus: 8, linkBandwidth: '1Gbit/s' })),
    vms: Array.from({ length: EXPERIMENTS }, (_, i) => ({
      name: vmName(i),
      memory: '128MiB',
      vcpus: 1,
      host: `h${(i % HOSTS) + 1}`,
      dirtyRate: '5MB/s',
      wws: '4MiB',
      model: { setup: '200ms', resumeOverhead: '200ms' },
      guest: { url: appUrl },
    })),
  });
}

/** A short run: 4 users for 3 s + 30 s + 2 s, one migration 5 s into steady state. */
function shortExperiment(i: number): Json {
  const url = harness.testbed.vms.find((vm) => vm.name === vmName(i))?.url;
  if (!url) throw new Error(`the testbed has no guest proxy for ${vmName(i)}`);
  return {
    metadata: { name: `fifty-${String(i).padStart(2, '0')}` },
    spec: {
      poolRef: { name: 'pool' },
      target: { vm: { nameLabel: vmName(i) }, applicationUrl: url, probeUrl: `${url}/healthz` },
      workload: { profile: 'olio', users: 4, drivers: 1, thinkTime: { mean: '1s' }, rampUp: `${RAMP_UP_MS / 1000}s`, steadyState: `${STEADY_MS / 1000}s`, rampDown: '2s' },
      sla: { window: '4s', step: '1s' },
      migrations: { offsets: [`${OFFSET_MS / 1000}s`], destination: { policy: 'roundRobin' }, timeout: '1m' },
    },
  };
}

function startWorker(): RunningProcess {
  return startMigrascope(harness, 'worker');
}

/** A worker's /metrics URL, from its "worker started" log line. */
async function metricsUrlOf(worker: RunningProcess): Promise<string> {
  let url: string | undefined;
  await waitFor(
    'the worker started',
    async () => (url = /"metrics":"(http:\/\/[^"]+)"/.exec(worker.output())?.[1]) !== undefined,
    30_000,
    () => worker.output(),
  );
  return url!;
}

/** The sum of a counter's samples in a Prometheus text page, over the lines matching `series`. */
function total(page: string, series: RegExp): number {
  return page
    .split('\n')
    .filter((line) => series.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  app = await startReferenceApp({ scale: 500, seed: 7 });
  harness = await startClusterHarness({ topology: fiftyVmTopology(app.url) });
  await harness.stopWorkers();
  workers.push(startWorker(), startWorker());
  await harness.startController({ metrics });
});
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await harness?.close();
  await app?.close();
});

describe('Given fifty short experiments created at once, one controller and two worker processes', () => {
  it('then all fifty succeed, each migrating its VM exactly once, both workers share the jobs, and nothing is left queued', async () => {
    const started = Date.now();
    await Promise.all(Array.from({ length: EXPERIMENTS }, (_, i) => harness.create('MigrationExperiment', shortExperiment(i))));

    const finished = await harness.eventually(
      'all fifty Succeeded',
      async () => {
        const items = await harness.list('MigrationExperiment');
        const ended = items.filter((item) => ['Failed', 'Aborted'].includes(String(at(item, 'status', 'phase'))));
        if (ended.length > 0) throw new Error(`${ended.length} ended badly, e.g. ${JSON.stringify(at(ended[0], 'status'))}`);
        return items.length === EXPERIMENTS && items.every((item) => at(item, 'status', 'phase') === 'Succeeded') ? items : undefined;
      },
      240_000,
    );
    const wallSeconds = (Date.now() - started) / 1000;
    const starts = finished.map((item) => Date.parse(String(at(item, 'status', 'runs', 0, 'startTime'))) - started).sort((a, b) => a - b);
    harness.log.info({ wallSeconds, firstRunStartMs: starts[0], lastRunStartMs: starts.at(-1) }, 'fifty experiments succeeded');

    // Each migration started while its run's users were in steady state: a migration that waited
    // for a free worker slot past the end of the load would measure nothing anyone asked for.
    const late = finished.map((item) => {
      const runStart = Date.parse(String(at(item, 'status', 'runs', 0, 'startTime')));
      const migrationStart = Date.parse(String(at(item, 'status', 'runs', 0, 'migrations', 0, 'startTime')));
      return { name: at(item, 'metadata', 'name'), lateMs: migrationStart - (runStart + RAMP_UP_MS + OFFSET_MS), leftMs: runStart + RAMP_UP_MS + STEADY_MS - migrationStart };
    });
    harness.log.info({ latestMigrationLateMs: Math.max(...late.map((entry) => entry.lateMs)) }, 'migrations against their offsets');
    expect(late.filter((entry) => entry.leftMs <= 0)).toEqual([]);

    // Exactly one migration per VM, each the one its experiment recorded.
    expect(harness.migrations).toHaveLength(EXPERIMENTS);
    expect(new Set(harness.migrations.map((m) => m.vm)).size).toBe(EXPERIMENTS);
    for (const item of finished) {
      expect(at(item, 'status', 'summary')).toMatchObject({ runs: 1, migrations: 1 });
      const recorded = at(item, 'status', 'runs', 0, 'migrations') as Json[];
      expect(recorded).toHaveLength(1);
      const vm = at(item, 'spec', 'target', 'vm', 'nameLabel');
      const done = harness.migrations.filter((m) => m.vm === vm);
      expect(done).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ state: 'Succeeded', source: done[0]!.source, destination: done[0]!.destination });
    }

    // Both workers drove users (the actions their shards completed, on each one's /metrics).
    for (const worker of workers) {
      const page = await (await fetch(`${await metricsUrlOf(worker)}/metrics`)).text();
      expect(total(page, /^migrascope_worker_actions_total\{[^}]*outcome="ok"/)).toBeGreaterThan(0);
    }

    // Nothing stuck: the controller's work queues drained, no BullMQ job waiting, active, delayed or failed.
    // (A XenPool's periodic recheck may be under way at any one scrape: polled until a quiet moment.)
    await harness.eventually('the work queues empty', async () => {
      const depth = (await metrics.workqueueDepth.get()).values;
      const unfinished = (await metrics.workqueueUnfinishedWork.get()).values;
      return [...depth, ...unfinished].every((sample) => sample.value === 0) ? true : undefined;
    }, 20_000);
    const connection = new Redis(harness.redis.url, { maxRetriesPerRequest: null });
    const queues = new ExperimentQueues({ connection, prefix: harness.prefix });
    try {
      for (const queue of [queues.load, queues.migration]) {
        expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children')).toEqual({
          waiting: 0,
          active: 0,
          delayed: 0,
          failed: 0,
          prioritized: 0,
          'waiting-children': 0,
        });
      }
    } finally {
      await queues.close();
      connection.disconnect();
    }
  });
});
