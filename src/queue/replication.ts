// What a write needs before it counts as kept when Redis has replicas: Redis answers a write before
// it replicates it, so a primary that fails over (Sentinel promoting its replica, a Cluster
// primary lost) forgets what it took in its last moments. WAIT, sent on the connection that wrote
// and routed with the key (in a Cluster, to the key's node), says how many replicas have it.
import type { RedisClient } from './redis-connection.ts';

/** How long one WAIT lets the replicas take to acknowledge. */
export const REPLICA_WAIT_MS = 1000;

/** How many replicas the primary serving `key` has (0 when it will not say, or is no primary). */
export async function primaryReplicas(redis: RedisClient, key: string): Promise<number> {
  // EXISTS routes the pipeline to the key's node in a Cluster; ROLE then asks that node.
  const [, role] = (await redis.pipeline().exists(key).role().exec()) ?? [];
  if (!role || role[0] || !Array.isArray(role[1]) || role[1][0] !== 'master') return 0;
  return Array.isArray(role[1][2]) ? role[1][2].length : 0;
}
