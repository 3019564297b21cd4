// The engine as one leadership term of the controller holds it: its own Redis connections, the
// BullMQ queues and the experiments it runs. Ending the term (leadership lost, shutdown) stops all
// writes and cuts those connections, so a runner of a controller that no longer leads cannot
// touch a checkpoint the next leader's runner now owns; the runs themselves go on in the workers.
import type { KubeConfig } from '@kubernetes/client-node';
import { createRedisClient, type RedisClient } from '../queue/redis-connection.ts';
import type { EngineDeps } from '../engine/experiment-runner.ts';
import type { ProfileLookup } from '../engine/workload-profile.ts';
import type { Logger } from '../log/index.ts';
import type { MigrascopeMetrics } from '../metrics/index.ts';
import { ExperimentQueues } from '../queue/queues.ts';
import { clusterPoolResolver } from './cluster-pool-credentials.ts';
import { ExperimentRuns, type ExperimentRunsOptions } from './experiment-runs.ts';
import { StartedSpecs } from './started-spec.ts';

export interface EngineSessionOptions {
  kubeConfig: KubeConfig;
  redisUrl: string;
  prefix: string;
  log: Logger;
  metrics?: MigrascopeMetrics | undefined;
  resultsDir?: string | undefined;
  /** Engine timings (tests shorten them). */
  leadMs?: number | undefined;
  pollMs?: number | undefined;
  /** WorkloadProfiles from the informers' cache: read once, when an experiment starts. */
  profiles?: ProfileLookup | undefined;
}

export class EngineSession {
  readonly deps: EngineDeps;
  readonly runs: ExperimentRuns;
  readonly startedSpecs: StartedSpecs;
  readonly #redis: RedisClient;
  readonly #connection: RedisClient;
  readonly #log: Logger;
  #closed = false;

  constructor(options: EngineSessionOptions, hooks: Omit<ExperimentRunsOptions, 'deps' | 'log'>) {
    this.#log = options.log;
    // maxRetriesPerRequest null: while Redis is away, commands wait for it instead of failing the run.
    this.#redis = createRedisClient(options.redisUrl);
    this.#connection = createRedisClient(options.redisUrl);
    for (const client of [this.#redis, this.#connection]) {
      client.on('error', (error: Error) => options.log.warn({ err: error }, 'Redis connection error (retrying)'));
    }
    const queues = new ExperimentQueues({ connection: this.#connection, prefix: options.prefix });
    this.deps = {
      redis: this.#redis,
      prefix: options.prefix,
      queues,
      resolvePool: clusterPoolResolver(options.kubeConfig),
      log: options.log,
      metrics: options.metrics,
      ...(options.resultsDir === undefined ? {} : { resultsDir: options.resultsDir }),
      ...(options.leadMs === undefined ? {} : { leadMs: options.leadMs }),
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      profiles: options.profiles,
    };
    this.runs = new ExperimentRuns({ ...hooks, deps: this.deps, log: options.log });
    this.startedSpecs = new StartedSpecs(this.#redis, options.prefix);
  }

  get redis(): RedisClient {
    return this.#redis;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the term: runners write nothing more, their connections are cut. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.runs.detach();
    this.#redis.disconnect();
    const closing = this.deps.queues.close().catch((error: unknown) => this.#log.warn({ err: error }, 'closing the queues failed'));
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    this.#connection.disconnect();
  }
}
