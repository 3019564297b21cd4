// The metrics Migrascope exports. Experiment metrics answer "is the SLA met, and what did the
// migration cost?"; controller metrics reuse controller-runtime's and client-go's workqueue names
// so that the dashboards people already have for Go operators work unchanged.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const EXPERIMENT = ['namespace', 'experiment'] as const;

/** Migration times from sub-second testbed runs up to the study's 44 s and beyond. */
const MIGRATION_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 300];
const DOWNTIME_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class MigrascopeMetrics {
  readonly registry: Registry;

  /** The latest windowed percentile of an action's response time (the SLA's measure). */
  readonly windowResponseTime: Gauge<'namespace' | 'experiment' | 'action' | 'percentile'>;
  readonly slaThreshold: Gauge<'namespace' | 'experiment' | 'action'>;
  /** 1 while the latest window breaks the SLA for that action and percentile, else 0: alert on it. */
  readonly slaViolating: Gauge<'namespace' | 'experiment' | 'action' | 'percentile'>;
  readonly slaViolatingWindows: Counter<'namespace' | 'experiment' | 'action' | 'percentile'>;
  readonly actions: Counter<'namespace' | 'experiment' | 'action' | 'result'>;
  readonly migrations: Counter<'namespace' | 'experiment' | 'result'>;
  readonly migrationDuration: Histogram<'namespace' | 'experiment'>;
  readonly migrationDowntime: Histogram<'namespace' | 'experiment' | 'source'>;
  /** kube-state-metrics style: 1 for the experiment's current phase, 0 for the others. */
  readonly experimentPhase: Gauge<'namespace' | 'experiment' | 'phase'>;

  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly workqueueDepth: Gauge<'name'>;
  readonly workqueueAdds: Counter<'name'>;
  readonly workqueueRetries: Counter<'name'>;
  readonly workqueueQueueDuration: Histogram<'name'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
    const registers = [registry];

    this.windowResponseTime = new Gauge({
      name: 'migrascope_sla_window_response_time_seconds',
      help: 'Response time percentile of an action over the latest SLA window',
      labelNames: [...EXPERIMENT, 'action', 'percentile'],
      registers,
    });
    this.slaThreshold = new Gauge({
      name: 'migrascope_sla_threshold_seconds',
      help: 'SLA response time threshold of an action',
      labelNames: [...EXPERIMENT, 'action'],
      registers,
    });
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
    this.experimentPhase = new Gauge({
      name: 'migrascope_experiment_phase',
      help: 'Current phase of an experiment (1 for the current phase)',
      labelNames: [...EXPERIMENT, 'phase'],
      registers,
    });

    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.workqueueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.workqueueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.workqueueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.workqueueQueueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
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
}
