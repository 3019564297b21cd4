// One MigrationExperiment from Pending to a terminal phase: its runs back to back, each planned,
// queued (load shards and delayed migrations in BullMQ), watched, analysed and written to status.
// The progress is checkpointed in Redis (which run, when it started, the finished runs), so an
// engine that restarts mid-run re-attaches to the same run instead of starting another one.
import type { RedisClient } from '../queue/redis-connection.ts';
import { join } from 'node:path';
import { durationMs, migrationOffsetsMs, testbedModelInputs, vmIdentifier, EXPERIMENT_PHASES, type ExperimentPhase, type MigrationExperiment, type MigrationExperimentStatus, type MigrationRecovery, type MigrationResult, type LoadGap, type RedisOutage, type RunResult } from '../api/v1alpha1/index.ts';
import type { Logger } from '../log/index.ts';
import type { MigrascopeMetrics } from '../metrics/index.ts';
import type { ExperimentRef } from '../queue/contracts.ts';
import type { ExperimentQueues } from '../queue/queues.ts';
import { experimentStateKey } from '../queue/run-keys.ts';
import type { WindowEvaluation } from '../sla/index.ts';
import { sleep } from '../quantity/index.ts';
import { testbedOnRealPool, XenPool } from '../xen/index.ts';
import { experimentConditions } from './conditions.ts';
import { baselineStatus } from './baseline-comparison.ts';
import { BASELINE_RUN, runFileLabel, runLabel } from './run-numbers.ts';
import { ExperimentMetrics } from './experiment-metrics.ts';
import type { MigrationOutcome, PoolResolver } from './migration-worker.ts';
import type { ShardEnd } from './load-worker.ts';
import { planRun, type RunPlan } from './plan.ts';
import { runRecoveries } from './migration-recovery.ts';
import { analyzeRun, summarizeRuns } from './run-analysis.ts';
import { RUN_PHASES, RunMonitor, type RunEvent, type RunOutcome, type RunPhase } from './run-monitor.ts';
import { ProfileProblem, resolveProfile, withJudgedThresholds, type ProfileLookup, type ResolvedProfile } from './workload-profile.ts';

export interface EngineDeps {
  redis: RedisClient;
  prefix: string;
  queues: ExperimentQueues;
  resolvePool: PoolResolver;
  log: Logger;
  metrics?: MigrascopeMetrics | undefined;
  /** Where request logs go when the experiment records them (default ./migrascope-results). */
  resultsDir?: string;
  /** Time between planning a run and its start, so every worker has its job (default 2 s). */
  leadMs?: number;
  pollMs?: number;
  /** WorkloadProfiles by namespace and name, for experiments with a workload.profileRef. */
  profiles?: ProfileLookup | undefined;
}

export interface ExperimentObserver {
  /** The whole status, after every change worth showing (throttled to about one a second). */
  onStatus?(status: MigrationExperimentStatus): void | Promise<void>;
  onEvent?(event: RunEvent): void | Promise<void>;
  onWindow?(run: number, evaluation: WindowEvaluation): void;
  /** A finished run, with its merged seconds (the report's raw material). */
  onRunFinished?(run: RunResult, outcome: RunOutcome, plan: RunPlan): void | Promise<void>;
}

interface Checkpoint {
  startTime?: string;
  /** The profile as resolved when the experiment started: every run uses it, whatever happens to the original. */
  profile?: ResolvedProfile;
  current?: { run: number; startAtMs: number };
  /** The baseline run (spec.baseline), once finished; it is not one of `finished`. */
  baseline?: RunResult;
  finished: RunResult[];
}

export class ExperimentRunner {
  /** The experiment as its runs use it: once started, its SLA judges exactly the profile's actions. */
  #experiment: MigrationExperiment;
  #profile: ResolvedProfile | undefined;
  readonly #ref: ExperimentRef;
  readonly #deps: EngineDeps;
  readonly #observer: ExperimentObserver;
  readonly #log: Logger;
  #status: MigrationExperimentStatus;
  #lastPublished = 0;
  #monitor: RunMonitor | undefined;
  readonly #metrics: ExperimentMetrics;

  constructor(experiment: MigrationExperiment, ref: ExperimentRef, deps: EngineDeps, observer: ExperimentObserver = {}) {
    this.#experiment = experiment;
    this.#ref = ref;
    this.#deps = deps;
    this.#observer = observer;
    this.#log = deps.log.child({ experiment: `${ref.namespace}/${ref.name}` });
    this.#metrics = new ExperimentMetrics(deps.metrics, ref);
    this.#status = { ...(experiment.status ?? {}), observedGeneration: experiment.metadata.generation ?? 0 };
  }

  get status(): MigrationExperimentStatus {
    return this.#status;
  }

  /** The experiment as run: after run() started, with the thresholds its profile's actions are judged by. */
  get experiment(): MigrationExperiment {
    return this.#experiment;
  }

  /** Runs (or resumes) the experiment to its end; `signal` stops it as Aborted, keeping the evidence. */
  async run(signal?: AbortSignal): Promise<MigrationExperimentStatus> {
    const checkpoint = await this.#load();
    checkpoint.startTime ??= new Date().toISOString();
    if (!checkpoint.profile) {
      try {
        checkpoint.profile = resolveProfile(this.#experiment.spec, this.#ref.namespace, this.#deps.profiles);
      } catch (error) {
        if (!(error instanceof ProfileProblem)) throw error;
        return this.#refuse(error);
      }
    }
    this.#useProfile(checkpoint.profile);
    const spec = this.#experiment.spec;
    await this.#save(checkpoint);
    this.#status = {
      ...this.#status,
      startTime: checkpoint.startTime,
      profile: { ...checkpoint.profile.source, actions: checkpoint.profile.actions },
      runs: checkpoint.finished,
      ...baselineStatus(checkpoint.baseline, checkpoint.finished),
      completedRuns: checkpoint.finished.length,
      // One per offset of the schedule, however many VMs each moves.
      migrationOffsets: migrationOffsetsMs(spec.migrations).map((offsetMs) => `${offsetMs / 1000}s`),
    };
    let terminal: { phase: ExperimentPhase; reason: string; message: string } | undefined;
    // The baseline goes first, and only then: measured runs already finished are never run again for it.
    const first = spec.baseline?.enabled && !checkpoint.baseline && checkpoint.finished.length === 0 ? BASELINE_RUN : checkpoint.finished.length + 1;
    for (let run = first; run <= spec.repetitions && !terminal; run += 1) {
      if (signal?.aborted) {
        terminal = { phase: 'Aborted', reason: 'Stopped', message: `stopped before ${runLabel(run)}: ${String(signal.reason)}` };
        break;
      }
      const resumeAt = checkpoint.current?.run === run ? checkpoint.current.startAtMs : undefined;
      const result = await this.#runOnce(run, resumeAt, checkpoint, signal);
      if (run === BASELINE_RUN) checkpoint.baseline = result;
      else checkpoint.finished.push(result);
      delete checkpoint.current;
      await this.#save(checkpoint);
      this.#status = { ...this.#status, runs: [...checkpoint.finished], completedRuns: checkpoint.finished.length, summary: summarizeRuns(checkpoint.finished), ...baselineStatus(checkpoint.baseline, checkpoint.finished) };
      this.#metrics.baseline(this.#status.baseline?.actions ?? []);
      const which = run === BASELINE_RUN ? 'the baseline run: ' : '';
      if (result.state === 'Aborted') terminal = { phase: 'Aborted', reason: signal?.aborted ? 'Stopped' : 'SlaViolated', message: which + (result.message ?? 'stopped') };
      else if (result.state === 'Failed') terminal = { phase: 'Failed', reason: failureReason(result.message), message: which + (result.message ?? 'the run failed') };
      else if (run < spec.repetitions) await this.#settle(durationMs(spec.pauseBetweenRuns), signal);
    }
    terminal ??= { phase: 'Succeeded', reason: 'Succeeded', message: this.#verdictSentence() };
    this.#status = {
      ...this.#status,
      completionTime: new Date().toISOString(),
      summary: summarizeRuns(checkpoint.finished),
    };
    delete this.#status.currentRun;
    await this.#setPhase(terminal.phase, terminal.reason, terminal.message);
    await this.#event(terminal.phase === 'Succeeded' ? 'Normal' : 'Warning', terminal.phase, terminal.message);
    this.#metrics.finished();
    return this.#status;
  }

  #useProfile(profile: ResolvedProfile): void {
    this.#profile = profile;
    this.#experiment = { ...this.#experiment, spec: withJudgedThresholds(this.#experiment.spec, profile) };
    const seconds = Object.fromEntries(Object.entries(profile.thresholds).map(([action, threshold]) => [action, durationMs(threshold) / 1000]));
    this.#metrics.started(seconds, this.#experiment.spec.sla.percentiles);
  }

  /** A profile the experiment cannot start with: Failed, naming the field to fix; nothing was queued. */
  async #refuse(problem: ProfileProblem): Promise<MigrationExperimentStatus> {
    this.#status = { ...this.#status, completionTime: new Date().toISOString() };
    await this.#setPhase('Failed', problem.reason, problem.message);
    await this.#event('Warning', problem.reason, problem.message);
    this.#metrics.finished();
    return this.#status;
  }

  async #runOnce(run: number, resumeAt: number | undefined, checkpoint: Checkpoint, signal?: AbortSignal): Promise<RunResult> {
    const started = new Date();
    let plan: RunPlan;
    if (resumeAt === undefined) {
      this.#status = { ...this.#status, currentRun: run };
      await this.#setPhase('Preparing', 'Preparing', `${runLabel(run)}: checking the pool and the VM`);
      const problem = await this.#checkPool();
      if (problem) return { index: run, state: 'Failed', startTime: started.toISOString(), endTime: new Date().toISOString(), message: problem };
      plan = this.#plan(run, Date.now() + (this.#deps.leadMs ?? 2000));
      checkpoint.current = { run, startAtMs: plan.startAtMs };
      await this.#save(checkpoint);
      await this.#enqueue(plan);
      await this.#event('Normal', 'RunStarted', run === BASELINE_RUN ? 'the baseline run (the same load, no migration) starts' : `run ${run} of ${this.#experiment.spec.repetitions} starts`);
    } else {
      plan = this.#plan(run, resumeAt);
      this.#status = { ...this.#status, currentRun: run };
      // Jobs have purpose-derived ids: adding them again is a no-op if they were queued before.
      await this.#enqueue(plan);
      this.#log.info({ run }, 'resuming the run recorded in Redis');
    }

    const shown = this.#status.phase;
    const resumedAt = resumeAt !== undefined && isRunPhase(shown) ? shown : undefined;
    const monitor = new RunMonitor(this.#experiment, plan, { ...this.#deps, pollMs: this.#deps.pollMs ?? 500 }, resumedAt);
    this.#monitor = monitor;
    const running = (): RunResult => ({
      index: run,
      state: 'Running',
      startTime: new Date(plan.startAtMs).toISOString(),
      steadyStateStartTime: new Date(plan.steadyStartMs).toISOString(),
      migrations: migrationResults(plan, monitor.migrations(), monitor.inFlight()),
      ...outagesOf(monitor.redisOutages(), monitor.loadGaps()),
    });
    const outcome = await monitor.watch(
      {
        onPhase: (phase) => void this.#setPhase(phase, phase, `${runLabel(run)}: ${phase}`, running()),
        onEvent: (event) => void this.#event(event.type, event.reason, event.message),
        onWindow: (evaluation) => this.#observer.onWindow?.(run, evaluation),
        onChange: () => void this.#publish(false, running()),
      },
      signal,
    );
    this.#monitor = undefined;

    await this.#setPhase('Analyzing', 'Analyzing', `${runLabel(run)}: judging the SLA windows`, running());
    const analysis = analyzeRun(outcome.seconds, this.#experiment.spec.sla, plan);
    const recoveries = runRecoveries(outcome.migrations, outcome.seconds, analysis, plan);
    this.#metrics.migrationsRecovered([...recoveries.values()]);
    const state = outcome.abortedBecause ? 'Aborted' : outcome.failedBecause ? 'Failed' : 'Succeeded';
    const result: RunResult = {
      index: run,
      state,
      startTime: new Date(plan.startAtMs).toISOString(),
      steadyStateStartTime: new Date(plan.steadyStartMs).toISOString(),
      endTime: new Date().toISOString(),
      migrations: migrationResults(plan, outcome.migrations, [], recoveries),
      actions: analysis.actions,
      verdicts: analysis.verdicts,
      verdict: analysis.verdict,
      ...(this.#experiment.spec.record.requestLog ? { requestLog: this.#requestLogPattern(run) } : {}),
      ...outagesOf(outcome.redisOutages, outcome.loadGaps),
      ...droppedFromLog(outcome.shards),
      ...(outcome.abortedBecause || outcome.failedBecause ? { message: outcome.abortedBecause ?? outcome.failedBecause } : {}),
    };
    await this.#observer.onRunFinished?.(result, outcome, plan);
    return result;
  }

  #plan(run: number, startAtMs: number): RunPlan {
    return planRun(this.#experiment.spec, this.#ref, run, startAtMs);
  }

  /** Why the experiment cannot run on this pool, for a person; undefined when it can. */
  async #checkPool(): Promise<string | undefined> {
    const spec = this.#experiment.spec;
    try {
      const credentials = await this.#deps.resolvePool({ namespace: this.#ref.namespace, name: spec.poolRef.name });
      const pool = await XenPool.connect(credentials, { log: this.#log });
      try {
        await pool.findVm(vmIdentifier(spec.target.vm));
        for (const [i, vm] of (spec.migrations?.vms ?? []).entries()) {
          const problem = await pool.findVm(vmIdentifier(vm)).then(
            () => undefined,
            (error: unknown) => `spec.migrations.vms[${i}]: ${(error as Error).message}`,
          );
          if (problem) return problem;
        }
        if (spec.testbed && !(await pool.isSimulated())) return testbedOnRealPool(pool.url);
      } finally {
        await pool.close();
      }
      return undefined;
    } catch (error) {
      return `spec.poolRef / spec.target.vm: ${(error as Error).message}`;
    }
  }

  async #enqueue(plan: RunPlan): Promise<void> {
    const resolved = this.#profile;
    if (!resolved) throw new Error('runs are queued only after run() resolved the profile');
    const spec = this.#experiment.spec;
    const think = spec.workload.thinkTime;
    for (const shard of plan.shards) {
      await this.#deps.queues.addLoad({
        experiment: this.#ref,
        run: plan.run,
        shard: shard.shard,
        shards: plan.shards.length,
        url: spec.target.applicationUrl,
        profile: resolved.profile,
        ...(Object.keys(resolved.params).length === 0 ? {} : { params: resolved.params }),
        ...(shard.users === undefined ? {} : { users: shard.users }),
        ...(shard.rate === undefined ? {} : { rate: shard.rate }),
        ...(think ? { thinkTime: { distribution: think.distribution, meanMs: durationMs(think.mean), maxMultiple: think.maxMultiple, cycleType: think.cycleType } } : {}),
        startAtMs: plan.startAtMs,
        rampUpMs: plan.rampUpMs,
        steadyMs: plan.steadyMs,
        rampDownMs: plan.rampDownMs,
        ...(spec.record.requestLog ? { requestLogPath: this.#requestLogPath(plan.run, shard.shard) } : {}),
        // The baseline run's users draw what run 1's draw: the same load, action for action, as far as timing lets them.
        seed: Math.max(plan.run, 1) * 1000,
      });
    }
    const destination = spec.migrations?.destination;
    const testbed = testbedModelInputs(spec.testbed);
    for (const migration of plan.migrations) {
      await this.#deps.queues.addMigration({
        experiment: this.#ref,
        run: plan.run,
        index: migration.index,
        pool: { namespace: this.#ref.namespace, name: spec.poolRef.name },
        vm: migration.vm,
        ...(migration.after === undefined ? {} : { after: migration.after }),
        destination: destination?.policy === 'host' ? { kind: 'host', host: destination.host ?? '' } : { kind: destination?.policy ?? 'roundRobin' },
        dueAtMs: migration.dueAtMs,
        offsetMs: migration.offsetMs,
        timeoutMs: durationMs(spec.migrations?.timeout ?? '15m'),
        probeUrl: spec.target.probeUrl ?? spec.target.applicationUrl,
        ...(testbed ? { testbed } : {}),
      });
    }
  }

  #requestLogPath(run: number, shard: number): string {
    return join(this.#deps.resultsDir ?? 'migrascope-results', `${this.#ref.name}-${runFileLabel(run)}-shard${shard}.jsonl`);
  }

  #requestLogPattern(run: number): string {
    return join(this.#deps.resultsDir ?? 'migrascope-results', `${this.#ref.name}-${runFileLabel(run)}-shard*.jsonl`);
  }

  async #settle(ms: number, signal?: AbortSignal): Promise<void> {
    // In chunks: a pause longer than a timer's 24.8 days must not become a 1 ms one.
    await sleep(ms, signal);
  }

  async #setPhase(phase: ExperimentPhase, reason: string, message: string, current?: RunResult): Promise<void> {
    const previous = this.#status.phase;
    // Phases only move forward within a run; a new run starts again from Preparing.
    const kind = phase === 'Succeeded' ? 'succeeded' : phase === 'Failed' ? 'failed' : phase === 'Aborted' ? 'aborted' : 'progressing';
    this.#status = {
      ...this.#status,
      phase,
      conditions: experimentConditions(this.#status.conditions, { kind, reason, message, generation: this.#experiment.metadata.generation }),
    };
    this.#deps.metrics?.setPhase(this.#ref.namespace, this.#ref.name, phase, EXPERIMENT_PHASES);
    if (previous !== phase) {
      this.#log.debug({ phase, run: this.#status.currentRun }, message);
      if (!['Succeeded', 'Failed', 'Aborted'].includes(phase)) await this.#event('Normal', `Phase${phase}`, message);
    }
    await this.#publish(true, current);
  }

  async #publish(force: boolean, current?: RunResult): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastPublished < 1000) return;
    this.#lastPublished = now;
    const finished = (this.#status.runs ?? []).filter((run) => run.state !== 'Running');
    if (current?.index === BASELINE_RUN) this.#status = { ...this.#status, baseline: { run: current } };
    else if (current) this.#status = { ...this.#status, runs: [...finished, current] };
    try {
      await this.#observer.onStatus?.(this.#status);
    } catch (error) {
      this.#log.warn({ err: error }, 'could not publish the status (will publish again on the next change)');
    }
  }

  async #event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    try {
      await this.#observer.onEvent?.({ type, reason, message });
    } catch (error) {
      this.#log.warn({ err: error, reason }, 'could not record an event');
    }
  }

  #verdictSentence(): string {
    const summary = this.#status.summary;
    const verdicts = (summary?.verdicts ?? []).map((v) => `p${v.percentile} ${v.verdict === 'Pass' ? 'met' : 'broken'}`).join(', ');
    return `${summary?.runs ?? 0} run(s), ${summary?.migrations ?? 0} migration(s); SLA ${verdicts || 'not judged'}`;
  }

  /** Stops the current run (SLA breach, deletion): the load and pending migrations end, evidence stays. */
  async stop(reason: string): Promise<void> {
    await this.#monitor?.abort(reason);
  }

  async #load(): Promise<Checkpoint> {
    const text = await this.#deps.redis.get(experimentStateKey(this.#deps.prefix, this.#ref));
    return text ? (JSON.parse(text) as Checkpoint) : { finished: [] };
  }

  async #save(checkpoint: Checkpoint): Promise<void> {
    await this.#deps.redis.set(experimentStateKey(this.#deps.prefix, this.#ref), JSON.stringify(checkpoint));
  }
}

function migrationResults(plan: RunPlan, outcomes: MigrationOutcome[], inFlight: number[], recoveries = new Map<number, MigrationRecovery>()): MigrationResult[] {
  return plan.migrations.map((planned) => {
    const outcome = outcomes.find((o) => o.index === planned.index);
    const offset = `${planned.offsetMs / 1000}s`;
    if (!outcome) return { index: planned.index, offset, vm: planned.vm, state: inFlight.includes(planned.index) ? 'Running' : 'Pending' };
    const { task: _task, offsetMs: _offsetMs, downtimeStartMs: _from, downtimeEndMs: _to, ...rest } = outcome;
    const { index, ...measured } = rest;
    const recovery = recoveries.get(planned.index);
    return { index, offset, vm: planned.vm, ...measured, ...(recovery ? { recovery } : {}) };
  });
}

/** What went missing during the run, for status: absent when nothing did. */
function outagesOf(redisOutages: RedisOutage[], loadGaps: LoadGap[]): Pick<RunResult, 'redisOutages' | 'loadGaps'> {
  return { ...(redisOutages.length === 0 ? {} : { redisOutages }), ...(loadGaps.length === 0 ? {} : { loadGaps }) };
}

function isRunPhase(phase: string | undefined): phase is RunPhase {
  return (RUN_PHASES as readonly string[]).includes(phase ?? '');
}

/** The request-log lines the shards dropped (their disk fell behind), when any was. */
function droppedFromLog(shards: readonly ShardEnd[]): Pick<RunResult, 'requestLogDroppedLines'> {
  const dropped = shards.reduce((sum, shard) => sum + (shard.requestLogDropped ?? 0), 0);
  return dropped > 0 ? { requestLogDroppedLines: dropped } : {};
}

function failureReason(message: string | undefined): string {
  if (message?.startsWith('spec.')) return 'PoolUnavailable';
  if (message?.includes('migration')) return 'MigrationFailed';
  if (message?.includes('shard')) return 'LoadFailed';
  return 'RunFailed';
}
