// MigrationExperiment, level-triggered: from the object, what this controller runs and what Redis
// holds, decide the next step; never assume an event was seen. The story of one reconcile:
//   fetch (gone = done) -> parse (an invalid spec is a condition naming the field)
//   -> if deleting: stop the run (a migration in flight ends first), record Aborted, remove its
//      jobs and data, drop the finalizer; never longer than the finalizer timeout
//   -> ensure the finalizer -> if finished: a rerun asked for by annotation (back to the start with
//      the current spec), else refused spec changes, TTL
//   -> if running here: keep running the generation it started with; refuse a spec change
//   -> else check what only the controller can see (the profile, the pool, its Secret: Degraded
//      naming the field, looked at again when they change or later, not hot) -> start or resume
//      the runner, which resolves the profile for good.
import { isDeepStrictEqual } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  findCondition,
  parseExperiment,
  parseXenPool,
  type ExperimentPhase,
  type MigrationExperiment,
  type MigrationExperimentSpec,
  type MigrationExperimentStatus,
} from '../api/v1alpha1/index.ts';
import { experimentConditions } from '../engine/conditions.ts';
import type { LoadTargetAllowList } from '../engine/load-targets.ts';
import { ProfileProblem, resolveProfile } from '../engine/workload-profile.ts';
import { InvalidInputError } from '../invalid/index.ts';
import type { Logger } from '../log/index.ts';
import type { ExperimentRef } from '../queue/contracts.ts';
import { experimentKeyBase, experimentStateKey } from '../queue/run-keys.ts';
import { PoolReferenceError, xenPoolCredentials } from './cluster-pool-credentials.ts';
import type { EngineSession } from './engine-session.ts';
import { removeExperimentData } from './experiment-cleanup.ts';
import {
  EXPERIMENT_FINALIZER,
  SPEC_CHANGED_CONDITION,
  finalizerDeadlineMs,
  isTerminal,
  pendingConditions,
  RERUN_ANNOTATION,
  rerunRequested,
  rerunStatusPatch,
  specChangeCondition,
  ttlDecision,
  withSpecChange,
  type ReferenceProblem,
} from './experiment-lifecycle.ts';
import type { RunningExperiment } from './experiment-runs.ts';
import type { ObjectCache } from './informer-set.ts';
import { subjectOf, targetOf, type StoredObject } from './resources.ts';
import {
  KubeClient,
  addFinalizer,
  isNotFound,
  objectPath,
  patchStatus,
  removeFinalizer,
  type EventRecorder,
  type EventType,
  type ObjectKey,
  type ReconcileResult,
  type Reconciler,
} from './runtime/index.ts';

export interface ExperimentReconcilerOptions {
  kubeConfig: KubeConfig;
  experiments: ObjectCache;
  pools: ObjectCache;
  profiles: ObjectCache;
  session: EngineSession;
  events: EventRecorder;
  log: Logger;
  /** The longest a deleted experiment's finalizer works before letting go (default 2 min). */
  finalizerTimeoutMs?: number;
  /** How soon an experiment waiting for its pool or Secret is looked at again (default 30 s). */
  referenceRecheckMs?: number;
  /** Where each namespace may send load; unrestricted when undefined. */
  loadTargets?: LoadTargetAllowList | undefined;
  /** Writes a finished experiment's results file (once per finish), before its TTL or finalizer may let it go. */
  keepResults?: ((object: StoredObject) => Promise<void>) | undefined;
}

const DELETED = 'the experiment was deleted';

export class ExperimentReconciler implements Reconciler {
  readonly #options: ExperimentReconcilerOptions;
  readonly #log: Logger;
  /** Runners that ended with an error, per uid: how often in a row, and not to restart before. */
  readonly #runnerFailures = new Map<string, { count: number; notBefore: number }>();

  constructor(options: ExperimentReconcilerOptions) {
    this.#options = options;
    this.#log = options.log.child({ reconciler: 'migrationexperiment' });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const object = this.#options.experiments.get(key.namespace, key.name);
    if (!object?.metadata?.uid) return; // gone: its finalizer already cleaned up
    const ref: ExperimentRef = { uid: object.metadata.uid, namespace: key.namespace, name: key.name };
    const deleting = object.metadata.deletionTimestamp !== undefined;

    let experiment: MigrationExperiment;
    try {
      experiment = parseExperiment(object);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return this.#invalid(object, ref, error, deleting);
    }

    if (deleting) return this.#finalize(object, experiment, ref);
    if (!(object.metadata.finalizers ?? []).includes(EXPERIMENT_FINALIZER)) {
      await addFinalizer(this.#options.kubeConfig, this.#target(ref), EXPERIMENT_FINALIZER, object);
    }

    const runs = this.#options.session.runs;
    const running = runs.get(ref.uid);
    if (running?.ended?.error) {
      runs.forget(ref.uid);
      const failures = (this.#runnerFailures.get(ref.uid)?.count ?? 0) + 1;
      const delayMs = Math.min(1000 * 2 ** (failures - 1), 60_000);
      this.#runnerFailures.set(ref.uid, { count: failures, notBefore: Date.now() + delayMs });
      this.#log.warn({ experiment: `${ref.namespace}/${ref.name}`, err: running.ended.error, retryInMs: delayMs }, 'the runner stopped with an error; resuming it from Redis');
      return { requeueAfterMs: delayMs };
    }
    // A runner that keeps failing is restarted with backoff, whatever events come meanwhile.
    const waitMs = (this.#runnerFailures.get(ref.uid)?.notBefore ?? 0) - Date.now();
    if (!running && waitMs > 0) return { requeueAfterMs: waitMs };
    // The cache may not show the runner's last status yet: the runner's word is the newer one.
    const status = running?.ended?.status ?? experiment.status;
    if (isTerminal(status?.phase)) {
      this.#runnerFailures.delete(ref.uid);
      if (!isTerminal(experiment.status?.phase)) return this.#finished({ ...experiment, status: status ?? {} }, ref);
      runs.forget(ref.uid);
      const token = rerunRequested(experiment.metadata.annotations, experiment.status);
      return token === undefined ? this.#finished(experiment, ref) : this.#rerun(experiment, ref, token);
    }
    if (running && !running.ended) {
      this.#refuseChange(experiment, ref, running);
      return;
    }
    return this.#start(experiment, ref);
  }

  /** Starts the runs, or resumes those a previous leader started (their spec and checkpoint are in Redis). */
  async #start(experiment: MigrationExperiment, ref: ExperimentRef): Promise<ReconcileResult | void> {
    const session = this.#options.session;
    const generation = experiment.metadata.generation ?? 0;
    let started = await session.startedSpecs.read<MigrationExperimentSpec>('experiment', ref.uid);
    if (!started) {
      const problem = await this.#referenceProblem(experiment);
      if (problem) {
        await this.#waitForReferences(experiment, ref, problem);
        return { requeueAfterMs: this.#options.referenceRecheckMs ?? 30_000 };
      }
      started = await session.startedSpecs.claim('experiment', ref.uid, { generation, spec: experiment.spec });
      // A rerun token given before the first run is this run's: it must not ask for a second one.
      const token = experiment.metadata.annotations?.[RERUN_ANNOTATION];
      if (token && experiment.status?.rerunToken !== token) await this.#writeStatus(ref, { rerunToken: token });
    }
    const refused = specChangeCondition(generation, started.generation, experiment.status?.phase);
    if (refused && !this.#alreadyRefused(experiment, generation)) await this.#event(experiment, 'Warning', refused.reason, refused.message);
    const runExperiment: MigrationExperiment = {
      ...experiment,
      metadata: { ...experiment.metadata, generation: started.generation },
      spec: started.spec,
    };
    session.runs.start(runExperiment, ref, refused);
  }

  #refuseChange(experiment: MigrationExperiment, ref: ExperimentRef, running: RunningExperiment): void {
    const generation = experiment.metadata.generation ?? 0;
    const refused = specChangeCondition(generation, running.generation, experiment.status?.phase);
    if (!refused) return;
    if (!this.#alreadyRefused(experiment, generation)) void this.#event(experiment, 'Warning', refused.reason, refused.message);
    this.#options.session.runs.refuse(ref.uid, refused);
  }

  #alreadyRefused(experiment: MigrationExperiment, generation: number): boolean {
    return findCondition(experiment.status?.conditions, SPEC_CHANGED_CONDITION)?.observedGeneration === generation;
  }

  /** A finished experiment: a spec changed afterwards is refused, and the TTL may delete it. */
  async #finished(experiment: MigrationExperiment, ref: ExperimentRef): Promise<ReconcileResult | void> {
    const status = experiment.status ?? {};
    const generation = experiment.metadata.generation ?? 0;
    const ranWith = findCondition(status.conditions, 'Ready')?.observedGeneration ?? status.observedGeneration ?? generation;
    const refused = specChangeCondition(generation, ranWith, status.phase);
    if (refused && !this.#alreadyRefused(experiment, generation)) {
      await this.#writeStatus(ref, { observedGeneration: generation, conditions: withSpecChange(status.conditions, refused) });
      await this.#event(experiment, 'Warning', refused.reason, refused.message);
    }
    // The results before the TTL: a failure to write them is retried with backoff, and the TTL waits.
    await this.#options.keepResults?.(experiment as StoredObject);
    const ttl = ttlDecision(experiment, Date.now());
    if (ttl.action === 'wait') return { requeueAfterMs: ttl.ms };
    if (ttl.action === 'delete') {
      await this.#event(experiment, 'Normal', 'TtlExpired', `deleting: finished ${experiment.spec.ttlSecondsAfterFinished}s ago (spec.ttlSecondsAfterFinished)`);
      try {
        await KubeClient.for(this.#options.kubeConfig).request('DELETE', objectPath(this.#target(ref)));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /**
   * A finished experiment asked to run again (a new migrascope.io/rerun value): its jobs, data and
   * started spec leave Redis, its status is cleared but for the report's address, and it starts
   * over with the spec it has now, as if just created. The Event keeps what the last runs found.
   */
  async #rerun(experiment: MigrationExperiment, ref: ExperimentRef, token: string): Promise<ReconcileResult | void> {
    const session = this.#options.session;
    const status = experiment.status ?? {};
    const started = await session.startedSpecs.read<MigrationExperimentSpec>('experiment', ref.uid);
    const cleanup = await removeExperimentData(session.redis, session.deps.queues, session.deps.prefix, ref, started?.spec ?? experiment.spec);
    if (cleanup.leftBehind.length > 0) throw new Error(`cannot rerun yet: left behind ${cleanup.leftBehind.join('; ')}`);
    await session.startedSpecs.forget('experiment', ref.uid);
    const generation = experiment.metadata.generation ?? 0;
    await this.#writeStatus(ref, rerunStatusPatch(status, token, generation));
    const verdict = status.summary?.verdict === undefined ? '' : `, verdict ${status.summary.verdict}`;
    await this.#event(experiment, 'Normal', 'Rerun', `${RERUN_ANNOTATION}: ${token}: running again with generation ${generation}; the last runs ended ${status.phase}${verdict}`);
    return this.#start({ ...experiment, status: { phase: 'Pending', rerunToken: token } }, ref);
  }

  /**
   * Deletion: the run stops (load first; a migration in flight is let to end: a live migration
   * is not torn in half), is recorded as Aborted, its jobs and data go, then the object may go.
   * Bounded: past the finalizer timeout it lets go anyway and says what was left behind.
   */
  async #finalize(object: StoredObject, experiment: MigrationExperiment, ref: ExperimentRef): Promise<ReconcileResult | void> {
    if (!(object.metadata?.finalizers ?? []).includes(EXPERIMENT_FINALIZER)) return;
    const session = this.#options.session;
    const now = Date.now();
    const timeoutMs = this.#options.finalizerTimeoutMs ?? 120_000;
    const deadline = finalizerDeadlineMs(object.metadata?.deletionTimestamp, timeoutMs, now);
    const leftBehind: string[] = [];

    let running = session.runs.get(ref.uid);
    if (running?.ended?.error) {
      session.runs.forget(ref.uid); // broken, not finished: the checkpoint tells whether a run goes on
      running = undefined;
    }
    let phase: ExperimentPhase | undefined = running?.ended?.status?.phase ?? experiment.status?.phase;
    if (!isTerminal(phase)) {
      if (!running) {
        // A run another controller started may be going on: its checkpoint in Redis says so.
        const checkpoint = await this.#bounded(session.redis.exists(experimentStateKey(session.deps.prefix, ref)), deadline, 'reading the checkpoint in Redis');
        if (checkpoint === 'timeout') leftBehind.push(`whatever run was going on (Redis did not answer within ${Math.round(timeoutMs / 1000)}s)`);
        else if (checkpoint > 0) {
          await this.#start(experiment, ref);
          running = session.runs.get(ref.uid);
        }
      }
      if (running && !running.ended) {
        if (!running.stopping) await this.#event(experiment, 'Normal', 'Stopping', `${DELETED}: stopping the load; a migration in flight is let to end`);
        session.runs.stop(ref.uid, DELETED);
        if (Date.now() < deadline) return { requeueAfterMs: Math.min(1000, deadline - Date.now()) };
        leftBehind.push(describeUnfinished(running.runner.status));
      }
      phase = running?.ended?.status?.phase;
      if (!isTerminal(phase)) {
        const message = leftBehind.length > 0 ? `${DELETED}; stopped waiting after ${Math.round(timeoutMs / 1000)}s` : `${DELETED} before it started`;
        await this.#writeStatus(ref, {
          phase: 'Aborted',
          completionTime: new Date().toISOString(),
          conditions: experimentConditions(experiment.status?.conditions, { kind: 'aborted', reason: 'Deleted', message, generation: experiment.metadata.generation }),
        });
      }
    }

    // What it measured goes to the results volume before its streams leave Redis (kept at its finish
    // unless it was deleted first); retried until the deadline, then named as left behind.
    if (isTerminal(phase) || running?.ended) {
      const stored = { ...object, ...(running?.ended?.status ? { status: running.ended.status as Record<string, unknown> } : {}) };
      const kept = await this.#bounded(this.#options.keepResults?.(stored) ?? Promise.resolve(), deadline, 'writing its results file').catch((error: unknown) => {
        if (Date.now() < deadline) throw error;
        return `its results file (${(error as Error).message})`;
      });
      if (kept === 'timeout') leftBehind.push('its results file (writing it did not finish)');
      else if (typeof kept === 'string') leftBehind.push(kept);
    }

    const removal = async () => {
      // The jobs are those of the spec the runs started with, which a refused change did not alter.
      const started = await session.startedSpecs.read<MigrationExperimentSpec>('experiment', ref.uid);
      return removeExperimentData(session.redis, session.deps.queues, session.deps.prefix, ref, started?.spec ?? experiment.spec);
    };
    const cleanup = await this.#bounded(removal(), deadline, 'removing its jobs and data from Redis').catch((error: unknown) => {
      if (Date.now() < deadline) throw error; // retried with backoff until the deadline
      return { leftBehind: [`its jobs and data in Redis (${(error as Error).message})`], removedJobs: 0, removedKeys: 0 };
    });
    if (cleanup === 'timeout') leftBehind.push(`its jobs and data in Redis under ${experimentKeyBase(session.deps.prefix, ref.uid)}: (Redis did not answer)`);
    else leftBehind.push(...cleanup.leftBehind);

    if (leftBehind.length > 0) {
      await this.#event(experiment, 'Warning', 'CleanupIncomplete', `let the experiment go after ${Math.round(timeoutMs / 1000)}s; left behind: ${leftBehind.join('; ')}`);
    }
    session.runs.forget(ref.uid);
    // Deleted (by a person, its TTL or its campaign): nothing of it stays in /metrics to keep alerts firing.
    await session.deps.metrics?.forgetExperiment(ref.namespace, ref.name);
    await removeFinalizer(this.#options.kubeConfig, this.#target(ref), EXPERIMENT_FINALIZER);
    this.#log.info({ experiment: `${ref.namespace}/${ref.name}`, leftBehind }, 'finalized');
  }

  /** What only the controller can know before a run: the profile fits, the pool exists, its Secrets are readable. */
  async #referenceProblem(experiment: MigrationExperiment): Promise<ReferenceProblem | undefined> {
    const namespace = experiment.metadata.namespace ?? 'default';
    try {
      resolveProfile(experiment.spec, namespace, (ns, name) => this.#options.profiles.get(ns, name));
    } catch (error) {
      if (!(error instanceof ProfileProblem)) throw error;
      return { reason: error.reason, field: error.field, message: error.detail };
    }
    const targets = [['spec.target.applicationUrl', experiment.spec.target.applicationUrl], ['spec.target.probeUrl', experiment.spec.target.probeUrl]] as const;
    for (const [field, url] of targets) {
      const refused = url === undefined ? undefined : await this.#options.loadTargets?.refusal(namespace, url);
      if (refused !== undefined) return { reason: 'TargetNotAllowed', field, message: refused };
    }
    const poolName = experiment.spec.poolRef.name;
    const object = this.#options.pools.get(namespace, poolName);
    if (!object) {
      return { reason: 'PoolNotFound', field: 'spec.poolRef.name', message: `no XenPool "${poolName}" in namespace ${namespace}: create it or correct the name` };
    }
    try {
      await xenPoolCredentials(this.#options.kubeConfig, parseXenPool(object));
      return undefined;
    } catch (error) {
      if (error instanceof PoolReferenceError || error instanceof InvalidInputError) {
        return { reason: error instanceof PoolReferenceError ? error.reason : 'PoolInvalid', field: 'spec.poolRef.name', message: `XenPool "${poolName}": ${error.message}` };
      }
      throw error;
    }
  }

  async #waitForReferences(experiment: MigrationExperiment, ref: ExperimentRef, problem: ReferenceProblem): Promise<void> {
    const previous = findCondition(experiment.status?.conditions, 'Degraded');
    const conditions = pendingConditions(experiment.status?.conditions, experiment.metadata.generation, problem);
    const generation = experiment.metadata.generation ?? 0;
    // A recheck that finds the same problem writes nothing: every waiting experiment is looked at
    // again every referenceRecheckMs, and 1,000 of them sent the API server 33 no-op PATCHes a second.
    const status = experiment.status;
    const unchanged = status?.phase === 'Pending' && status.observedGeneration === generation && isDeepStrictEqual(status.conditions, conditions);
    if (!unchanged) await this.#writeStatus(ref, { phase: 'Pending', observedGeneration: generation, conditions });
    if (previous?.reason !== problem.reason || !previous.message.startsWith(problem.field)) {
      await this.#event(experiment, 'Warning', problem.reason, `${problem.field}: ${problem.message}`);
    }
  }

  /** A stored object our parser refuses (the API server's schema normally refuses it first). */
  async #invalid(object: StoredObject, ref: ExperimentRef, error: InvalidInputError, deleting: boolean): Promise<void> {
    if (deleting) {
      await removeFinalizer(this.#options.kubeConfig, this.#target(ref), EXPERIMENT_FINALIZER);
      return;
    }
    const status = (object.status ?? {}) as MigrationExperimentStatus;
    const conditions = experimentConditions(status.conditions, { kind: 'failed', reason: 'InvalidSpec', message: error.message, generation: object.metadata?.generation });
    await this.#writeStatus(ref, { observedGeneration: object.metadata?.generation ?? 0, conditions });
    this.#log.warn({ experiment: `${ref.namespace}/${ref.name}`, field: error.field }, error.message);
  }

  async #writeStatus(ref: ExperimentRef, patch: Record<string, unknown>): Promise<void> {
    await patchStatus(this.#options.kubeConfig, this.#target(ref), patch);
  }

  async #event(experiment: MigrationExperiment, type: EventType, reason: string, message: string): Promise<void> {
    await this.#options.events.record(subjectOf('MigrationExperiment', experiment.metadata), type, reason, message);
  }

  #target(ref: ExperimentRef) {
    return targetOf('MigrationExperiment', ref.namespace, ref.name);
  }

  /** `work`, or 'timeout' once the finalizer's deadline passes (Redis gone must not wedge deletion). */
  async #bounded<T>(work: Promise<T>, deadline: number, what: string): Promise<T | 'timeout'> {
    const left = Math.max(deadline - Date.now(), 1000);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.min(left, 10_000))));
    try {
      const result = await Promise.race([work, timeout]);
      if (result === 'timeout' && Date.now() < deadline) throw new Error(`${what}: no answer yet; trying again until the finalizer's deadline`);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What a run still going on holds, for the Event of a finalizer that let go. */
export function describeUnfinished(status: MigrationExperimentStatus): string {
  const run = status.runs?.find((r) => r.state === 'Running');
  if (!run) return `run ${status.currentRun ?? '?'} (still stopping)`;
  const inFlight = (run.migrations ?? []).filter((m) => m.state === 'Running').map((m) => `migration ${m.index}`);
  return `run ${run.index} still stopping${inFlight.length > 0 ? ` with ${inFlight.join(', ')} in flight on XAPI` : ' (its load shards had not ended)'}`;
}
