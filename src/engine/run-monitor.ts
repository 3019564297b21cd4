// Watches one run from the engine's side until it is over: merges the seconds the load workers
// stream, judges the SLA windows live (metrics, abort on violation), follows the migrations the
// workers perform, tells the phase, and stops the run when asked. It decides nothing from events
// it might have missed: each tick reads the state in Redis afresh (level-triggered).
import type { RedisClient } from '../queue/redis-connection.ts';
import { durationMs, type LoadGap, type MigrationExperiment, type RedisOutage } from '../api/v1alpha1/index.ts';
import type { Logger } from '../log/index.ts';
import type { MigrascopeMetrics } from '../metrics/index.ts';
import type { ExperimentQueues } from '../queue/queues.ts';
import { RunKeys } from '../queue/run-keys.ts';
import type { SecondSnapshot } from '../recording/index.ts';
import { SlidingWindowSla, type WindowEvaluation } from '../sla/index.ts';
import type { ShardEnd } from './load-worker.ts';
import type { MigrationOutcome } from './migration-worker.ts';
import { stageAt, type PlannedMigration, type RunPlan } from './plan.ts';
import { slaOptions } from './run-analysis.ts';
import { SecondCollector } from './second-stream.ts';
import { ExperimentMetrics } from './experiment-metrics.ts';

export const RUN_PHASES = ['RampUp', 'SteadyState', 'Migrating', 'RampDown'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface RunEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RunMonitorHooks {
  onPhase?(phase: RunPhase): void;
  onEvent?(event: RunEvent): void;
  onWindow?(evaluation: WindowEvaluation): void;
  /** Called after every tick that changed something a status would show. */
  onChange?(): void;
}

/** A tick whose Redis round trips took this long means Redis was away (they take milliseconds). */
export const REDIS_OUTAGE_MS = 5000;

export interface RunOutcome {
  seconds: SecondSnapshot[];
  /** The times Redis did not answer the engine for REDIS_OUTAGE_MS or more. */
  redisOutages: RedisOutage[];
  /** Seconds a shard went unmeasured between its worker's death and another worker's takeover. */
  loadGaps: LoadGap[];
  migrations: MigrationOutcome[];
  shards: ShardEnd[];
  /** Set when the run was stopped early, with why. */
  abortedBecause?: string;
  /** Set when something broke (a migration, a shard), with what. */
  failedBecause?: string;
}

export interface RunMonitorDeps {
  redis: RedisClient;
  prefix: string;
  queues: ExperimentQueues;
  log: Logger;
  metrics?: MigrascopeMetrics | undefined;
  pollMs?: number;
}

export class RunMonitor {
  readonly plan: RunPlan;
  readonly #experiment: MigrationExperiment;
  readonly #deps: RunMonitorDeps;
  readonly #keys: RunKeys;
  readonly #collector: SecondCollector;
  readonly #liveSla: SlidingWindowSla;
  readonly #metrics: ExperimentMetrics;
  #nextLiveSecond: number;
  #phase: RunPhase | undefined;
  #migrations = new Map<number, MigrationOutcome>();
  #claimed = new Set<number>();
  #shards = new Map<number, ShardEnd>();
  #violationsSeen = new Set<string>();
  #abortedBecause: string | undefined;
  /** The stop is in Redis (the workers see it) and pending migrations are dropped. */
  #abortWritten = false;
  #aborting = false;
  #failedBecause: string | undefined;
  #ticks = 0;
  #redisOutages: RedisOutage[] = [];
  #refusalsSeen = new Set<string>();

  /** `resumedAt`: the phase status showed when a restarted engine takes the run over. */
  constructor(experiment: MigrationExperiment, plan: RunPlan, deps: RunMonitorDeps, resumedAt?: RunPhase) {
    this.#phase = resumedAt;
    this.#experiment = experiment;
    this.plan = plan;
    this.#deps = deps;
    this.#keys = new RunKeys(deps.prefix, plan.experiment, plan.run);
    this.#collector = new SecondCollector(deps.redis, this.#keys, plan.shards.length);
    const options = slaOptions(experiment.spec.sla, plan);
    this.#liveSla = new SlidingWindowSla(options);
    this.#metrics = new ExperimentMetrics(deps.metrics, plan.experiment);
    this.#nextLiveSecond = options.start / 1000;
  }

  get phase(): RunPhase | undefined {
    return this.#phase;
  }

  migrations(): MigrationOutcome[] {
    return [...this.#migrations.values()].sort((a, b) => a.index - b.index);
  }

  /** The times Redis did not answer for a while, so far. */
  redisOutages(): RedisOutage[] {
    return [...this.#redisOutages];
  }

  /** Seconds shards went unmeasured because their worker died, so far. */
  loadGaps(): LoadGap[] {
    return this.#collector.gaps.map((gap) => ({
      shard: gap.shard,
      startTime: new Date(gap.fromSecond * 1000).toISOString(),
      endTime: new Date((gap.toSecond + 1) * 1000).toISOString(),
      seconds: gap.toSecond + 1 - gap.fromSecond,
    }));
  }

  /** Migrations asked of XAPI whose end is not known yet. */
  inFlight(): number[] {
    return [...this.#claimed].filter((index) => !this.#migrations.has(index));
  }

  /** Runs until every shard has ended and every migration is resolved. */
  async watch(hooks: RunMonitorHooks, signal?: AbortSignal): Promise<RunOutcome> {
    const onAbort = (): void => this.#abortInBackground(String(signal?.reason ?? 'stopped'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      for (;;) {
        // While Redis is away every command waits (ioredis queues them until it is back): a tick
        // that took seconds is the length of an outage, whether the server went away or froze.
        const tickStart = Date.now();
        const done = await this.#tick(hooks);
        this.#noteSlowRedis(tickStart, Date.now(), hooks);
        if (done) break;
        await new Promise((resolve) => setTimeout(resolve, this.#deps.pollMs ?? 500));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    await this.#collector.poll();
    return {
      seconds: this.#collector.all(),
      redisOutages: this.redisOutages(),
      loadGaps: this.loadGaps(),
      migrations: this.migrations(),
      shards: [...this.#shards.values()],
      ...(this.#abortedBecause ? { abortedBecause: this.#abortedBecause } : {}),
      ...(this.#failedBecause ? { failedBecause: this.#failedBecause } : {}),
    };
  }

  #noteSlowRedis(startMs: number, endMs: number, hooks: RunMonitorHooks): void {
    if (endMs - startMs < REDIS_OUTAGE_MS) return;
    const outage: RedisOutage = { startTime: new Date(startMs).toISOString(), endTime: new Date(endMs).toISOString(), seconds: Math.round((endMs - startMs) / 100) / 10 };
    if (this.#redisOutages.length < 32) this.#redisOutages.push(outage);
    const message = `Redis did not answer for ${outage.seconds}s (from ${outage.startTime} to ${outage.endTime}); the load went on measuring and its seconds arrived once Redis was back`;
    this.#deps.log.warn({ outage }, message);
    hooks.onEvent?.({ type: 'Warning', reason: 'RedisUnavailable', message });
    hooks.onChange?.();
  }

  /**
   * Stops the run: the load ends, migrations not yet started are dropped, a migration in flight
   * is left to finish (a live migration is not torn in half), everything measured is kept.
   */
  async abort(reason: string): Promise<void> {
    if (this.#abortWritten || this.#aborting) return;
    this.#abortedBecause ??= reason;
    this.#aborting = true;
    try {
      await this.#writeAbort(this.#abortedBecause);
      this.#abortWritten = true;
    } finally {
      this.#aborting = false;
    }
  }

  async #writeAbort(reason: string): Promise<void> {
    this.#deps.log.warn({ reason }, 'stopping the run');
    await this.#deps.redis.set(this.#keys.abort, reason);
    for (const migration of this.plan.migrations) {
      if (this.#migrations.has(migration.index)) continue;
      const dropped = await this.#deps.queues.cancelMigration({ experiment: this.plan.experiment, run: this.plan.run, index: migration.index });
      if (dropped && !(await this.#deps.redis.exists(this.#keys.migrationClaim(migration.index)))) {
        const outcome: MigrationOutcome = { index: migration.index, offsetMs: migration.offsetMs, state: 'Cancelled', message: `not started: the run was stopped (${reason})` };
        await this.#deps.redis.hsetnx(this.#keys.migrations, String(migration.index), JSON.stringify(outcome));
      }
    }
  }

  /** From a callback that cannot wait: a failure to stop (Redis gone) is logged, never unhandled. */
  #abortInBackground(reason: string): void {
    this.abort(reason).catch((error: unknown) => this.#deps.log.error({ err: error, reason }, 'stopping the run failed; the next tick tries again'));
  }

  async #tick(hooks: RunMonitorHooks): Promise<boolean> {
    this.#ticks += 1;
    if (this.#abortedBecause !== undefined && !this.#abortWritten) await this.abort(this.#abortedBecause);
    const gapsBefore = this.#collector.gaps.length;
    const changed = await this.#collector.poll();
    for (const gap of this.loadGaps().slice(gapsBefore)) {
      const message = `load shard ${gap.shard} lost its worker: its users went unmeasured for ${gap.seconds}s (${gap.startTime} to ${gap.endTime}) until another worker took it over`;
      this.#deps.log.warn({ gap }, message);
      hooks.onEvent?.({ type: 'Warning', reason: 'LoadGap', message });
    }
    this.#feedLiveSla(hooks);
    const migrationsChanged = await this.#readMigrations(hooks);
    const shardsChanged = await this.#readShards();
    await this.#readRefusals(hooks);
    this.#updatePhase(hooks);
    this.#metrics.migrationsInFlight(this.inFlight().length);
    if (changed.length > 0 || migrationsChanged || shardsChanged) hooks.onChange?.();
    await this.#enforceMigrationTimeouts();
    const allShardsEnded = this.#shards.size >= this.plan.shards.length;
    const allMigrationsResolved = this.plan.migrations.every((m) => this.#migrations.has(m.index));
    return allShardsEnded && allMigrationsResolved;
  }

  #feedLiveSla(hooks: RunMonitorHooks): void {
    const through = Math.min(this.#collector.watermark, Math.floor(this.plan.steadyEndMs / 1000));
    while (this.#nextLiveSecond < through) {
      const second = this.#nextLiveSecond;
      const snapshot = this.#collector.second(second) ?? { second, actions: {} };
      this.#metrics.steadySecond(snapshot);
      for (const evaluation of this.#liveSla.add(snapshot)) this.#judged(evaluation, hooks);
      this.#nextLiveSecond += 1;
    }
  }

  #judged(evaluation: WindowEvaluation, hooks: RunMonitorHooks): void {
    hooks.onWindow?.(evaluation);
    this.#metrics.window(evaluation);
    const abortOn = this.#experiment.spec.abort.onViolation;
    for (const [action, result] of Object.entries(evaluation.actions)) {
      for (const [percentile, value] of Object.entries(result.percentiles)) {
        if (result.violated[percentile] !== true) continue;
        const key = `${action}/${percentile}`;
        const message = `${action} p${percentile} ${(value / 1000).toFixed(3)}s over its threshold in the window ending ${new Date(evaluation.end).toISOString()}`;
        if (!this.#violationsSeen.has(key)) {
          this.#violationsSeen.add(key);
          hooks.onEvent?.({ type: 'Warning', reason: 'SlaViolated', message });
        }
        if (abortOn !== 'none' && `p${percentile}` === abortOn) this.#abortInBackground(`SLA violated: ${message}`);
      }
    }
  }

  async #readMigrations(hooks: RunMonitorHooks): Promise<boolean> {
    let changed = false;
    const recorded = await this.#deps.redis.hgetall(this.#keys.migrations);
    for (const migration of this.plan.migrations) {
      if (!this.#claimed.has(migration.index) && (await this.#deps.redis.exists(this.#keys.migrationClaim(migration.index)))) {
        this.#claimed.add(migration.index);
        this.#metrics.migrationStarted();
        changed = true;
        hooks.onEvent?.({ type: 'Normal', reason: 'MigrationStarted', message: `migration ${migration.index} of run ${this.plan.run} started` });
      }
      const text = recorded[String(migration.index)];
      if (text === undefined || this.#migrations.has(migration.index)) continue;
      const outcome = JSON.parse(text) as MigrationOutcome;
      this.#migrations.set(migration.index, outcome);
      changed = true;
      this.#observeMigration(outcome, hooks);
    }
    return changed;
  }

  #observeMigration(outcome: MigrationOutcome, hooks: RunMonitorHooks): void {
    this.#metrics.migrationEnded(outcome);
    const where = `${outcome.source ?? '?'} -> ${outcome.destination ?? '?'}`;
    if (outcome.state === 'Succeeded') {
      hooks.onEvent?.({
        type: 'Normal',
        reason: 'MigrationSucceeded',
        message: `migration ${outcome.index} (${where}) took ${outcome.durationSeconds?.toFixed(1)}s, clients saw ${outcome.downtimeSeconds?.toFixed(3) ?? '?'}s of downtime`,
      });
    } else if (outcome.state === 'Failed') {
      this.#failedBecause ??= `migration ${outcome.index} (${where}) failed: ${outcome.message ?? 'no reason given'}`;
      hooks.onEvent?.({ type: 'Warning', reason: 'MigrationFailed', message: this.#failedBecause });
    }
  }

  async #readShards(): Promise<boolean> {
    let changed = false;
    const ended = await this.#deps.redis.hgetall(this.#keys.shards);
    for (const [shard, text] of Object.entries(ended)) {
      if (this.#shards.has(Number(shard))) continue;
      const end = JSON.parse(text) as ShardEnd;
      this.#shards.set(Number(shard), end);
      // A shard its worker refused (a load target not allowed, no worker with its clock in bound) measured nothing.
      if (end.state === 'failed') this.#failedBecause ??= `load shard ${shard} failed: ${end.message ?? 'no reason given'}`;
      changed = true;
    }
    // A shard whose job failed for good never writes its end: BullMQ's state says so.
    if (this.#ticks % 10 === 0 && Date.now() > this.plan.startAtMs) {
      for (const { shard } of this.plan.shards) {
        if (this.#shards.has(shard)) continue;
        const { state, reason } = await this.#deps.queues.loadState({ experiment: this.plan.experiment, run: this.plan.run, shard });
        if (state !== 'failed') continue;
        const end: ShardEnd = { shard, state: 'failed', completed: 0, errors: 0, message: reason ?? 'the load job failed' };
        this.#shards.set(shard, end);
        this.#failedBecause ??= `load shard ${shard} failed: ${end.message}`;
        changed = true;
      }
    }
    return changed;
  }

  /** A worker that refused a shard (its clock out of bound), once per worker and shard: a Warning event. */
  async #readRefusals(hooks: RunMonitorHooks): Promise<void> {
    for (const [who, reason] of Object.entries(await this.#deps.redis.hgetall(this.#keys.refusals))) {
      if (this.#refusalsSeen.has(who)) continue;
      this.#refusalsSeen.add(who);
      const [shard, worker] = who.split(' ');
      const message = `worker ${worker ?? '?'} refused load shard ${shard ?? '?'}: ${reason}`;
      this.#deps.log.warn({ shard, worker }, message);
      hooks.onEvent?.({ type: 'Warning', reason: 'ShardRefused', message });
    }
  }

  /**
   * Phases only move forward within a run: RampUp, SteadyState, Migrating (from the first
   * migration's start to the end of steady state; each migration's own state is in status),
   * RampDown. A person watching never sees the run go back.
   */
  #updatePhase(hooks: RunMonitorHooks): void {
    const stage = stageAt(this.plan, Date.now());
    let phase: RunPhase = stage === 'before' || stage === 'rampUp' ? 'RampUp' : stage === 'steady' ? 'SteadyState' : 'RampDown';
    if (phase === 'SteadyState' && this.#claimed.size > 0) phase = 'Migrating';
    const from = this.#phase === undefined ? -1 : RUN_PHASES.indexOf(this.#phase);
    const to = RUN_PHASES.indexOf(phase);
    // A tick that comes late (a busy engine) still reports the stages the run went through.
    for (let index = from + 1; index <= to; index += 1) {
      const passed = RUN_PHASES[index]!;
      if (passed === 'Migrating' && this.#claimed.size === 0) continue;
      this.#phase = passed;
      hooks.onPhase?.(passed);
    }
  }

  async #enforceMigrationTimeouts(): Promise<void> {
    const timeoutMs = this.#timeoutMs();
    for (const migration of this.plan.migrations) {
      if (this.#migrations.has(migration.index)) continue;
      const startsAtMs = this.#startOf(migration);
      if (startsAtMs === undefined || Date.now() < startsAtMs + timeoutMs) continue;
      const message = `migration ${migration.index} did not end within ${timeoutMs / 1000}s of its start (migrations.timeout)`;
      this.#failedBecause ??= message;
      const outcome: MigrationOutcome = { index: migration.index, offsetMs: migration.offsetMs, state: 'Failed', message };
      await this.#deps.redis.hsetnx(this.#keys.migrations, String(migration.index), JSON.stringify(outcome));
    }
  }

  /** When a migration starts: when due, or in sequence when the one before it ended (undefined: not yet). */
  #startOf(migration: PlannedMigration): number | undefined {
    if (migration.after === undefined) return migration.dueAtMs;
    const previous = this.#migrations.get(migration.after);
    if (!previous) return undefined;
    return previous.endTime === undefined ? migration.dueAtMs : Math.max(migration.dueAtMs, Date.parse(previous.endTime));
  }

  #timeoutMs(): number {
    return durationMs(this.#experiment.spec.migrations?.timeout ?? '15m');
  }
}
