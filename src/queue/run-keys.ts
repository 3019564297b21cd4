// Where a run's shared state lives in Redis. Workers on any machine write here; the engine reads
// here, so an engine that restarts finds everything recorded so far.
import type { ExperimentRef } from './contracts.ts';

export class RunKeys {
  readonly base: string;
  constructor(prefix: string, experiment: ExperimentRef, run: number) {
    this.base = `${prefix}:experiment:${experiment.uid}:run:${run}`;
  }
  /** Stream of per-second histogram snapshots: fields shard, second, data (encoded). */
  get seconds(): string {
    return `${this.base}:seconds`;
  }
  /** Hash shard -> JSON of the shard's end (done, stopped, failed and why). */
  get shards(): string {
    return `${this.base}:shards`;
  }
  /** Hash index -> JSON of a migration's outcome. */
  get migrations(): string {
    return `${this.base}:migrations`;
  }
  /** Set once a migration was asked of XAPI: what was asked, so a retry follows it, never repeats it. */
  migrationClaim(index: number): string {
    return `${this.base}:migration:${index}:claim`;
  }
  /**
   * Hash attempt, batch: the attempt of a shard allowed to publish (the latest to start) and the
   * last batch of seconds it published, so a batch sent again after a lost reply counts once.
   */
  shardOwner(shard: number): string {
    return `${this.base}:shard:${shard}:owner`;
  }
  /** Present when the run must stop; its value says why. */
  get abort(): string {
    return `${this.base}:abort`;
  }
}

/** The engine's own checkpoint of an experiment: which run, which phase, when things started. */
export function experimentStateKey(prefix: string, experiment: ExperimentRef): string {
  return `${prefix}:experiment:${experiment.uid}:state`;
}

/** The source host of the latest migration of the experiment's VM: its next one must not go back there. */
export function experimentLastSourceKey(prefix: string, experiment: ExperimentRef, vm: string): string {
  return `${prefix}:experiment:${experiment.uid}:last-source:${vm}`;
}
