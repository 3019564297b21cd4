// The operator process as `migrascope controller` runs it: informers over XenPools, WorkloadProfiles,
// experiments, campaigns and schedules (one namespace or all), a controller per kind, leader
// election so that of several replicas only one reconciles, the metrics and health endpoints, and
// an orderly stop.
//
// Informers start at once, leader or not, so /readyz can say "synced" and a new leader starts from
// a warm cache. Only the leader reconciles; its engine session (Redis connections, runners) lives
// exactly as long as its leadership. Losing leadership stops reconciling at once and `done`
// rejects: the process should exit (client-go's advice), and another replica resumes the runs from
// Redis. stop() (SIGTERM) stops reconciling, detaches the runners (their runs go on in the
// workers), releases the lease so another replica takes over without waiting for it to expire.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { MigrationExperimentSpec } from '../api/v1alpha1/index.ts';
import type { LoadTargetAllowList } from '../engine/load-targets.ts';
import { clockOffsetText, DEFAULT_MAX_CLOCK_OFFSET_MS, readClockOffset, withinBound } from '../engine/worker-clock.ts';
import { startWorkers, type WorkerHost } from '../engine/workers.ts';
import { redactUrlPassword, type Logger } from '../log/index.ts';
import { MigrascopeMetrics, startMetricsServer, WorkerMetrics, type MetricsServer } from '../metrics/index.ts';
import { CampaignReconciler, owningCampaign } from './campaign-reconciler.ts';
import { clusterPoolResolver } from './cluster-pool-credentials.ts';
import { EngineSession } from './engine-session.ts';
import { ExperimentReconciler } from './experiment-reconciler.ts';
import { InformerSet, type ObjectCache } from './informer-set.ts';
import { securedServing, type SecureMetricsOptions } from './metrics-access.ts';
import { campaignDocument, experimentDocument, reportAccess, reportPage, reportPath, REPORTS_PREFIX, type ReportSources } from './reports.ts';
import { owningSchedule, ScheduleReconciler } from './schedule-reconciler.ts';
import { subjectOf, targetOf, type StoredObject } from './resources.ts';
import { Controller, EventRecorder, KubeApiError, KubeClient, LeaderElector, patchStatus, type ObjectKey } from './runtime/index.ts';
import { WorkloadProfileReconciler } from './workloadprofile-reconciler.ts';
import { XenPoolReconciler } from './xenpool-reconciler.ts';
import { createRedisClient, type RedisClient } from '../queue/redis-connection.ts';
import { ResultsArchive } from './results-archive.ts';

export const EVENT_COMPONENT = 'migrascope.io/controller';

export interface LeaderElectionOptions {
  namespace: string;
  /** Lease name (default migrascope-controller). */
  name?: string;
  /** Unique per replica (default: host name and a random suffix, as client-go). */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  redisUrl: string;
  /** Prefix of every Redis key (default migrascope); controllers and workers must agree. */
  prefix?: string;
  /** Watch only these namespaces (default, or empty: all). */
  namespaces?: readonly string[] | undefined;
  /** Without it this process always leads (one replica only!). */
  leaderElection?: LeaderElectionOptions | undefined;
  /** Serve /metrics, /healthz, /readyz on this port (0: any free port); none when undefined. */
  metricsPort?: number | undefined;
  metricsHost?: string;
  /**
   * Serve /metrics and the reports over HTTPS to callers the API server vouches for (TokenReview)
   * and allows (SubjectAccessReview), as kubebuilder's secure metrics; `certDir` holds tls.crt and
   * tls.key, else a self-signed certificate is made. Plain HTTP to anyone when undefined.
   */
  secureMetrics?: SecureMetricsOptions | undefined;
  /** Where each namespace may send load (checked before an experiment starts, and by in-process workers); unrestricted when undefined. */
  loadTargets?: LoadTargetAllowList | undefined;
  /** Run load and migration workers in this process too. */
  workers?: boolean;
  log: Logger;
  metrics?: MigrascopeMetrics;
  resultsDir?: string | undefined;
  /** Parallel reconciles per kind (default 4). */
  concurrency?: number;
  finalizerTimeoutMs?: number;
  referenceRecheckMs?: number;
  poolRecheckMs?: number;
  /** Informer tuning (tests shorten them). */
  resyncMs?: number;
  watchdogMs?: number;
  /** Engine timings (tests shorten them). */
  leadMs?: number;
  pollMs?: number;
  /** The clock schedules read, in ms since the epoch (tests move it rather than wait for minutes). */
  now?: () => number;
}

export interface Operator {
  readonly metricsUrl: string | undefined;
  readonly identity: string;
  /** True while this replica leads (and reconciles). */
  readonly leading: boolean;
  /** Resolves after stop(); rejects when leadership is lost (exit and let the pod restart). */
  readonly done: Promise<void>;
  /** Undefined when ready; else why not (informers not synced, Redis unreachable). */
  readiness(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export class LeadershipLostError extends Error {
  constructor() {
    super('lost leadership: stopped reconciling (another replica takes over and resumes the runs from Redis)');
    this.name = 'LeadershipLostError';
  }
}

export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const log = options.log;
  const kubeConfig = options.kubeConfig;
  const metrics = options.metrics ?? new MigrascopeMetrics();
  const prefix = options.prefix ?? 'migrascope';
  const identity = options.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;
  const informerOptions = { kubeConfig, namespaces: options.namespaces ?? [], log, resyncMs: options.resyncMs, watchdogMs: options.watchdogMs };
  const pools = new InformerSet('XenPool', informerOptions);
  const profiles = new InformerSet('WorkloadProfile', informerOptions);
  const experiments = new InformerSet('MigrationExperiment', informerOptions);
  const campaigns = new InformerSet('MigrationCampaign', informerOptions);
  const schedules = new InformerSet('MigrationSchedule', informerOptions);
  const informers = [pools, profiles, experiments, campaigns, schedules].flatMap((set) => set.informers);
  const events = new EventRecorder(kubeConfig, EVENT_COMPONENT, log);
  const probe = createRedisClient(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  probe.on('error', () => undefined); // readiness reports it; the log would repeat it every retry
  // Finished experiments' results on the results volume: kept by the reconciler, read by the reports of objects gone.
  const archive = new ResultsArchive(options.resultsDir ?? 'migrascope-results', log);

  const readiness = async (): Promise<string | undefined> => {
    const unsynced = [pools, profiles, experiments, campaigns, schedules].flatMap((set) => set.unsynced());
    if (unsynced.length > 0) return `informers not synced: ${unsynced.join(', ')}`;
    try {
      await Promise.race([probe.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref())]);
    } catch (error) {
      return `Redis at ${redactUrlPassword(options.redisUrl)} unreachable: ${(error as Error).message}`;
    }
    return undefined;
  };

  let metricsServer: MetricsServer | undefined;
  if (options.metricsPort !== undefined) {
    // Reports are served by every replica, leader or not: they read the informers' cache and Redis.
    const reports = {
      prefix: REPORTS_PREFIX,
      render: (path: string, query: URLSearchParams) => reportPage({ experiments, campaigns, redis: probe, prefix, archived: (namespace, name, kind) => archive.read(namespace, name, kind) }, path, query),
      access: (path: string, query: URLSearchParams) => reportAccess({ experiments, campaigns }, path, query),
    };
    const secured = options.secureMetrics ? securedServing(kubeConfig, options.secureMetrics) : undefined;
    metricsServer = await startMetricsServer({ registry: metrics.registry, port: options.metricsPort, host: options.metricsHost ?? '0.0.0.0', readiness, pages: [reports], guard: secured?.guard, tls: secured?.tls });
    log.info(
      { url: metricsServer.url, access: secured?.description ?? 'anyone (plain HTTP): --metrics-secure guards it' },
      `serving /metrics, /healthz, /readyz and ${REPORTS_PREFIX}<namespace>/<name>`,
    );
  }

  let workers: WorkerHost | undefined;
  let workerConnections: RedisClient[] = [];
  let workerMetrics: WorkerMetrics | undefined;
  if (options.workers) {
    workerConnections = [createRedisClient(options.redisUrl), createRedisClient(options.redisUrl)];
    const [connection, redis] = workerConnections as [RedisClient, RedisClient];
    workerMetrics = new WorkerMetrics(metrics.registry);
    workers = startWorkers({ connection, redis, prefix, resolvePool: clusterPoolResolver(kubeConfig), log, metrics: workerMetrics, loadTargets: options.loadTargets });
    log.info('load and migration workers run in this process');
  }

  for (const each of informers) {
    each.start().catch((error: unknown) => log.debug({ err: error, informer: each.path }, 'informer stopped before its first list'));
  }

  /** One leadership term: controllers over the shared informers and an engine session of its own. */
  const lead = async (signal: AbortSignal): Promise<void> => {
    log.info({ identity }, 'leading: reconciling');
    // The leader plans the runs' start on its clock and the workers keep to it on theirs, checked
    // against Redis's (docs/deploy.md, "Clocks"): a leader off that clock is said once, loudly.
    readClockOffset(probe)
      .then((clock) => {
        if (!withinBound(clock, DEFAULT_MAX_CLOCK_OFFSET_MS)) log.warn({ clockOffsetMs: Math.round(clock.offsetMs) }, `the controller's clock is ${clockOffsetText(clock)}: the runs it plans start off the workers' timetable; sync its clock (NTP, chrony)`);
      })
      .catch((error: unknown) => log.debug({ err: error }, 'cannot read the clock against Redis'));
    const experimentTarget = (key: ObjectKey) => targetOf('MigrationExperiment', key.namespace, key.name);
    // The session is made before the controller it wakes up (its reconciler needs the session).
    const wake: { experiments?: Controller } = {};
    const session = new EngineSession(
      { kubeConfig, redisUrl: options.redisUrl, prefix, log, metrics, resultsDir: options.resultsDir, leadMs: options.leadMs, pollMs: options.pollMs, profiles: (namespace, name) => profiles.get(namespace, name) },
      {
        writeStatus: async (ref, patch) => writeRunnerStatus(kubeConfig, experimentTarget(ref), { ...patch, reportPath: reportPath('MigrationExperiment', ref.namespace, ref.name) }, log),
        recordEvent: async (ref, event) => events.record(subjectOf('MigrationExperiment', { namespace: ref.namespace, name: ref.name, uid: ref.uid }), event.type, event.reason, event.message),
        onEnded: (ref) => wake.experiments?.enqueue({ namespace: ref.namespace, name: ref.name }),
      },
    );
    // What the results files are built from: the objects, their streams in Redis, the files already kept.
    const kept: ReportSources = { experiments, campaigns, redis: session.redis, prefix, archived: (namespace, name, kind) => archive.read(namespace, name, kind) };
    const concurrency = options.concurrency ?? 4;
    const experimentController = new Controller({
      name: 'migrationexperiment',
      reconciler: new ExperimentReconciler({
        kubeConfig,
        experiments,
        pools,
        profiles,
        session,
        events,
        log,
        ...(options.finalizerTimeoutMs === undefined ? {} : { finalizerTimeoutMs: options.finalizerTimeoutMs }),
        ...(options.referenceRecheckMs === undefined ? {} : { referenceRecheckMs: options.referenceRecheckMs }),
        loadTargets: options.loadTargets,
        keepResults: async (object) => {
          await archive.keep('MigrationExperiment', object, async () => {
            const built = await experimentDocument(kept, object);
            // A file without the seconds Redis still holds would be kept for good: try again later instead.
            if (built.unread?.length) throw new Error(`cannot read its per-second data from Redis yet (${built.unread.join('; ')})`);
            return built.document;
          });
        },
      }),
      workers: concurrency,
      metrics,
      log,
    });
    wake.experiments = experimentController;
    for (const informer of experiments.informers) experimentController.watch(informer);
    // A pool appearing (or changing) is news for the experiments waiting for it.
    for (const informer of pools.informers) experimentController.watch(informer, (pool) => experimentsUsing(experiments, pool, (spec) => spec.poolRef?.name));
    // So is a WorkloadProfile: an experiment waiting for it starts when it appears or is fixed (a watch, not polling).
    for (const informer of profiles.informers) experimentController.watch(informer, (profile) => experimentsUsing(experiments, profile, (spec) => spec.workload?.profileRef?.name));
    const campaignController = new Controller({
      name: 'migrationcampaign',
      reconciler: new CampaignReconciler({
        kubeConfig,
        campaigns,
        experiments,
        pools,
        startedSpecs: session.startedSpecs,
        events,
        log,
        keepResults: async (object) => {
          await archive.keep('MigrationCampaign', object, async () => {
            const built = await campaignDocument(kept, object);
            if (built.unread?.length) throw new Error(`cannot read its levels' per-second data from Redis yet (${built.unread.join('; ')})`);
            return built.document;
          });
        },
      }),
      workers: concurrency,
      metrics,
      log,
    });
    for (const informer of campaigns.informers) campaignController.watch(informer);
    for (const informer of experiments.informers) campaignController.watch(informer, owningCampaign);
    const scheduleController = new Controller({
      name: 'migrationschedule',
      reconciler: new ScheduleReconciler({ kubeConfig, schedules, campaigns, events, log, ...(options.now === undefined ? {} : { now: options.now }) }),
      workers: 2,
      metrics,
      log,
    });
    for (const informer of schedules.informers) scheduleController.watch(informer);
    for (const informer of campaigns.informers) scheduleController.watch(informer, owningSchedule);
    const poolController = new Controller({
      name: 'xenpool',
      reconciler: new XenPoolReconciler({ kubeConfig, pools, events, log, ...(options.poolRecheckMs === undefined ? {} : { recheckMs: options.poolRecheckMs }) }),
      workers: 2,
      metrics,
      log,
    });
    for (const informer of pools.informers) poolController.watch(informer);
    const profileController = new Controller({ name: 'workloadprofile', reconciler: new WorkloadProfileReconciler({ kubeConfig, profiles, events, log }), workers: 1, metrics, log });
    for (const informer of profiles.informers) profileController.watch(informer);
    try {
      // The informers may have listed everything before this term began: their adds went to no
      // controller. A new leader looks at every object once, as a fresh informer's list would make it.
      await Promise.race([Promise.all(informers.map((each) => each.start())), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
      for (const object of experiments.list()) enqueueObject(experimentController, object);
      for (const object of campaigns.list()) enqueueObject(campaignController, object);
      for (const object of pools.list()) enqueueObject(poolController, object);
      for (const object of profiles.list()) enqueueObject(profileController, object);
      for (const object of schedules.list()) enqueueObject(scheduleController, object);
      const controllers = [experimentController, campaignController, scheduleController, poolController, profileController];
      await Promise.all(controllers.map((controller) => controller.start(signal)));
    } finally {
      await session.close();
      log.info({ identity }, 'stopped reconciling');
    }
  };

  let stopping = false;
  let leading = false;
  const stopLeading = new AbortController();
  let elector: LeaderElector | undefined;
  let done: Promise<void>;
  if (options.leaderElection) {
    const election = options.leaderElection;
    elector = new LeaderElector({
      kubeConfig,
      namespace: election.namespace,
      name: election.name ?? 'migrascope-controller',
      identity,
      log,
      ...(election.leaseDurationMs === undefined ? {} : { leaseDurationMs: election.leaseDurationMs }),
      ...(election.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: election.renewDeadlineMs }),
      ...(election.retryPeriodMs === undefined ? {} : { retryPeriodMs: election.retryPeriodMs }),
    });
    let work: Promise<void> | undefined;
    done = elector
      .run({
        onStartedLeading: (signal) => {
          leading = true;
          work = lead(signal).finally(() => (leading = false));
          return work;
        },
        onStoppedLeading: () => {
          leading = false;
        },
        onNewLeader: (holder) => log.info({ leader: holder, self: holder === identity }, 'leader'),
      })
      .then(async () => {
        // On a loss the elector does not wait for the work: done settles once reconciling stopped.
        await work;
        if (!stopping && work) throw new LeadershipLostError();
      });
  } else {
    leading = true;
    done = lead(stopLeading.signal).finally(() => (leading = false));
  }
  done.catch(() => undefined); // the caller decides what a lost leadership means; stop() must not throw it

  return {
    metricsUrl: metricsServer?.url,
    identity,
    get leading() {
      return leading;
    },
    done,
    readiness,
    async stop() {
      if (stopping) return;
      stopping = true;
      log.info('stopping: no new reconciles; runs continue in the workers and are resumed by the next leader');
      if (elector) await elector.release();
      stopLeading.abort('stopping');
      await done.catch((error: unknown) => log.debug({ err: error }, 'leadership had ended already'));
      for (const each of informers) each.stop();
      await Promise.all(informers.map((each) => each.finished()));
      await workers?.close(true);
      workerMetrics?.close();
      for (const connection of workerConnections) connection.disconnect();
      probe.disconnect();
      await metricsServer?.close();
      await KubeClient.for(kubeConfig).close();
    },
  };
}

function enqueueObject(controller: Controller, object: StoredObject): void {
  const { namespace, name } = object.metadata ?? {};
  if (namespace !== undefined && name !== undefined) controller.enqueue({ namespace, name });
}

/** The experiments (not finished) whose `reference` names `object` (a pool, a profile): they may wait for it. */
function experimentsUsing(experiments: ObjectCache, object: StoredObject, reference: (spec: Partial<MigrationExperimentSpec>) => string | undefined): ObjectKey[] {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name;
  return experiments
    .list()
    .filter((e) => e.metadata?.namespace === namespace && reference((e.spec ?? {}) as Partial<MigrationExperimentSpec>) === name)
    .filter((e) => !['Succeeded', 'Failed', 'Aborted'].includes(String(e.status?.phase)))
    .map((e) => ({ namespace: namespace ?? '', name: e.metadata?.name ?? '' }));
}

/** A runner's status: gone objects and refused patches are not retried (a 422 is our bug, logged). */
async function writeRunnerStatus(kubeConfig: KubeConfig, target: ReturnType<typeof targetOf>, patch: Record<string, unknown>, log: Logger): Promise<void> {
  try {
    await patchStatus(kubeConfig, target, patch);
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return;
    if (error instanceof KubeApiError && (error.status === 422 || error.status === 400)) {
      log.error({ err: error, experiment: `${target.namespace}/${target.name}` }, 'the API server refused the status: not retrying this one');
      return;
    }
    throw error;
  }
}
