// The spec an experiment (or campaign) started from, kept in Redis under its uid beside the
// engine's checkpoint. A spec changed while it runs is refused, not silently applied: the run goes
// on with the generation it started with, and a controller that restarts (or a new leader) reads
// that generation back from here instead of the object's current spec.
import type { RedisClient } from '../queue/redis-connection.ts';
import { experimentKeyBase } from '../queue/run-keys.ts';

export interface StartedSpec<S> {
  generation: number;
  spec: S;
}

export function startedSpecKey(prefix: string, kind: 'experiment' | 'campaign', uid: string): string {
  return `${experimentKeyBase(prefix, uid, kind)}:started-spec`;
}

export class StartedSpecs {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** The spec recorded for `uid`, recording `candidate` first when none is (the first start wins). */
  async claim<S>(kind: 'experiment' | 'campaign', uid: string, candidate: StartedSpec<S>): Promise<StartedSpec<S>> {
    const key = startedSpecKey(this.#prefix, kind, uid);
    await this.#redis.set(key, JSON.stringify(candidate), 'NX');
    const text = await this.#redis.get(key);
    if (text === null) throw new Error(`the started spec of ${kind} ${uid} vanished from Redis right after it was written (${key})`);
    return JSON.parse(text) as StartedSpec<S>;
  }

  async read<S>(kind: 'experiment' | 'campaign', uid: string): Promise<StartedSpec<S> | undefined> {
    const text = await this.#redis.get(startedSpecKey(this.#prefix, kind, uid));
    return text === null ? undefined : (JSON.parse(text) as StartedSpec<S>);
  }

  /** Drops the record once nothing will start from it again (a finished campaign). */
  async forget(kind: 'experiment' | 'campaign', uid: string): Promise<void> {
    await this.#redis.del(startedSpecKey(this.#prefix, kind, uid));
  }
}
