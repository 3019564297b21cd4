// What one experiment tells Prometheus, fed by its runner and run monitor: series created at zero
// when it starts, the steady-state seconds (actions by result, response-time histogram), each
// judged SLA window, its migrations (in flight, phase transitions, duration, downtime, recovery),
// and the removal of all of it once the experiment is over and a scrape has seen the end.
import type { MigrascopeMetrics } from '../metrics/index.ts';
import { observeHdr } from '../metrics/buckets.ts';
import type { SecondSnapshot } from '../recording/index.ts';
import { recoveryTime, type WindowEvaluation } from '../sla/index.ts';
import type { MigrationOutcome } from './migration-worker.ts';
import type { BaselineAction } from '../api/v1alpha1/index.ts';

export interface ExperimentName {
  namespace: string;
  name: string;
}

export class ExperimentMetrics {
  readonly #metrics: MigrascopeMetrics | undefined;
  readonly #labels: { namespace: string; experiment: string };
  /** Migrations whose recovery time was observed (or cannot be known). */
  readonly #recoveryResolved = new Set<number>();

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
   * Observes the recovery time of each succeeded migration once the seconds after it show users
   * back at their earlier level; `knownBefore` is the first epoch second not complete yet.
   */
  watchRecoveries(migrations: readonly MigrationOutcome[], secondAt: (second: number) => SecondSnapshot | undefined, knownBefore: number, steadyStartMs: number): void {
    if (!this.#metrics) return;
    for (const migration of migrations) {
      if (this.#recoveryResolved.has(migration.index) || migration.state !== 'Succeeded' || !migration.startTime || !migration.endTime) continue;
      const recovery = recoveryTime(secondAt, knownBefore, { startMs: Date.parse(migration.startTime), endMs: Date.parse(migration.endTime), notBeforeMs: steadyStartMs });
      if (recovery.state === 'pending') continue;
      this.#recoveryResolved.add(migration.index);
      if (recovery.state === 'recovered') this.#metrics.migrationRecovery.observe(this.#labels, recovery.seconds);
    }
  }
}
