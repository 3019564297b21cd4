// `migrascope worker`: takes load shards and migrations out of Redis, scaled apart from the
// controller. A migration's pool credentials are read through the API server (the XenPool and
// its Secret) under this process's own identity. SIGTERM stops taking jobs and lets the running ones
// end; jobs abandoned (a second signal, SIGKILL) are taken over by another worker once their lock
// lapses (a load shard keeps its timetable, a migration under way is followed, never asked twice).
import type { Command } from 'commander';
import { clusterPoolResolver } from '../controller/cluster-pool-credentials.ts';
import { loadKubeConfig } from '../controller/kubeconfig.ts';
import { securedServing } from '../controller/metrics-access.ts';
import { DEFAULT_MIGRATION_CONCURRENCY, startWorkers } from '../engine/workers.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { logger } from '../log/index.ts';
import { parseDuration } from '../quantity/index.ts';
import { MigrascopeMetrics, startMetricsServer, WorkerMetrics } from '../metrics/index.ts';
import { connectRedis, DEFAULT_CLUSTER_REDIS_TIMEOUT_MS, redisTimeoutMs, RedisUnavailableError, watchRedis } from '../queue/redis-connection.ts';
import { REDIS_ENV_HELP, REDIS_URL_FORMS } from '../queue/redis-url.ts';
import { exitWith } from './exit-codes.ts';
import { DEFAULT_REDIS_URL, parsePort, untilTerminated } from './controller.ts';
import { addLoadTargetsFlag, loadTargetsOf, type LoadTargetsFlag } from './load-targets-flag.ts';
import { addMetricsFlags, secureMetricsOf, type MetricsFlags } from './metrics-flags.ts';

interface WorkerCliOptions {
  kubeconfig?: string;
  redis: string;
  prefix: string;
  loadConcurrency: number;
  migrationConcurrency: number;
  maxClockOffset: string;
  metricsPort?: number;
  metricsBindAddress: string;
}

type WorkerFlags = WorkerCliOptions & MetricsFlags & LoadTargetsFlag;

export function defineWorker(command: Command): void {
  command
    .option('--redis <url>', `Redis the controller queues jobs in (env MIGRASCOPE_REDIS_URL): ${REDIS_URL_FORMS}`, process.env.MIGRASCOPE_REDIS_URL ?? DEFAULT_REDIS_URL)
    .option('--kubeconfig <file>', 'kubeconfig to read XenPools and their Secrets with (default: the pod service account, $KUBECONFIG or ~/.kube/config)')
    .option('--prefix <prefix>', 'prefix of every Redis key; the same as the controller', 'migrascope')
    .option('--load-concurrency <n>', 'load shards driven at once by this process', positiveInt('--load-concurrency'), 16)
    .option('--migration-concurrency <n>', 'migrations at once (of different experiments)', positiveInt('--migration-concurrency'), DEFAULT_MIGRATION_CONCURRENCY)
    .option('--max-clock-offset <duration>', "how far this host's clock may be from Redis's (TIME) before the worker refuses load shards and migrations", '1s')
    .option('--metrics-port <port>', 'serve /metrics, /healthz and /readyz on this port (env MIGRASCOPE_METRICS_PORT)', parsePort, process.env.MIGRASCOPE_METRICS_PORT ? parsePort(process.env.MIGRASCOPE_METRICS_PORT) : undefined)
    .option('--metrics-bind-address <address>', 'address the metrics server listens on', '0.0.0.0');
  addLoadTargetsFlag(addMetricsFlags(command))
    .addHelpText('after', '\nExample:\n  migrascope worker --redis redis://redis:6379 --load-concurrency 8 --max-clock-offset 500ms\n')
    .addHelpText('after', `\nEnvironment:\n  MIGRASCOPE_REDIS_TIMEOUT  how long Redis may be unreachable, at start and mid-run, before exiting 1 (default 5m)\n${REDIS_ENV_HELP}\n`)
    .action(async (options: WorkerFlags) => exitWith(await runWorker(options)));
}

async function runWorker(options: WorkerFlags): Promise<number> {
  const log = logger();
  // The flags first: a bad one is refused (exit 2, naming it) before anything connects.
  const maxClockOffsetMs = parseDuration('--max-clock-offset', options.maxClockOffset);
  const loadTargets = loadTargetsOf(options, log);
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  // Redis is waited for, at start and when lost, up to MIGRASCOPE_REDIS_TIMEOUT (default 5 min): the
  // shards keep measuring and their seconds wait in memory meanwhile. Longer, and this exits 1 for
  // Kubernetes to restart it; BullMQ hands its shards to another worker.
  const timeoutMs = redisTimeoutMs(process.env, DEFAULT_CLUSTER_REDIS_TIMEOUT_MS);
  const redis = await connectRedis(options.redis, { timeoutMs });
  const connection = await connectRedis(options.redis, { timeoutMs });
  let lost: RedisUnavailableError | undefined;
  const unwatch: (() => void)[] = [];
  const redisLost = new Promise<void>((resolve) => {
    for (const client of [redis, connection]) {
      const onLost = (error: RedisUnavailableError): void => {
        lost ??= error;
        resolve();
      };
      unwatch.push(watchRedis(client, options.redis, timeoutMs, onLost, client === redis ? log : undefined));
    }
  });
  const disconnect = (): void => {
    for (const stop of unwatch) stop(); // closing is not an outage
    redis.disconnect();
    connection.disconnect();
  };
  const metrics = new MigrascopeMetrics();
  const workerMetrics = new WorkerMetrics(metrics.registry);
  const workers = startWorkers({
    connection,
    redis,
    prefix: options.prefix,
    resolvePool: clusterPoolResolver(kubeConfig),
    log,
    loadConcurrency: options.loadConcurrency,
    migrationConcurrency: options.migrationConcurrency,
    maxClockOffsetMs,
    metrics: workerMetrics,
    loadTargets,
  });
  const secure = secureMetricsOf(options);
  const secured = secure && options.metricsPort !== undefined ? securedServing(kubeConfig, secure) : undefined;
  const server =
    options.metricsPort === undefined
      ? undefined
      : await startMetricsServer({
          guard: secured?.guard,
          tls: secured?.tls,
          registry: metrics.registry,
          port: options.metricsPort,
          host: options.metricsBindAddress,
          readiness: async () => (redis.status === 'ready' ? undefined : `Redis connection is ${redis.status}`),
        });
  log.info({ worker: workers.id, prefix: options.prefix, loadConcurrency: options.loadConcurrency, maxClockOffsetMs, migrationConcurrency: options.migrationConcurrency, metrics: server?.url, metricsAccess: server ? (secured?.description ?? 'anyone (plain HTTP)') : undefined }, 'worker started');
  await Promise.race([untilTerminated(), redisLost]);
  if (lost) {
    log.error(`${lost.message}: exiting (the shards go to another worker once Redis is back)`);
    await workers.close(true);
    await server?.close();
    workerMetrics.close();
    disconnect();
    return 1;
  }
  // A live migration in flight is let finish (the pod's grace period covers it); load shards keep
  // measuring until then. A second signal, or the grace period's SIGKILL, abandons what runs: BullMQ
  // hands it to another worker (a shard keeps its timetable, a migration is followed, not repeated).
  log.info('stopping: taking no new job, letting the running ones end (signal again to abandon them)');
  const abandon = untilTerminated().then(() => {
    log.warn('abandoning the running jobs to other workers');
    return workers.close(true);
  });
  await Promise.race([workers.close(false), abandon]);
  await server?.close();
  workerMetrics.close();
  disconnect();
  return 0;
}

function positiveInt(flag: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1) throw new InvalidInputError(flag, `must be a whole number of at least 1, got "${text}"`);
    return value;
  };
}
