// The engine as the integration tests run it: the testbed (a small pool whose web VM fronts the
// reference app), a local Redis, BullMQ queues and in-process workers under a random key prefix,
// so tests never see each other's jobs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseExperiment, type MigrationExperiment } from '../../src/api/v1alpha1/index.ts';
import type { EngineDeps } from '../../src/engine/experiment-runner.ts';
import { startWorkers, type WorkerHost } from '../../src/engine/workers.ts';
import { testbedPoolResolver } from '../../src/local/testbed-binding.ts';
import { createLogger } from '../../src/log/index.ts';
import type { WorkerMetrics } from '../../src/metrics/index.ts';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';
import { ExperimentQueues } from '../../src/queue/queues.ts';
import { parseTopology, startTestbed, type MigrationReport, type Testbed } from '../../src/testbed/index.ts';

export interface EngineHarness {
  testbed: Testbed;
  redis: LocalRedis;
  prefix: string;
  client: Redis;
  deps: EngineDeps;
  workers: WorkerHost;
  /** The migrations the testbed performed, as they end. */
  migrations: MigrationReport[];
  /** Kills the in-process workers as a crash would (jobs abandoned), then starts new ones. */
  restartWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A pool of `hosts` hosts h1, h2, ... (three unless told: two is the pool users most often have)
 * whose web VM (192 MiB, quiet guest) migrates in about 2 s, fronting the reference app.
 */
export function engineTopology(hosts = 3): ReturnType<typeof parseTopology> {
  return parseTopology({
    pool: 'engine-test',
    credentials: { username: 'root', password: 'engine-secret' },
    tls: false,
    hosts: Array.from({ length: hosts }, (_, i) => ({ name: `h${i + 1}`, memory: '4GiB', cpus: 4, linkBandwidth: '1Gbit/s' })),
    vms: [
      {
        name: 'web',
        memory: '192MiB',
        vcpus: 1,
        host: 'h1',
        dirtyRate: '20MB/s',
        wws: '8MiB',
        model: { setup: '200ms', resumeOverhead: '400ms' },
        guest: { app: 'reference', scale: 500, seed: 7 },
        warmup: { penalty: '0ms', decay: '1s' },
      },
    ],
  });
}

/**
 * `workerMetrics`: what the in-process workers export, as `migrascope worker` does; `hosts`: the
 * pool's size. `workers: false`: none take jobs until restartWorkers() (a test whose jobs go to
 * another process first).
 */
export async function startEngineHarness(options: { workerMetrics?: WorkerMetrics; hosts?: number; workers?: boolean } = {}): Promise<EngineHarness> {
  const testbed = await startTestbed(engineTopology(options.hosts));
  const redis = await startLocalRedis();
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const log = createLogger({ level: process.env.MIGRASCOPE_TEST_LOG ?? 'silent', pretty: false });
  const resolvePool = testbedPoolResolver(testbed);
  const queues = new ExperimentQueues({ connection, prefix });
  const deps: EngineDeps = { redis: client, prefix, queues, resolvePool, log, leadMs: 1000, pollMs: 200, resultsDir: `${redis.dataDir}/results` };
  const workerOptions = { connection, redis: client, prefix, resolvePool, log, lockDurationMs: 5000, metrics: options.workerMetrics };
  const harness: EngineHarness = {
    testbed,
    redis,
    prefix,
    client,
    deps,
    workers: options.workers === false ? { close: async () => undefined } : startWorkers(workerOptions),
    migrations: [],
    async restartWorkers() {
      await harness.workers.close(true);
      harness.workers = startWorkers(workerOptions);
    },
    async close() {
      await harness.workers.close(true);
      await queues.close();
      client.disconnect();
      connection.disconnect();
      await redis.stop();
      await testbed.close();
    },
  };
  testbed.migrations.on('migration', (report) => harness.migrations.push(report));
  return harness;
}

/** A short experiment against the harness's web VM: 3 s ramp-up, `steady` of steady state, 2 s ramp-down. */
export function shortExperiment(harness: EngineHarness, overrides: { name?: string; users?: number; steady?: string; migrations?: object | undefined; window?: string; abort?: string } = {}): MigrationExperiment {
  const web = harness.testbed.vms.find((vm) => vm.name === 'web');
  return parseExperiment({
    apiVersion: 'migrascope.io/v1alpha1',
    kind: 'MigrationExperiment',
    metadata: { name: overrides.name ?? 'short', namespace: 'test' },
    spec: {
      poolRef: { name: 'pool' },
      target: { vm: { nameLabel: 'web' }, applicationUrl: web?.url ?? 'http://127.0.0.1:1/', probeUrl: `${web?.url ?? ''}/healthz` },
      workload: { profile: 'olio', users: overrides.users ?? 20, drivers: 2, thinkTime: { mean: '500ms' }, rampUp: '3s', steadyState: overrides.steady ?? '16s', rampDown: '2s' },
      sla: { window: overrides.window ?? '5s', step: '1s' },
      ...(overrides.migrations === undefined ? { migrations: { offsets: ['6s'], destination: { policy: 'roundRobin' }, timeout: '1m' } } : overrides.migrations === null ? {} : { migrations: overrides.migrations }),
      ...(overrides.abort ? { abort: { onViolation: overrides.abort } } : {}),
      pauseBetweenRuns: '1s',
    },
  });
}

/**
 * An engine with its own workers in a process of its own (test/support/engine-process.ts) running
 * `experiment` against the harness's Redis and testbed, for a test to kill as a crash would.
 */
export function spawnEngineProcess(harness: EngineHarness, experiment: MigrationExperiment, uid: string, stdout: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  const root = new URL('../../', import.meta.url).pathname;
  return spawn(`${root}node_modules/.bin/node`, [`${root}test/support/engine-process.ts`], {
    env: { ...process.env, MIGRASCOPE_ENGINE_TEST: JSON.stringify({ redisUrl: harness.redis.url, prefix: harness.prefix, xapi: harness.testbed.xapi, experiment, uid }) },
    stdio: ['ignore', stdout, 'inherit'],
  });
}
