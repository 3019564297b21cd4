// The experiments this controller drives right now: one ExperimentRunner per experiment uid,
// its status written to the API server (latest wins, retried until it lands) and its events
// recorded. Stopping one (deletion) stops its load and lets a migration in flight end; detaching
// all of them (leadership lost, shutdown) stops writing and leaves their state in Redis, where the
// next leader's runners pick it up.
import type { ConditionUpdate, MigrationExperiment, MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { ExperimentRunner, type EngineDeps } from '../engine/experiment-runner.ts';
import type { RunEvent } from '../engine/run-monitor.ts';
import type { Logger } from '../log/index.ts';
import type { ExperimentRef } from '../queue/contracts.ts';
import { withSpecChange } from './experiment-lifecycle.ts';
import { StatusPublisher, type StatusWrite } from './status-publisher.ts';

export interface ExperimentRunsOptions {
  deps: EngineDeps;
  log: Logger;
  /** Writes a merge patch to the experiment's status. */
  writeStatus(ref: ExperimentRef, patch: Record<string, unknown>): Promise<void>;
  recordEvent(ref: ExperimentRef, event: RunEvent): Promise<void>;
  /** Called when a runner ends (finished, stopped or broken), to look at the experiment again. */
  onEnded(ref: ExperimentRef): void;
}

export interface RunningExperiment {
  readonly ref: ExperimentRef;
  /** The generation the runs use (the one they started with). */
  readonly generation: number;
  readonly runner: ExperimentRunner;
  /** Set once the runner has ended: its final status, or the error that ended it. */
  ended?: { status?: MigrationExperimentStatus; error?: Error };
  /** Why it is being stopped, once asked. */
  stopping?: string;
}

interface Entry extends RunningExperiment {
  readonly abort: AbortController;
  readonly publisher: StatusPublisher;
  sawStatus: boolean;
  refused: ConditionUpdate | undefined;
  latest: MigrationExperimentStatus | undefined;
}

export class ExperimentRuns {
  readonly #options: ExperimentRunsOptions;
  readonly #entries = new Map<string, Entry>();
  #detached = false;

  constructor(options: ExperimentRunsOptions) {
    this.#options = options;
  }

  get(uid: string): RunningExperiment | undefined {
    return this.#entries.get(uid);
  }

  /** Forgets a runner that has ended (its final status written or given up on). */
  forget(uid: string): void {
    const entry = this.#entries.get(uid);
    if (entry?.ended) this.#entries.delete(uid);
  }

  /** Starts (or, with a checkpoint in Redis, resumes) the runs of `experiment`, which carries the started spec. */
  start(experiment: MigrationExperiment, ref: ExperimentRef, refused?: ConditionUpdate): RunningExperiment {
    const existing = this.#entries.get(ref.uid);
    if (existing) return existing;
    if (this.#detached) throw new Error('this controller no longer leads: it starts no runner');
    const log = this.#options.log.child({ experiment: `${ref.namespace}/${ref.name}` });
    const write: StatusWrite = (patch) => this.#options.writeStatus(ref, patch);
    // The observer needs the entry and the entry needs the runner: the entry is filled in first.
    const entry = {
      ref,
      generation: experiment.metadata.generation ?? 0,
      abort: new AbortController(),
      publisher: new StatusPublisher(write, experiment.status, { log }),
      sawStatus: false,
      refused,
      latest: undefined,
    } as Omit<Entry, 'runner'> as Entry;
    const runner = new ExperimentRunner(experiment, ref, this.#options.deps, {
      onStatus: (status) => {
        if (this.#detached) return;
        entry.latest = status;
        this.#publish(entry);
        // Stopping before the runner looked at its checkpoint would end it without stopping a run
        // another controller had started; after its first status it is attached to that run.
        if (!entry.sawStatus) {
          entry.sawStatus = true;
          if (entry.stopping) entry.abort.abort(entry.stopping);
        }
      },
      onEvent: async (event) => {
        if (!this.#detached) await this.#options.recordEvent(ref, event);
      },
    });
    Object.assign(entry, { runner });
    this.#entries.set(ref.uid, entry);
    log.info({ generation: entry.generation }, 'running the experiment');
    void entry.runner.run(entry.abort.signal).then(
      async (status) => {
        entry.latest = status;
        this.#publish(entry);
        // The last status must land before anyone looks again (TTL, a campaign's next level).
        while (!this.#detached && !(await entry.publisher.flush(5_000))) log.warn('the final status is not written yet; still trying');
        entry.ended = { status };
        if (!this.#detached) this.#options.onEnded(ref);
      },
      (error: unknown) => {
        entry.ended = { error: error instanceof Error ? error : new Error(String(error)) };
        if (this.#detached) return; // cut off on purpose: the next leader resumes from Redis
        log.error({ err: error }, 'the runner stopped with an error; the experiment is looked at again');
        this.#options.onEnded(ref);
      },
    );
    return entry;
  }

  /** Stops the experiment's run: load stopped, pending migrations dropped, one in flight let to end. */
  stop(uid: string, reason: string): void {
    const entry = this.#entries.get(uid);
    if (!entry || entry.ended || entry.stopping) return;
    entry.stopping = reason;
    if (entry.sawStatus) entry.abort.abort(reason);
    void entry.runner.stop(reason).catch((error: unknown) => this.#options.log.warn({ err: error, uid }, 'stopping the run failed; it ends when its shards do'));
  }

  /** Shows (or keeps showing) a refused spec change on the running experiment's status. */
  refuse(uid: string, condition: ConditionUpdate): void {
    const entry = this.#entries.get(uid);
    if (!entry || entry.refused?.observedGeneration === condition.observedGeneration) return;
    entry.refused = condition;
    this.#publish(entry);
  }

  /** Leadership lost or shutting down: no more writes; the runners are cut off with their connections. */
  detach(): void {
    this.#detached = true;
    for (const entry of this.#entries.values()) entry.publisher.close();
  }

  get size(): number {
    return this.#entries.size;
  }

  #publish(entry: Entry): void {
    const status = entry.latest;
    if (!status) return;
    entry.publisher.publish({
      ...status,
      ...(entry.refused?.observedGeneration === undefined ? {} : { observedGeneration: entry.refused.observedGeneration }),
      conditions: withSpecChange(status.conditions, entry.refused),
    });
  }
}
