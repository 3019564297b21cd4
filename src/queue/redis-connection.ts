// Connecting to Redis with bounds: ioredis by itself retries an unreachable server forever (with
// maxRetriesPerRequest: null, as BullMQ needs, every command then waits forever too). A command
// asks Redis to be ready within a bounded wait, and watches it afterwards: a connection lost for
// longer than that is an error, never an endless retry flood. Every client of Migrascope is made
// here, from one URL naming a server, a Sentinel set or a Cluster (see redis-url.ts).
import { Cluster, Redis } from 'ioredis';
import { redactUrlPassword, type Logger } from '../log/index.ts';
import { parseDuration } from '../quantity/index.ts';
import { parseRedisUrl, type RedisTarget } from './redis-url.ts';

/** A connection to one server or Sentinel-managed primary, or to a Cluster: the same commands. */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** null (BullMQ's need): a command waits for Redis to come back instead of failing. Default null. */
  maxRetriesPerRequest?: number | null;
  connectTimeout?: number;
  lazyConnect?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * A client for `url`, not yet waited for. Sentinel: the primary is asked of the Sentinels at every
 * (re)connection, and a failover they announce makes the client reconnect to the new primary at
 * once. Cluster: commands follow the slots as they move, and ride out a failover (CLUSTERDOWN,
 * TRYAGAIN) for about 20 s before failing.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const target = parseRedisUrl(url, options.env);
  const common = {
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? null : options.maxRetriesPerRequest,
    ...(options.connectTimeout === undefined ? {} : { connectTimeout: options.connectTimeout }),
    ...credentials(target),
    ...(target.tls ? { tls: target.tls } : {}),
  };
  const lazyConnect = options.lazyConnect ?? false;
  if (target.topology === 'cluster') {
    return new Cluster(target.endpoints, { redisOptions: common, lazyConnect, maxRedirections: 64, retryDelayOnClusterDown: 300, retryDelayOnTryAgain: 300, retryDelayOnFailover: 300 });
  }
  if (target.topology === 'sentinel') {
    return new Redis({
      ...common,
      lazyConnect,
      db: target.db,
      sentinels: target.endpoints,
      name: target.masterName!,
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: target.tls } : {}),
      failoverDetector: true,
    });
  }
  return new Redis({ ...common, lazyConnect, db: target.db, host: target.endpoints[0]!.host, port: target.endpoints[0]!.port });
}

function credentials(target: RedisTarget): { username?: string; password?: string } {
  return { ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}) };
}

/** How long `run` waits for Redis, at start and after a lost connection (env MIGRASCOPE_REDIS_TIMEOUT). */
export const DEFAULT_REDIS_TIMEOUT_MS = 10_000;

/**
 * The same for the controller and the workers: in a cluster Redis is a pod of its own that may be
 * rescheduled or restarted, so an outage of a few minutes is waited out (the runs go on: workers
 * keep their seconds until Redis is back) before the process exits 1 and Kubernetes restarts it.
 */
export const DEFAULT_CLUSTER_REDIS_TIMEOUT_MS = 300_000;

export function redisTimeoutMs(env: NodeJS.ProcessEnv = process.env, fallbackMs = DEFAULT_REDIS_TIMEOUT_MS): number {
  const text = env.MIGRASCOPE_REDIS_TIMEOUT;
  return text ? parseDuration('MIGRASCOPE_REDIS_TIMEOUT', text) : fallbackMs;
}

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * A client (maxRetriesPerRequest: null, for BullMQ) that is ready, or an error naming the URL after
 * `timeoutMs`. `signal` gives up at once (the caller then reports the interruption).
 */
export async function connectRedis(url: string, options: { timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<RedisClient> {
  const client = createRedisClient(url, { lazyConnect: true, ...(options.env ? { env: options.env } : {}) });
  let lastError: unknown;
  const remember = (error: unknown): void => void (lastError = error);
  client.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    // Not connect()'s promise: it rejects at the first refused attempt while ioredis goes on retrying.
    client.connect().catch(remember);
    await Promise.race([
      new Promise<void>((resolve) => client.once('ready', () => resolve())),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RedisUnavailableError(`cannot reach Redis at ${redactUrlPassword(url)} within ${timeoutMs(options.timeoutMs)}${lastError ? `: ${describe(lastError)}` : ''}`)),
          options.timeoutMs,
        );
      }),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error(String(options.signal?.reason)));
        if (options.signal?.aborted) onAbort();
        else options.signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    client.off('error', remember);
  }
}

function timeoutMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Calls `onLost` once when `client` has been disconnected for longer than `graceMs` (or gave up
 * reconnecting). Errors while reconnecting are remembered, not logged one by one; with `log`, an
 * outage is logged once when it begins and once when it ends (with its length). Returns a stop
 * function.
 */
export function watchRedis(client: RedisClient, url: string, graceMs: number, onLost: (error: RedisUnavailableError) => void, log?: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  let lastError: unknown;
  let lost = false;
  const lose = (why: string): void => {
    if (lost) return;
    lost = true;
    onLost(new RedisUnavailableError(`lost Redis at ${redactUrlPassword(url)}: ${why}${lastError ? ` (${describe(lastError)})` : ''}`));
  };
  const onError = (error: unknown): void => void (lastError = error);
  let downSince: number | undefined;
  const onDown = (): void => {
    if (downSince === undefined) {
      downSince = Date.now();
      log?.warn({ redis: redactUrlPassword(url) }, `lost Redis: reconnecting for up to ${timeoutMs(graceMs)} (MIGRASCOPE_REDIS_TIMEOUT)`);
    }
    timer ??= setTimeout(() => lose(`not reachable for ${timeoutMs(graceMs)}`), graceMs);
  };
  const onReady = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (downSince !== undefined) log?.info({ redis: redactUrlPassword(url), seconds: (Date.now() - downSince) / 1000 }, 'Redis is back');
    downSince = undefined;
  };
  const onEnd = (): void => lose('the connection ended');
  client.on('error', onError);
  client.on('close', onDown);
  client.on('reconnecting', onDown);
  client.on('ready', onReady);
  client.on('end', onEnd);
  return () => {
    clearTimeout(timer);
    client.off('close', onDown);
    client.off('reconnecting', onDown);
    client.off('ready', onReady);
    client.off('end', onEnd);
    // The error listener stays: a client closing after the watch must not print "Unhandled error event".
  };
}
