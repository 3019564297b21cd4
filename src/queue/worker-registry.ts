// The worker processes of one prefix that are alive now, and what each says of itself (how many
// load shards it may drive and drives, whether its clock is in bound). A worker beats every few
// seconds; one that stops beating (killed, frozen, cut off) drops out after the TTL. Presence is
// judged by Redis's own clock (TIME, inside the script), never a worker's: a worker whose clock is
// off must not look alive forever, nor dead at once, to the others.
import type { RedisClient } from './redis-connection.ts';
import { workerRegistryKeys } from './run-keys.ts';

/** What a worker process says of itself on each beat. */
export interface WorkerPresence {
  id: string;
  /** Load shards it may drive at once (--load-concurrency). */
  loadConcurrency: number;
  /** Load shards it drives now. */
  loadShards: number;
  /** Its clock minus Redis's at its last reading, ms. */
  clockOffsetMs: number;
  /** Whether that offset is within its --max-clock-offset: it takes load shards and migrations. */
  clockInBound: boolean;
}

/** How often a worker beats, and how long a presence lasts without one (three beats missed). */
export const WORKER_BEAT_MS = 2000;
export const WORKER_PRESENCE_TTL_MS = 3 * WORKER_BEAT_MS;

// KEYS: live zset, presence hash. ARGV: id, ttl ms, presence JSON (empty: leave). Forgets the
// lapsed workers, then returns the presence of every live one (this one included).
const BEAT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, id in ipairs(lapsed) do redis.call('HDEL', KEYS[2], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
if #live == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(live))
`;

export class WorkerRegistry {
  readonly #redis: RedisClient;
  readonly #keys: { live: string; presence: string };
  readonly #ttlMs: number;

  constructor(redis: RedisClient, prefix: string, ttlMs = WORKER_PRESENCE_TTL_MS) {
    this.#redis = redis;
    this.#keys = workerRegistryKeys(prefix);
    this.#ttlMs = ttlMs;
  }

  /** Says this worker is alive as `presence` (for the TTL), and returns every live worker's presence. */
  async beat(presence: WorkerPresence): Promise<WorkerPresence[]> {
    return this.#run(presence.id, JSON.stringify(presence));
  }

  /** This worker is going: the others stop counting it at once. */
  async leave(id: string): Promise<void> {
    await this.#run(id, '');
  }

  async #run(id: string, presence: string): Promise<WorkerPresence[]> {
    const found = (await this.#redis.eval(BEAT_SCRIPT, 2, this.#keys.live, this.#keys.presence, id, String(this.#ttlMs), presence)) as (string | null)[];
    return found.filter((text): text is string => text !== null).map((text) => JSON.parse(text) as WorkerPresence);
  }
}
