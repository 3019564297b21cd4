// `migrascope controller`: the operator. Watches XenPools, MigrationExperiments and
// MigrationCampaigns (in one namespace or all), drives them with the engine through Redis, serves
// /metrics, /healthz and /readyz, and with --leader-elect lets only one replica reconcile.
// SIGTERM stops reconciling and releases the lease; the runs go on in the workers and the next
// leader resumes them from Redis. Losing leadership exits with code 1 (the pod restarts and
// campaigns again), as client-go's controllers do.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { InvalidInputError } from '../invalid/index.ts';
import { logger, type Logger } from '../log/index.ts';
import { createRedisClient, DEFAULT_CLUSTER_REDIS_TIMEOUT_MS, redisTimeoutMs, RedisUnavailableError, watchRedis } from '../queue/redis-connection.ts';
import { REDIS_ENV_HELP, REDIS_URL_FORMS } from '../queue/redis-url.ts';
import { MigrascopeMetrics } from '../metrics/index.ts';
import { loadKubeConfig, ownNamespace } from '../controller/kubeconfig.ts';
import { LeadershipLostError, startOperator } from '../controller/operator.ts';
import { parseDuration } from '../quantity/index.ts';
import { exitWith } from './exit-codes.ts';
import { addLoadTargetsFlag, loadTargetsOf, type LoadTargetsFlag } from './load-targets-flag.ts';
import { addMetricsFlags, secureMetricsOf, type MetricsFlags } from './metrics-flags.ts';

interface ControllerCliOptions {
  kubeconfig?: string;
  redis: string;
  prefix: string;
  namespace: string;
  leaderElect?: boolean;
  leaseNamespace?: string;
  leaseName: string;
  metricsPort: number;
  metricsBindAddress: string;
  workers?: boolean;
  resultsDir: string;
  finalizerTimeout: string;
  metricsSeriesGrace: string;
}

type ControllerFlags = ControllerCliOptions & MetricsFlags & LoadTargetsFlag;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function defineController(command: Command): void {
  command
    .option('--kubeconfig <file>', 'kubeconfig to use (default: the pod service account, $KUBECONFIG or ~/.kube/config)')
    .option('--redis <url>', `Redis holding the queues and runs (env MIGRASCOPE_REDIS_URL): ${REDIS_URL_FORMS}`, process.env.MIGRASCOPE_REDIS_URL ?? DEFAULT_REDIS_URL)
    .option('--prefix <prefix>', 'prefix of every Redis key; workers must use the same', 'migrascope')
    .option('--namespace <ns,...>', 'watch only these namespaces, comma-separated (env MIGRASCOPE_WATCH_NAMESPACES; default: all)', process.env.MIGRASCOPE_WATCH_NAMESPACES ?? '')
    .option('--leader-elect', 'elect a leader on a Lease: run several replicas, only one reconciles (on when MIGRASCOPE_LEASE_NAME is set)', process.env.MIGRASCOPE_LEASE_NAME !== undefined && process.env.MIGRASCOPE_LEASE_NAME !== '')
    .option('--lease-namespace <ns>', "namespace of the Lease (default: $POD_NAMESPACE, the pod's namespace, --namespace, or default)")
    .option('--lease-name <name>', 'name of the Lease (env MIGRASCOPE_LEASE_NAME)', process.env.MIGRASCOPE_LEASE_NAME || 'migrascope-controller')
    .option('--metrics-port <port>', 'port of /metrics, /healthz and /readyz, 0: any free port (env MIGRASCOPE_METRICS_PORT)', parsePort, parsePort(process.env.MIGRASCOPE_METRICS_PORT || '8080'))
    .option('--metrics-bind-address <address>', 'address the metrics server listens on', '0.0.0.0');
  addLoadTargetsFlag(addMetricsFlags(command))
    .option('--workers', 'also run load and migration workers in this process (else run `migrascope worker`)')
    .option('--results-dir <dir>', 'where the results files of finished experiments and request logs (record.requestLog) go', 'migrascope-results')
    .option('--metrics-series-grace <duration>', "how long a finished experiment's series stay in /metrics (at least two scrape intervals)", '60s')
    .option('--finalizer-timeout <duration>', 'longest wait for a deleted experiment to stop before letting it go', '2m')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  migrascope controller --redis redis://redis:6379 --leader-elect\n' +
        '  migrascope controller --kubeconfig ~/.kube/config --namespace lab,lab2 --workers --metrics-port 0\n',
    )
    .addHelpText('after', `\nEnvironment:\n${REDIS_ENV_HELP}\n`)
    .action(async (options: ControllerFlags) => {
      exitWith(await runController(options));
    });
}

async function runController(options: ControllerFlags): Promise<number> {
  const log = logger();
  // The flags first: a bad one is refused (exit 2, naming it) whatever the kubeconfig.
  const finalizerTimeoutMs = parseDuration('--finalizer-timeout', options.finalizerTimeout);
  const seriesGraceMs = parseDuration('--metrics-series-grace', options.metricsSeriesGrace);
  const redisTimeout = redisTimeoutMs(process.env, DEFAULT_CLUSTER_REDIS_TIMEOUT_MS);
  const loadTargets = loadTargetsOf(options, log);
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const namespaces = options.namespace.split(',').map((ns) => ns.trim()).filter((ns) => ns !== '');
  const leaseNamespace = options.leaseNamespace ?? ownNamespace() ?? namespaces[0] ?? 'default';
  const operator = await startOperator({
    kubeConfig,
    redisUrl: options.redis,
    prefix: options.prefix,
    namespaces,
    leaderElection: options.leaderElect
      ? { namespace: leaseNamespace, name: options.leaseName, identity: `${process.env.POD_NAME ?? hostname()}_${randomUUID()}` }
      : undefined,
    metricsPort: options.metricsPort,
    metricsHost: options.metricsBindAddress,
    secureMetrics: secureMetricsOf(options),
    loadTargets,
    workers: options.workers === true,
    resultsDir: options.resultsDir,
    finalizerTimeoutMs,
    metrics: new MigrascopeMetrics({ seriesGraceMs }),
    log,
  });
  log.info(
    { cluster: kubeConfig.getCurrentCluster()?.server, namespaces: namespaces.length === 0 ? '(all)' : namespaces, leaderElection: options.leaderElect === true, metrics: operator.metricsUrl },
    'controller started',
  );
  const signalled = untilTerminated();
  const redis = superviseRedis(options.redis, redisTimeout, log);
  const outcome = await Promise.race([signalled.then(() => 'signal' as const), operator.done.then(() => 'done' as const, (error: unknown) => error), redis.lost]);
  redis.stop();
  if (outcome instanceof RedisUnavailableError) {
    log.error(`${outcome.message}: exiting (the runs go on in the workers; the next controller resumes them from Redis)`);
    await operator.stop();
    return 1;
  }
  if (outcome instanceof LeadershipLostError) {
    log.error(outcome.message);
    await operator.stop();
    return 1;
  }
  if (outcome !== 'signal' && outcome !== 'done') {
    log.error({ err: outcome }, 'the controller failed');
    await operator.stop();
    return 1;
  }
  log.info('SIGTERM: stopping');
  await operator.stop();
  return 0;
}

/**
 * Redis as the controller waits for it: an outage (or a Redis not there at start) is logged once
 * and waited out for MIGRASCOPE_REDIS_TIMEOUT (default 5 min); `lost` resolves after that.
 */
function superviseRedis(url: string, timeoutMs: number, log: Logger): { lost: Promise<RedisUnavailableError>; stop(): void } {
  const client = createRedisClient(url);
  let unwatch = (): void => undefined;
  const lost = new Promise<RedisUnavailableError>((resolve) => {
    unwatch = watchRedis(client, url, timeoutMs, resolve, log);
  });
  return {
    lost,
    stop: () => {
      unwatch();
      client.disconnect();
    },
  };
}

/** Resolves at the first SIGINT or SIGTERM. */
export function untilTerminated(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidInputError('--metrics-port', `must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}
