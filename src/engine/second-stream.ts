// Per-second measurements travelling from the load workers to the engine through a Redis stream.
// Each entry is one shard's snapshot of one second (a second may come in parts when an action
// outlived the worker's drain lag); the entries are never de-duplicated, because every part holds
// different actions. The stream stays in Redis for the run's lifetime, so an engine that restarts
// re-reads it from the start and loses nothing.
import type { Redis } from 'ioredis';
import { decodeSecond, encodeSecond, mergeSeconds, type SecondSnapshot } from '../recording/index.ts';
import type { RunKeys } from '../queue/run-keys.ts';

export async function publishSeconds(redis: Redis, keys: RunKeys, shard: number, snapshots: SecondSnapshot[], watermark: number): Promise<void> {
  const pipeline = redis.pipeline();
  for (const snapshot of snapshots) {
    pipeline.xadd(keys.seconds, '*', 'shard', String(shard), 'second', String(snapshot.second), 'data', JSON.stringify(encodeSecond(snapshot)));
  }
  // An entry without data moves the shard's watermark even through seconds without any action.
  pipeline.xadd(keys.seconds, '*', 'shard', String(shard), 'watermark', String(watermark));
  await pipeline.exec();
}

/**
 * Reads a run's stream incrementally and keeps every second merged across shards. `complete(s)`
 * says whether every shard has moved past second s, which is when the live SLA may judge it.
 */
export class SecondCollector {
  readonly #redis: Redis;
  readonly #keys: RunKeys;
  readonly #shards: number;
  #lastId = '0-0';
  readonly #seconds = new Map<number, SecondSnapshot>();
  readonly #watermarks = new Map<number, number>();
  #entries = 0;

  constructor(redis: Redis, keys: RunKeys, shards: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#shards = shards;
  }

  /** Reads what arrived since the last poll; returns the seconds that changed. */
  async poll(batch = 1000): Promise<number[]> {
    const changed = new Set<number>();
    for (;;) {
      const entries = await this.#redis.xrange(this.#keys.seconds, `(${this.#lastId}`, '+', 'COUNT', batch);
      for (const [id, fields] of entries) {
        this.#lastId = id;
        this.#entries += 1;
        const entry = fieldMap(fields);
        const shard = Number(entry.shard);
        if (entry.watermark !== undefined) {
          this.#watermarks.set(shard, Math.max(this.#watermarks.get(shard) ?? -Infinity, Number(entry.watermark)));
          continue;
        }
        const snapshot = decodeSecond(JSON.parse(entry.data ?? 'null'));
        const existing = this.#seconds.get(snapshot.second);
        this.#seconds.set(snapshot.second, existing ? mergeSeconds([existing, snapshot])[0]! : snapshot);
        changed.add(snapshot.second);
      }
      if (entries.length < batch) break;
    }
    return [...changed].sort((a, b) => a - b);
  }

  /** The lowest watermark over all shards: every second before it has fully arrived (so far). */
  get watermark(): number {
    if (this.#watermarks.size < this.#shards) return -Infinity;
    return Math.min(...this.#watermarks.values());
  }

  second(second: number): SecondSnapshot | undefined {
    return this.#seconds.get(second);
  }

  /** Every second received, ascending. */
  all(): SecondSnapshot[] {
    return [...this.#seconds.values()].sort((a, b) => a.second - b.second);
  }

  get entries(): number {
    return this.#entries;
  }
}

function fieldMap(fields: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  return map;
}
