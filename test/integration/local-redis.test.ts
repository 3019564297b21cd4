import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';

describe('given no Redis URL', () => {
  let redis: LocalRedis | undefined;
  afterEach(async () => redis?.stop());

  it('when a local Redis is started, then it answers on loopback and is gone after stop', async () => {
    redis = await startLocalRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
    await client.connect();
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();
    await redis.stop();
    const after = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
    redis = undefined;
  });

  it('when redis-server is missing, then the error says how to get it', async () => {
    await expect(startLocalRedis({ binary: 'redis-server-that-does-not-exist' })).rejects.toThrow(/make deps/);
  });
});
