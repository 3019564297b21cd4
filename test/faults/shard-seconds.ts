// What a run's stream holds, shard by shard: the seconds each shard sent measurements for and how
// many actions it counted in them. The faults suite compares these with the run's span (seconds
// expected) and with what each shard said it completed (an action counted twice, by two attempts
// of one shard, shows as more actions in the stream than the shard completed).
import type { RedisClient } from '../../src/queue/redis-connection.ts';
import { decodeSecond } from '../../src/recording/index.ts';
import type { RunKeys } from '../../src/queue/run-keys.ts';
import type { ShardEnd } from '../../src/engine/load-worker.ts';
import type { RunPlan } from '../../src/engine/plan.ts';

export interface ShardSeconds {
  shard: number;
  /** Epoch seconds this shard sent at least one action for. */
  seconds: Set<number>;
  /** Actions (successes and failures) in this shard's stream entries. */
  streamed: number;
  /** Whether another attempt took the shard over (a takeover mark in the stream). */
  takenOver: boolean;
  /** Actions in the entries after the last takeover (all of them without one): what the attempt that ended the shard sent. */
  sinceTakeover: number;
  /** What the shard recorded as its end (undefined: it never ended). */
  end: ShardEnd | undefined;
}

export async function shardSeconds(redis: RedisClient, keys: RunKeys, shards: number): Promise<ShardSeconds[]> {
  const result = Array.from({ length: shards }, (_, shard): ShardSeconds => ({ shard, seconds: new Set(), streamed: 0, takenOver: false, sinceTakeover: 0, end: undefined }));
  for (const [, fields] of await redis.xrange(keys.seconds, '-', '+')) {
    const entry = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) entry.set(fields[i]!, fields[i + 1]!);
    const shard = result[Number(entry.get('shard'))]!;
    if (entry.has('takeover')) {
      shard.takenOver = true;
      shard.sinceTakeover = 0;
    }
    const data = entry.get('data');
    if (data === undefined) continue;
    const snapshot = decodeSecond(JSON.parse(data));
    shard.seconds.add(snapshot.second);
    for (const action of Object.values(snapshot.actions)) {
      const actions = action.ok + Object.values(action.errors).reduce((sum, n) => sum + (n ?? 0), 0);
      shard.streamed += actions;
      shard.sinceTakeover += actions;
    }
  }
  for (const [shard, text] of Object.entries(await redis.hgetall(keys.shards))) result[Number(shard)]!.end = JSON.parse(text) as ShardEnd;
  return result;
}

/** The run's seconds (ramp-up to ramp-down) and how many of them every shard sent measurements for. */
export function secondsCovered(plan: Pick<RunPlan, 'startAtMs' | 'rampUpMs' | 'steadyMs' | 'rampDownMs'>, shards: ShardSeconds[]): { recorded: number; expected: number; missing: number[] } {
  const first = Math.floor(plan.startAtMs / 1000);
  const expected = Math.round((plan.rampUpMs + plan.steadyMs + plan.rampDownMs) / 1000);
  const missing: number[] = [];
  for (let second = first; second < first + expected; second += 1) {
    if (!shards.every((shard) => shard.seconds.has(second))) missing.push(second - first);
  }
  return { recorded: expected - missing.length, expected, missing };
}
