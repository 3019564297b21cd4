// The metrics Migrascope exports. Experiment metrics answer "is the SLA met, and what did the
// migration cost?"; controller metrics reuse controller-runtime's and client-go's workqueue names
// so that the dashboards people already have for Go operators work unchanged. docs/metrics.md
// lists each one with its labels and when its series appear and go.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { ACTION_DURATION_BUCKETS, DOWNTIME_BUCKETS, MIGRATION_BUCKETS, RECONCILE_BUCKETS, RECOVERY_BUCKETS } from './buckets.ts';

const EXPERIMENT = ['namespace', 'experiment'] as const;
/** The phases of a migration whose transition time is exported (KubeVirt's, ours). */
export const MIGRATION_PHASES = ['Running', 'Succeeded', 'Failed'] as const;
/** How long an experiment's series stay after it ends: two scrapes at the usual 30 s interval. */
export const DEFAULT_SERIES_GRACE_MS = 60_000;

export interface MigrascopeMetricsOptions {
  /** Node.js process metrics (prom-client's default set); default true. */
  defaultMetrics?: boolean;
  /** How long a finished experiment's series stay, so a scrape sees its final values (default 60 s). */
  seriesGraceMs?: number;
}

/** What an experiment judges, to create its series at zero when it starts. */
export interface JudgedActions {
  actions: readonly string[];
  percentiles: readonly number[];
}

export class MigrascopeMetrics {
  readonly registry: Registry;
  readonly seriesGraceMs: number;

  /** The latest windowed percentile of an action's response time (the SLA's measure). */
  readonly windowResponseTime: Gauge<'namespace' | 'experiment' | 'action' | 'percentile'>;
  readonly slaThreshold: Gauge<'namespace' | 'experiment' | 'action'>;
  /** 1 while the latest window breaks the SLA for that action and percentile, else 0: alert on it. */
  readonly slaViolating: Gauge<'namespace' | 'experiment' | 'action' | 'percentile'>;
  readonly slaViolatingWindows: Counter<'namespace' | 'experiment' | 'action' | 'percentile'>;
  readonly actions: Counter<'namespace' | 'experiment' | 'action' | 'result'>;
  /** Steady-state response times per action, for SLOs and burn-rate alerts (Sloth, Pyrra). */
  readonly actionDuration: Histogram<'namespace' | 'experiment' | 'action'>;
  readonly migrations: Counter<'namespace' | 'experiment' | 'result'>;
  readonly migrationDuration: Histogram<'namespace' | 'experiment'>;
  readonly migrationDowntime: Histogram<'namespace' | 'experiment' | 'source'>;
  /** KubeVirt's kubevirt_vmi_migrations_in_running_phase, per experiment. */
  readonly migrationsRunning: Gauge<'namespace' | 'experiment'>;
  readonly migrationPhaseTransition: Gauge<'namespace' | 'experiment' | 'phase'>;
  readonly migrationRecovery: Histogram<'namespace' | 'experiment'>;
  readonly migrationSlaRecovery: Histogram<'namespace' | 'experiment'>;
  /** measure: p90 (per-second p90 back near its earlier level) or sla (windows back under threshold). */
  readonly migrationActionRecovery: Histogram<'namespace' | 'experiment' | 'action' | 'measure'>;
  /** kube-state-metrics style: 1 for the experiment's current phase, 0 for the others. */
  readonly experimentPhase: Gauge<'namespace' | 'experiment' | 'phase'>;
  /** With a baseline run (spec.baseline): what the migrations added to it, per action and percentile. */
  readonly baselineSlowdown: Gauge<'namespace' | 'experiment' | 'action' | 'percentile'>;
  readonly baselineExtraViolations: Gauge<'namespace' | 'experiment' | 'action' | 'percentile'>;

  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly workqueueDepth: Gauge<'controller' | 'name'>;
  readonly workqueueAdds: Counter<'controller' | 'name'>;
  readonly workqueueRetries: Counter<'controller' | 'name'>;
  readonly workqueueQueueDuration: Histogram<'controller' | 'name'>;
  readonly workqueueWorkDuration: Histogram<'controller' | 'name'>;
  readonly workqueueUnfinishedWork: Gauge<'controller' | 'name'>;
  readonly workqueueLongestRunning: Gauge<'controller' | 'name'>;

  /** Per work queue: when each key being processed was handed out (epoch ms), read at scrape time. */
  readonly #workInProgress = new Map<string, () => Iterable<number>>();
  /** Finished experiments whose series go once the grace period is over. */
  readonly #pendingRemovals = new Map<string, NodeJS.Timeout>();

  constructor(options: MigrascopeMetricsOptions = {}) {
    const registry = new Registry();
    this.registry = registry;
    this.seriesGraceMs = options.seriesGraceMs ?? DEFAULT_SERIES_GRACE_MS;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
    const registers = [registry];

    this.windowResponseTime = new Gauge({
      name: 'migrascope_sla_window_response_time_seconds',
      help: 'Response time percentile of an action over the latest SLA window',
      labelNames: [...EXPERIMENT, 'action', 'percentile'],
      registers,
    });
    this.slaThreshold = new Gauge({ name: 'migrascope_sla_threshold_seconds', help: 'SLA response time threshold of an action', labelNames: [...EXPERIMENT, 'action'], registers });
    this.slaViolating = new Gauge({
      name: 'migrascope_sla_violating',
      help: '1 while the latest SLA window of an action breaks its threshold at that percentile',
      labelNames: [...EXPERIMENT, 'action', 'percentile'],
      registers,
    });
    this.slaViolatingWindows = new Counter({
      name: 'migrascope_sla_violating_windows_total',
      help: 'SLA windows in which an action broke its threshold at that percentile',
      labelNames: [...EXPERIMENT, 'action', 'percentile'],
      registers,
    });
    this.actions = new Counter({
      name: 'migrascope_actions_total',
      help: 'User actions completed in steady state, by result (ok or error)',
      labelNames: [...EXPERIMENT, 'action', 'result'],
      registers,
    });
    this.actionDuration = new Histogram({
      name: 'migrascope_action_duration_seconds',
      help: 'Response time of the successful user actions of steady state',
      labelNames: [...EXPERIMENT, 'action'],
      buckets: ACTION_DURATION_BUCKETS,
      registers,
    });
    this.migrations = new Counter({
      name: 'migrascope_migrations_total',
      help: 'Live migrations performed, by result (succeeded or failed)',
      labelNames: [...EXPERIMENT, 'result'],
      registers,
    });
    this.migrationDuration = new Histogram({
      name: 'migrascope_migration_duration_seconds',
      help: 'Live migration time from the request to the end of the XAPI task',
      labelNames: [...EXPERIMENT],
      buckets: MIGRATION_BUCKETS,
      registers,
    });
    this.migrationDowntime = new Histogram({
      name: 'migrascope_migration_downtime_seconds',
      help: 'Downtime of a live migration: seen by clients (source="client") or predicted (source="model")',
      labelNames: [...EXPERIMENT, 'source'],
      buckets: DOWNTIME_BUCKETS,
      registers,
    });
    this.migrationsRunning = new Gauge({
      name: 'migrascope_migrations_in_running_phase',
      help: 'Live migrations asked of XAPI whose end is not known yet',
      labelNames: [...EXPERIMENT],
      registers,
    });
    this.migrationPhaseTransition = new Gauge({
      name: 'migrascope_migration_phase_transition_timestamp_seconds',
      help: 'When the latest migration of the experiment entered that phase (Unix time)',
      labelNames: [...EXPERIMENT, 'phase'],
      registers,
    });
    this.migrationRecovery = new Histogram({
      name: 'migrascope_migration_recovery_seconds',
      help: "From the end of a migration's stop-and-copy until every action's per-second p90 response time is back within 10 % of its pre-migration level",
      labelNames: [...EXPERIMENT],
      buckets: RECOVERY_BUCKETS,
      registers,
    });
    this.migrationSlaRecovery = new Histogram({
      name: 'migrascope_migration_sla_recovery_seconds',
      help: "From the end of a migration's stop-and-copy until every action's sliding SLA windows are back under threshold",
      labelNames: [...EXPERIMENT],
      buckets: RECOVERY_BUCKETS,
      registers,
    });
    this.migrationActionRecovery = new Histogram({
      name: 'migrascope_migration_action_recovery_seconds',
      help: "From the end of a migration's stop-and-copy until one action is back: its per-second p90 within 10 % of before (measure=\"p90\") or its SLA windows under threshold (measure=\"sla\")",
      labelNames: [...EXPERIMENT, 'action', 'measure'],
      buckets: RECOVERY_BUCKETS,
      registers,
    });
    this.experimentPhase = new Gauge({
      name: 'migrascope_experiment_phase',
      help: 'Current phase of an experiment (1 for the current phase)',
      labelNames: [...EXPERIMENT, 'phase'],
      registers,
    });

    this.baselineSlowdown = new Gauge({
      name: 'migrascope_baseline_slowdown_ratio',
      help: "The runs' mean highest windowed percentile over the baseline run's (no migration): 1 = no cost",
      labelNames: [...EXPERIMENT, 'action', 'percentile'],
      registers,
    });
    this.baselineExtraViolations = new Gauge({
      name: 'migrascope_baseline_extra_violating_windows',
      help: "Violating windows per run with migration beyond the baseline run's (no migration)",
      labelNames: [...EXPERIMENT, 'action', 'percentile'],
      registers,
    });

    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers });

    const QUEUE = ['controller', 'name'] as const;
    this.workqueueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: QUEUE, registers });
    this.workqueueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: QUEUE, registers });
    this.workqueueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: QUEUE, registers });
    this.workqueueQueueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: QUEUE,
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.workqueueWorkDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: QUEUE,
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    const inProgress = this.#workInProgress;
    this.workqueueUnfinishedWork = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration',
      labelNames: QUEUE,
      registers,
      collect() {
        const now = Date.now();
        for (const [name, starts] of inProgress) {
          let total = 0;
          for (const start of starts()) total += now - start;
          this.set({ controller: name, name }, total / 1000);
        }
      },
    });
    this.workqueueLongestRunning = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running',
      labelNames: QUEUE,
      registers,
      collect() {
        const now = Date.now();
        for (const [name, starts] of inProgress) {
          let oldest = now;
          for (const start of starts()) oldest = Math.min(oldest, start);
          this.set({ controller: name, name }, (now - oldest) / 1000);
        }
      },
    });
  }

  /** A work queue's keys in progress (when each was handed out), read when Prometheus scrapes. */
  trackWorkQueue(name: string, handedOutAt: () => Iterable<number>): void {
    this.#workInProgress.set(name, handedOutAt);
  }

  /** The SLA threshold of each action the experiment judges (its profile's actions, nothing else). */
  setThresholds(namespace: string, experiment: string, thresholdsSeconds: Readonly<Record<string, number>>): void {
    for (const [action, seconds] of Object.entries(thresholdsSeconds)) this.slaThreshold.set({ namespace, experiment, action }, seconds);
  }

  /** Marks `phase` as the experiment's current phase and every other known phase as not. */
  setPhase(namespace: string, experiment: string, phase: string, allPhases: readonly string[]): void {
    for (const candidate of allPhases) {
      this.experimentPhase.set({ namespace, experiment, phase: candidate }, candidate === phase ? 1 : 0);
    }
  }

  /**
   * An experiment starts (or resumes): its counters and histograms exist from now on at zero, so
   * that increase() and rate() see its first migration and first breach go from 0 to 1. A removal
   * still pending for an earlier experiment of the same name is called off.
   */
  startExperiment(namespace: string, experiment: string, judged: JudgedActions): void {
    this.#cancelRemoval(namespace, experiment);
    const labels = { namespace, experiment };
    for (const action of judged.actions) {
      for (const result of ['ok', 'error']) this.actions.inc({ ...labels, action, result }, 0);
      this.actionDuration.zero({ ...labels, action });
      for (const percentile of judged.percentiles) this.slaViolatingWindows.inc({ ...labels, action, percentile: String(percentile) }, 0);
    }
    for (const result of ['succeeded', 'failed']) this.migrations.inc({ ...labels, result }, 0);
    this.migrationDuration.zero(labels);
    for (const source of ['client', 'model']) this.migrationDowntime.zero({ ...labels, source });
    this.migrationRecovery.zero(labels);
    this.migrationSlaRecovery.zero(labels);
    this.migrationsRunning.set(labels, 0);
  }

  /** The experiment ended: its series go after the grace period, once a scrape has seen their final values. */
  finishExperiment(namespace: string, experiment: string, graceMs = this.seriesGraceMs): void {
    this.#cancelRemoval(namespace, experiment);
    const timer = setTimeout(() => {
      this.#pendingRemovals.delete(seriesKey(namespace, experiment));
      void this.forgetExperiment(namespace, experiment);
    }, graceMs);
    timer.unref(); // a pending removal alone must not keep a process alive
    this.#pendingRemovals.set(seriesKey(namespace, experiment), timer);
  }

  /** Removes every series of the experiment now (it was deleted, or its grace period is over). */
  async forgetExperiment(namespace: string, experiment: string): Promise<void> {
    this.#cancelRemoval(namespace, experiment);
    for (const metric of this.#experimentMetrics()) {
      const seen = new Set<string>();
      for (const { labels } of (await metric.get()).values) {
        if (labels.namespace !== namespace || labels.experiment !== experiment) continue;
        const { le: _le, ...series } = labels;
        const key = JSON.stringify(series);
        if (seen.has(key)) continue;
        seen.add(key);
        metric.remove(series as Record<string, string>);
      }
    }
  }

  #experimentMetrics(): Metric<string>[] {
    return [
      this.windowResponseTime,
      this.slaThreshold,
      this.slaViolating,
      this.slaViolatingWindows,
      this.actions,
      this.actionDuration,
      this.migrations,
      this.migrationDuration,
      this.migrationDowntime,
      this.migrationsRunning,
      this.migrationPhaseTransition,
      this.migrationRecovery,
      this.migrationSlaRecovery,
      this.migrationActionRecovery,
      this.experimentPhase,
      this.baselineSlowdown,
      this.baselineExtraViolations,
    ] as Metric<string>[];
  }

  #cancelRemoval(namespace: string, experiment: string): void {
    const key = seriesKey(namespace, experiment);
    clearTimeout(this.#pendingRemovals.get(key));
    this.#pendingRemovals.delete(key);
  }
}

function seriesKey(namespace: string, experiment: string): string {
  return `${namespace}/${experiment}`;
}
