// The engine as the integration tests run it: the testbed (a small pool whose web VM fronts the
// reference app), a local Redis, BullMQ queues and in-process workers under a random key prefix,
// so tests never see each other's jobs; or the same on a Redis Cluster or Sentinel set of the test's.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { parseExperiment, type MigrationExperiment, type MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner, type EngineDeps } from '../../src/engine/experiment-runner.ts';
import { startWorkers, type WorkerHost } from '../../src/engine/workers.ts';
import { testbedPoolResolver } from '../../src/local/testbed-binding.ts';
import { createLogger } from '../../src/log/index.ts';
import type { WorkerMetrics } from '../../src/metrics/index.ts';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';
import { createRedisClient, type RedisClient } from '../../src/queue/redis-connection.ts';
import type { ExperimentRef, MigrationJobData } from '../../src/queue/contracts.ts';
import { ExperimentQueues } from '../../src/queue/queues.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { parseTopology, startTestbed, type MigrationReport, type Testbed, type TopologyConfig } from '../../src/testbed/index.ts';

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
 * whose web VM (192 MiB, quiet guest) migrates in about 2 s, fronting the reference app; and
 * `more` VMs as a topology file writes them, the web's guest another way (its data in one of them).
 */
export function engineTopology(hosts = 3, more: { vms?: object[]; webGuest?: object } = {}): ReturnType<typeof parseTopology> {
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
        guest: more.webGuest ?? { app: 'reference', scale: 500, seed: 7 },
        warmup: { penalty: '0ms', decay: '1s' },
      },
      ...(more.vms ?? []),
    ],
  });
}

export interface EngineHarnessOptions {
  workerMetrics?: WorkerMetrics;
  hosts?: number;
  workers?: boolean;
  topology?: TopologyConfig;
}

/** The harness on a Redis of someone else's (a Cluster, a Sentinel set): `redisUrl` as the engine reads it. */
export type ExternalRedisEngineHarness = Omit<EngineHarness, 'redis' | 'client'> & { redisUrl: string; client: RedisClient };

/**
 * `workerMetrics`: what the in-process workers export, as `migrascope worker` does; `hosts`: the
 * pool's size (or a whole `topology`). `workers: false`: none take jobs until restartWorkers() (a test whose jobs go to
 * another process first).
 */
export async function startEngineHarness(options: EngineHarnessOptions = {}): Promise<EngineHarness> {
  const redis = await startLocalRedis();
  const harness = await startEngineHarnessOn(redis.url, { ...options, resultsDir: `${redis.dataDir}/results`, afterClose: () => redis.stop() }).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  return Object.assign(harness, { redis, client: harness.client as Redis });
}

/** The harness on Redis at `redisUrl` (any form createRedisClient reads); its close() leaves that Redis running. */
export async function startEngineHarnessOn(
  redisUrl: string,
  options: EngineHarnessOptions & { resultsDir?: string; afterClose?: () => Promise<void>; env?: NodeJS.ProcessEnv } = {},
): Promise<ExternalRedisEngineHarness> {
  const testbed = await startTestbed(options.topology ?? engineTopology(options.hosts));
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const resultsDir = options.resultsDir ?? (await mkdtemp(join(tmpdir(), 'migrascope-results-')));
  // `env`: what the URL leaves to the environment (MIGRASCOPE_REDIS_CA_FILE, the passwords).
  const client = createRedisClient(redisUrl, { env: options.env ?? process.env });
  const connection = createRedisClient(redisUrl, { env: options.env ?? process.env });
  const log = createLogger({ level: process.env.MIGRASCOPE_TEST_LOG ?? 'silent', pretty: false });
  const resolvePool = testbedPoolResolver(testbed);
  const queues = new ExperimentQueues({ connection, prefix });
  const deps: EngineDeps = { redis: client, prefix, queues, resolvePool, log, leadMs: 1000, pollMs: 200, resultsDir };
  const workerOptions = { connection, redis: client, prefix, resolvePool, log, lockDurationMs: 5000, metrics: options.workerMetrics };
  const harness: ExternalRedisEngineHarness = {
    testbed,
    redisUrl,
    prefix,
    client,
    deps,
    workers: options.workers === false ? { id: 'none', ready: Promise.resolve(), close: async () => undefined } : startWorkers(workerOptions),
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
      if (options.afterClose) await options.afterClose();
      else await rm(resultsDir, { recursive: true, force: true });
      await testbed.close();
    },
  };
  testbed.migrations.on('migration', (report) => harness.migrations.push(report));
  return harness;
}

/** A short experiment against the harness's web VM: 3 s ramp-up, `steady` of steady state, 2 s ramp-down. */
export function shortExperiment(
  harness: Pick<EngineHarness, 'testbed'>,
  overrides: { name?: string; users?: number; drivers?: number; steady?: string; migrations?: object | null | undefined; window?: string; abort?: string; requestLog?: boolean } = {},
): MigrationExperiment {
  const web = harness.testbed.vms.find((vm) => vm.name === 'web');
  return parseExperiment({
    apiVersion: 'migrascope.io/v1alpha1',
    kind: 'MigrationExperiment',
    metadata: { name: overrides.name ?? 'short', namespace: 'test' },
    spec: {
      poolRef: { name: 'pool' },
      target: { vm: { nameLabel: 'web' }, applicationUrl: web?.url ?? 'http://127.0.0.1:1/', probeUrl: `${web?.url ?? ''}/healthz` },
      workload: { profile: 'olio', users: overrides.users ?? 20, drivers: overrides.drivers ?? 2, thinkTime: { mean: '500ms' }, rampUp: '3s', steadyState: overrides.steady ?? '16s', rampDown: '2s' },
      sla: { window: overrides.window ?? '5s', step: '1s' },
      ...(overrides.migrations === undefined ? { migrations: { offsets: ['6s'], destination: { policy: 'roundRobin' }, timeout: '1m' } } : overrides.migrations === null ? {} : { migrations: overrides.migrations }),
      ...(overrides.abort ? { abort: { onViolation: overrides.abort } } : {}),
      pauseBetweenRuns: '1s',
      ...(overrides.requestLog ? { record: { requestLog: true } } : {}),
    },
  });
}

/** Migration `index` of run 1 of `experiment`, of the web VM of the pool "pool", due now, as the engine queues it. */
export function migrationJob(experiment: ExperimentRef, index: number, options: { probeUrl?: string; offsetMs?: number } = {}): MigrationJobData {
  return {
    experiment,
    run: 1,
    index,
    pool: { namespace: experiment.namespace, name: 'pool' },
    vm: 'web',
    destination: { kind: 'roundRobin' },
    dueAtMs: Date.now(),
    offsetMs: options.offsetMs ?? 0,
    timeoutMs: 60_000,
    probeUrl: options.probeUrl ?? 'http://127.0.0.1:1/healthz',
  };
}

export interface Takeover {
  /** The second engine's status at the end. */
  status: MigrationExperimentStatus;
  /** When the first engine was killed, epoch ms. */
  killedAt: number;
  /** The seconds of the run it was in that the first engine had recorded in Redis by then. */
  recordedBeforeKill: number;
  /** The seconds of that run in Redis now. */
  recorded(): Promise<number>;
}

/**
 * A crash and a takeover: an engine with its own workers in a process of its own
 * (test/support/engine-process.ts) runs `experiment` against the harness's Redis and testbed until
 * `crashWhen` resolves (given what the engine printed so far), is killed as a crash would kill it
 * (SIGKILL), then the harness's workers start and a second engine runs the experiment to its end.
 * The harness is started with `workers: false`, so that only the engine in hand takes jobs.
 */
export async function crashEngineAndTakeOver(
  harness: EngineHarness,
  experiment: MigrationExperiment,
  ref: ExperimentRef,
  options: { run: number; crashWhen: (output: () => string) => Promise<unknown> },
): Promise<Takeover> {
  const root = new URL('../../', import.meta.url).pathname;
  const child = spawn(`${root}node_modules/.bin/node`, [`${root}test/support/engine-process.ts`], {
    env: { ...process.env, MIGRASCOPE_ENGINE_TEST: JSON.stringify({ redisUrl: harness.redis.url, prefix: harness.prefix, xapi: harness.testbed.xapi, experiment, uid: ref.uid }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  let killedAt: number;
  try {
    await options.crashWhen(() => output);
  } finally {
    killedAt = Date.now();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
  const keys = new RunKeys(harness.prefix, ref, options.run);
  const recordedBeforeKill = await harness.client.xlen(keys.seconds);

  await harness.restartWorkers();
  const status = await new ExperimentRunner(experiment, ref, harness.deps).run();
  return { status, killedAt, recordedBeforeKill, recorded: () => harness.client.xlen(keys.seconds) };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The id its workers go by (the registry, the shards' ends), once it takes jobs. */
  id: Promise<string>;
  /** What it logged so far (JSON lines, with `logLevel`). */
  log(): string;
}

/**
 * Load and migration workers in a process of their own (test/support/worker-process.ts) on the
 * harness's Redis and testbed, as `migrascope worker` runs them; `clockOffsetMs` fakes its clock
 * through the workers' injected clock.
 */
export function spawnWorkerProcess(
  harness: Pick<EngineHarness, 'redis' | 'prefix' | 'testbed'>,
  options: { loadConcurrency?: number; clockOffsetMs?: number; maxClockOffsetMs?: number; logLevel?: string } = {},
): WorkerProcess {
  const root = new URL('../../', import.meta.url).pathname;
  const input = { redisUrl: harness.redis.url, prefix: harness.prefix, xapi: harness.testbed.xapi, loadConcurrency: options.loadConcurrency ?? 16, ...options };
  const child = spawn(`${root}node_modules/.bin/node`, [`${root}test/support/worker-process.ts`], {
    env: { ...process.env, MIGRASCOPE_WORKER_TEST: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', options.logLevel ? 'pipe' : 'inherit'],
  });
  let said = '';
  let logged = '';
  child.stderr?.on('data', (chunk: Buffer) => (logged += chunk.toString()));
  const id = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(said);
      if (ready) resolve(ready[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited (${code}) before it took jobs: ${said}${logged}`)));
  });
  return { child, id, log: () => logged };
}
