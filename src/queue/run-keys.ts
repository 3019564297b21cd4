// Where a run's shared state lives in Redis. Workers on any machine write here; the engine reads
// here, so an engine that restarts finds everything recorded so far.
//
// Every key of one experiment carries its uid as a hash tag ("{uid}"): in a Redis Cluster they
// then share one slot, so a script over several of them (second-stream's publish) and one DEL of
// them all (the finalizer's) run on one node, while different experiments spread over the nodes.
// BullMQ needs the same of each queue's keys, which its prefix's hash tag gives (bullPrefix).
import type { ExperimentRef } from './contracts.ts';

/** The start of every key of one experiment: `<prefix>:<kind>:{<uid>}`. */
export function experimentKeyBase(prefix: string, uid: string, kind: 'experiment' | 'campaign' = 'experiment'): string {
  return `${prefix}:${kind}:{${uid}}`;
}

/**
 * BullMQ's key prefix, `{<prefix>}:bull`: both queues' keys in one slot, as BullMQ's scripts
 * need in a Cluster. A prefix that already holds a hash tag ("{team-a}:ms") is kept as it is.
 */
export function bullPrefix(prefix: string): string {
  return `${taggedPrefix(prefix)}:bull`;
}

/**
 * The live worker processes of a prefix (worker-registry.ts): a sorted set of worker ids by the
 * Redis time their presence lapses, and a hash of what each said of itself. Same slot as the queues.
 */
export function workerRegistryKeys(prefix: string): { live: string; presence: string } {
  const base = `${taggedPrefix(prefix)}:workers`;
  return { live: `${base}:live`, presence: `${base}:presence` };
}

/** The prefix with a hash tag: itself when it holds one ("{team-a}:ms"), `{<prefix>}` otherwise. */
function taggedPrefix(prefix: string): string {
  return /\{[^}]+\}/.test(prefix) ? prefix : `{${prefix}}`;
}

export class RunKeys {
  readonly base: string;
  constructor(prefix: string, experiment: ExperimentRef, run: number) {
    this.base = `${experimentKeyBase(prefix, experiment.uid)}:run:${run}`;
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
  /** Hash "<shard> <worker>" -> why that worker refused the shard (its clock, see engine/shard-admission). */
  get refusals(): string {
    return `${this.base}:refusals`;
  }
  /** Present when the run must stop; its value says why. */
  get abort(): string {
    return `${this.base}:abort`;
  }
}

/** The engine's own checkpoint of an experiment: which run, which phase, when things started. */
export function experimentStateKey(prefix: string, experiment: ExperimentRef): string {
  return `${experimentKeyBase(prefix, experiment.uid)}:state`;
}

/** The source host of the latest migration of the experiment's VM: its next one must not go back there. */
export function experimentLastSourceKey(prefix: string, experiment: ExperimentRef, vm: string): string {
  return `${experimentKeyBase(prefix, experiment.uid)}:last-source:${vm}`;
}
