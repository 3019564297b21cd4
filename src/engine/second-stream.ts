// Per-second measurements travelling from the load workers to the engine through a Redis stream.
// Each entry is one shard's snapshot of one second (a second may come in parts when an action
// outlived the worker's drain lag); the entries are never de-duplicated, because every part holds
// different actions. The stream stays in Redis for the run's lifetime, so an engine that restarts
// re-reads it from the start and loses nothing.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../queue/redis-connection.ts';
import { decodeSecond, encodeSecond, mergeSeconds, type SecondSnapshot } from '../recording/index.ts';
import { primaryReplicas, REPLICA_WAIT_MS } from '../queue/replication.ts';
import type { RunKeys } from '../queue/run-keys.ts';

// Checks that the attempt still owns its shard and that the batch is new, then appends it: one
// script, so a batch is all in the stream or not at all. KEYS: owner hash, stream. ARGV: attempt,
// batch number, shard, watermark, then second and encoded data pairs.
const PUBLISH_SCRIPT = `
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'batch') or '0') >= tonumber(ARGV[2]) then return 1 end
for i = 5, #ARGV, 2 do
  redis.call('XADD', KEYS[2], '*', 'shard', ARGV[3], 'second', ARGV[i], 'data', ARGV[i + 1])
end
redis.call('XADD', KEYS[2], '*', 'shard', ARGV[3], 'watermark', ARGV[4])
redis.call('HSET', KEYS[1], 'batch', ARGV[2])
return 1
`;

/** How many times a batch waits REPLICA_WAIT_MS for the primary's replicas to have it (WAIT): in all longer
 * than Sentinel takes to demote a former primary that is still up (it notices within its 10 s INFO period). */
const REPLICA_WAIT_ATTEMPTS = 30;

/**
 * One attempt's way of sending its shard's seconds. The attempt that starts last owns the shard:
 * a shard retried while its first attempt is still alive (its lock lapsed while Redis was away)
 * then has one attempt publishing, never two counting the same users' seconds twice. Batches the
 * attempt could not send (Redis away) are kept in order and sent once Redis is back.
 *
 * A batch counts as sent once the primary's replicas have it too (WAIT, for as many replicas as
 * the primary had when the shard was claimed): Redis replicates after it answers, so a primary
 * failing over (Sentinel promoting its replica, a Cluster primary lost) drops what it took in
 * its last moments. A batch not replicated is sent again, to whichever primary the client then
 * reaches; the batch number makes a copy that did arrive count once. After REPLICA_WAIT_ATTEMPTS
 * the batch is taken as sent and the publisher waits only for the replicas there are now, so a
 * replica gone for good slows nothing down for long.
 */
export class ShardPublisher {
  readonly #redis: RedisClient;
  readonly #keys: RunKeys;
  readonly #shard: number;
  readonly #attempt: string;
  #unsent: { batch: number; snapshots: SecondSnapshot[]; watermark: number }[] = [];
  #batches = 0;
  #sending: Promise<boolean> = Promise.resolve(true);
  #superseded = false;
  #replicas = 0;
  #replicaMisses = 0;

  constructor(redis: RedisClient, keys: RunKeys, shard: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#shard = shard;
    this.#attempt = randomUUID();
  }

  /**
   * Takes the shard over from any earlier attempt, which stops publishing at its next batch. A
   * takeover is marked in the stream with the second it happened in: from the earlier attempt's
   * last watermark to that second, the shard's users went unmeasured (the engine records the gap).
   */
  async claim(nowMs = Date.now()): Promise<void> {
    const owner = this.#keys.shardOwner(this.#shard);
    const previous = await this.#redis.hget(owner, 'attempt');
    await this.#redis.hset(owner, 'attempt', this.#attempt, 'batch', '0');
    this.#replicas = await primaryReplicas(this.#redis, owner);
    if (previous !== null) await this.#redis.xadd(this.#keys.seconds, '*', 'shard', String(this.#shard), 'takeover', String(Math.floor(nowMs / 1000)));
  }

  /** False once a later attempt owns the shard: this one must stop, its seconds are not wanted. */
  get superseded(): boolean {
    return this.#superseded;
  }

  /** Queues a batch and sends every queued batch in order; false when superseded. */
  publish(snapshots: SecondSnapshot[], watermark: number): Promise<boolean> {
    this.#batches += 1;
    this.#unsent.push({ batch: this.#batches, snapshots, watermark });
    // After a failed send too: the batch stays queued and goes with the next one.
    const send = (): Promise<boolean> => this.#sendUnsent();
    this.#sending = this.#sending.then(send, send);
    return this.#sending;
  }

  async #sendUnsent(): Promise<boolean> {
    while (this.#unsent.length > 0 && !this.#superseded) {
      const { batch, snapshots, watermark } = this.#unsent[0]!;
      const pairs = snapshots.flatMap((snapshot) => [String(snapshot.second), JSON.stringify(encodeSecond(snapshot))]);
      // One pipeline: in a Cluster it goes to the node of the keys' slot, WAIT included. The
      // batch number read after WAIT says the server that answered WAIT has the batch: a pipeline
      // cut by a failover is sent again from its first unanswered command, so the script may have
      // run on the former primary and WAIT on the new one.
      const owner = this.#keys.shardOwner(this.#shard);
      const pipeline = this.#redis.pipeline().eval(PUBLISH_SCRIPT, 2, owner, this.#keys.seconds, this.#attempt, String(batch), String(this.#shard), String(watermark), ...pairs);
      if (this.#replicas > 0) pipeline.wait(this.#replicas, REPLICA_WAIT_MS).hget(owner, 'batch');
      const sentAt = Date.now();
      const [published, replicated, recorded] = (await pipeline.exec()) ?? [];
      if (!published || published[0]) throw published?.[0] ?? new Error('Redis answered no reply to a published batch');
      if (published[1] === 0) this.#superseded = true;
      else if (replicated && recorded && !this.#replicatedEnough(replicated, recorded, batch)) {
        // WAIT refused at once (a primary being demoted unblocks it with an error): the attempts
        // still span their full time, never a burst that would end them before the failover does.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentAt + REPLICA_WAIT_MS - Date.now())));
        continue;
      }
      this.#replicaMisses = 0;
      this.#unsent.shift();
    }
    return !this.#superseded;
  }

  /** Whether WAIT's answer covers the batch; false: send it again. */
  #replicatedEnough([error, acknowledged]: [Error | null, unknown], [, recorded]: [Error | null, unknown], batch: number): boolean {
    // An error is a miss too: the connection cut by a failover (a managed Redis that refuses
    // WAIT ends, after the attempts, waiting for no replica).
    if (!error && Number(acknowledged) >= this.#replicas && Number(recorded) >= batch) return true;
    this.#replicaMisses += 1;
    if (this.#replicaMisses < REPLICA_WAIT_ATTEMPTS) return false;
    this.#replicas = error ? 0 : Number(acknowledged);
    return true;
  }
}

/** Epoch seconds fromSecond..toSecond (inclusive) in which a shard's users were not (fully) measured. */
export interface ShardGap {
  shard: number;
  fromSecond: number;
  toSecond: number;
}

/**
 * Reads a run's stream incrementally and keeps every second merged across shards. `complete(s)`
 * says whether every shard has moved past second s, which is when the live SLA may judge it.
 */
export class SecondCollector {
  readonly #redis: RedisClient;
  readonly #keys: RunKeys;
  readonly #shards: number;
  #lastId = '0-0';
  readonly #seconds = new Map<number, SecondSnapshot>();
  readonly #watermarks = new Map<number, number>();
  #entries = 0;
  readonly #gaps: ShardGap[] = [];

  constructor(redis: RedisClient, keys: RunKeys, shards: number) {
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
        if (entry.takeover !== undefined) {
          // Seconds the dead attempt had not delivered, through the one its successor started in.
          const from = this.#watermarks.get(shard);
          const to = Number(entry.takeover);
          if (from !== undefined && from <= to) this.#gaps.push({ shard, fromSecond: from, toSecond: to });
          continue;
        }
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

  /** Where a shard's worker died and another took it over: seconds measured partly or not at all. */
  get gaps(): ShardGap[] {
    return [...this.#gaps];
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
