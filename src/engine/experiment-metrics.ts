// What one experiment tells Prometheus, fed by its runner and run monitor: series created at zero
// when it starts, the steady-state seconds (actions by result, response-time histogram), each
// judged SLA window, its migrations (in flight, phase transitions, duration, downtime, recovery
// overall and per action),
// and the removal of all of it once the experiment is over and a scrape has seen the end.
import type { MigrationRecovery } from '../api/v1alpha1/index.ts';
import type { MigrascopeMetrics } from '../metrics/index.ts';
import { observeHdr } from '../metrics/buckets.ts';
import type { SecondSnapshot } from '../recording/index.ts';
import type { WindowEvaluation } from '../sla/index.ts';
import type { MigrationOutcome } from './migration-worker.ts';
import type { BaselineAction } from '../api/v1alpha1/index.ts';

export interface ExperimentName {
  namespace: string;
  name: string;
}

export class ExperimentMetrics {
  readonly #metrics: MigrascopeMetrics | undefined;
  readonly #labels: { namespace: string; experiment: string };

  constructor(metrics: MigrascopeMetrics | undefined, experiment: ExperimentName) {
    this.#metrics = metrics;
    this.#labels = { namespace: experiment.namespace, experiment: experiment.name };
  }

  /** The experiment starts (or resumes) judging these actions at these percentiles. */
  started(thresholdsSeconds: Readonly<Record<string, number>>, percentiles: readonly number[]): void {
    const { namespace, experiment } = this.#labels;
    this.#metrics?.startExperiment(namespace, experiment, { actions: Object.keys(thresholdsSeconds), percentiles });
    this.#metrics?.setThresholds(namespace, experiment, thresholdsSeconds);
  }

  /** The experiment reached its terminal phase: its series go after the grace period. */
  finished(): void {
    this.#metrics?.finishExperiment(this.#labels.namespace, this.#labels.experiment);
  }

  /** One merged second of steady state. */
  steadySecond(snapshot: SecondSnapshot): void {
    const metrics = this.#metrics;
    if (!metrics) return;
    for (const [action, part] of Object.entries(snapshot.actions)) {
      const errors = Object.values(part.errors).reduce((sum, n) => sum + (n ?? 0), 0);
      metrics.actions.inc({ ...this.#labels, action, result: 'ok' }, part.ok);
      if (errors > 0) metrics.actions.inc({ ...this.#labels, action, result: 'error' }, errors);
      observeHdr(metrics.actionDuration, { ...this.#labels, action }, part.histogram);
    }
  }

  window(evaluation: WindowEvaluation): void {
    const metrics = this.#metrics;
    if (!metrics) return;
    for (const [action, result] of Object.entries(evaluation.actions)) {
      for (const [percentile, value] of Object.entries(result.percentiles)) {
        const labels = { ...this.#labels, action, percentile };
        metrics.windowResponseTime.set(labels, value / 1000);
        const violated = result.violated[percentile] === true;
        metrics.slaViolating.set(labels, violated ? 1 : 0);
        if (violated) metrics.slaViolatingWindows.inc(labels);
      }
    }
  }

  /** status.baseline.actions as it stands after a measured run: the slowdowns and extra violating windows. */
  baseline(actions: readonly BaselineAction[]): void {
    const metrics = this.#metrics;
    if (!metrics) return;
    for (const { action, percentiles } of actions) {
      for (const p of percentiles) {
        const labels = { ...this.#labels, action, percentile: String(p.percentile) };
        if (p.slowdown !== undefined) metrics.baselineSlowdown.set(labels, p.slowdown);
        metrics.baselineExtraViolations.set(labels, p.extraViolations);
      }
    }
  }

  migrationsInFlight(count: number): void {
    this.#metrics?.migrationsRunning.set(this.#labels, count);
  }

  migrationStarted(atMs = Date.now()): void {
    this.#metrics?.migrationPhaseTransition.set({ ...this.#labels, phase: 'Running' }, atMs / 1000);
  }

  migrationEnded(outcome: MigrationOutcome): void {
    const metrics = this.#metrics;
    if (!metrics || outcome.state === 'Cancelled') return;
    const endMs = outcome.endTime ? Date.parse(outcome.endTime) : Date.now();
    metrics.migrationPhaseTransition.set({ ...this.#labels, phase: outcome.state }, endMs / 1000);
    if (outcome.state === 'Failed') {
      metrics.migrations.inc({ ...this.#labels, result: 'failed' });
      return;
    }
    metrics.migrations.inc({ ...this.#labels, result: 'succeeded' });
    if (outcome.durationSeconds !== undefined) metrics.migrationDuration.observe(this.#labels, outcome.durationSeconds);
    if (outcome.downtimeSeconds !== undefined) metrics.migrationDowntime.observe({ ...this.#labels, source: 'client' }, outcome.downtimeSeconds);
    if (outcome.modelDowntimeSeconds !== undefined) metrics.migrationDowntime.observe({ ...this.#labels, source: 'model' }, outcome.modelDowntimeSeconds);
  }

  /**
   * The recovery of a run's migrations, once the run is analysed (the windowed measure is final
   * only then): each measure that came back is observed, overall and per action; one that did not
   * is not (status says so).
   */
  migrationsRecovered(recoveries: readonly MigrationRecovery[]): void {
    const metrics = this.#metrics;
    if (!metrics) return;
    for (const recovery of recoveries) {
      if (recovery.seconds !== undefined) metrics.migrationRecovery.observe(this.#labels, recovery.seconds);
      if (recovery.slaSeconds !== undefined) metrics.migrationSlaRecovery.observe(this.#labels, recovery.slaSeconds);
      for (const action of recovery.perAction) {
        if (action.seconds !== undefined) metrics.migrationActionRecovery.observe({ ...this.#labels, action: action.action, measure: 'p90' }, action.seconds);
        if (action.slaSeconds !== undefined) metrics.migrationActionRecovery.observe({ ...this.#labels, action: action.action, measure: 'sla' }, action.slaSeconds);
      }
    }
  }
}
