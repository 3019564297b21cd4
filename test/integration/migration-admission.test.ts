// A worker whose clock is off and a migration it is offered, on a real Redis (the registry's beats
// and the run's keys as the workers write them): handed back for a worker in bound, failed with the
// reason when there is none, followed all the same when an earlier attempt already asked XAPI.
// The clocks are faked through the admission's injected `now`; the system clock is never touched.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refuseMigration } from '../../src/engine/migration-worker.ts';
import { ShardAdmission } from '../../src/engine/shard-admission.ts';
import { createLogger } from '../../src/log/index.ts';
import type { MigrationJobData } from '../../src/queue/contracts.ts';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';
import { createRedisClient, type RedisClient } from '../../src/queue/redis-connection.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { migrationJob } from '../support/engine.ts';

const log = createLogger({ level: 'silent', pretty: false });
const CLOCK = /^this worker's clock is (4\.9\d*|5(\.0\d*)?) s ahead of Redis's \(TIME\), more than --max-clock-offset 1 s/;

describe('given a worker 5 s ahead of Redis offered a migration', () => {
  let redis: LocalRedis;
  let client: RedisClient;
  let prefix: string;
  const admissions: ShardAdmission[] = [];

  beforeAll(async () => {
    redis = await startLocalRedis();
    client = createRedisClient(redis.url);
  });
  afterEach(async () => {
    for (const admission of admissions.splice(0)) await admission.close();
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  function worker(id: string, offsetMs: number): ShardAdmission {
    const admission = new ShardAdmission({ redis: client, prefix, workerId: id, loadConcurrency: 4, maxClockOffsetMs: 1000, log, now: () => Date.now() + offsetMs });
    admissions.push(admission);
    return admission;
  }

  function migration(index: number): MigrationJobData {
    return migrationJob({ uid: 'exp-clock', namespace: 'test', name: 'clock' }, index, { offsetMs: 6000 });
  }

  it('when another live worker is in bound, then it hands the migration back, due shortly on Redis’s clock, and the other takes it', async () => {
    prefix = `admission-${randomBytes(3).toString('hex')}`;
    const skewed = worker('skewed', 5000);
    const steady = worker('steady', 0);
    await skewed.start();
    await steady.start();

    const handedBack = await skewed.admitMigration('m1', migration(1));
    expect(handedBack).toMatchObject({ verdict: 'handBack', reason: 'clock', delayMs: 100 });
    expect(handedBack.verdict === 'handBack' && handedBack.message).toMatch(CLOCK);
    // Due 100 ms from now as Redis (and the worker in bound) tell time, not 5.1 s.
    expect(Math.abs(skewed.handBackAt(100) - (Date.now() + 100))).toBeLessThan(250);
    expect(await steady.admitMigration('m1', migration(1))).toEqual({ verdict: 'take' });
  });

  it('when no live worker is in bound, then the migration fails before XAPI is asked, saying why', async () => {
    prefix = `admission-${randomBytes(3).toString('hex')}`;
    const skewed = worker('skewed', 5000);
    await skewed.start();

    const refused = await skewed.admitMigration('m1', migration(1));
    expect(refused.verdict).toBe('fail');
    const message = refused.verdict === 'fail' ? refused.message : '';
    expect(message).toMatch(CLOCK);
    expect(message).toMatch(/; no other live worker has its clock in bound$/);

    const outcome = await refuseMigration(migration(1), { redis: client, prefix }, message);
    expect(outcome).toEqual({ index: 1, offsetMs: 6000, state: 'Failed', message: `not started: ${message}` });
    const keys = new RunKeys(prefix, migration(1).experiment, 1);
    expect(JSON.parse((await client.hget(keys.migrations, '1'))!)).toEqual(outcome);
    expect(await client.exists(keys.migrationClaim(1))).toBe(0);
  });

  it('when an earlier attempt already asked XAPI for it, then it takes it whatever its clock: a running migration is followed, never failed', async () => {
    prefix = `admission-${randomBytes(3).toString('hex')}`;
    const skewed = worker('skewed', 5000);
    await skewed.start();
    const keys = new RunKeys(prefix, migration(2).experiment, 1);
    await client.set(keys.migrationClaim(2), JSON.stringify({ attempt: 'earlier#0', source: 'h1', destination: 'h2', destinationRef: 'OpaqueRef:h2', requestedAt: new Date().toISOString(), task: 'OpaqueRef:task' }));

    expect(await skewed.admitMigration('m2', migration(2))).toEqual({ verdict: 'take' });
    // One not started yet is still refused.
    expect((await skewed.admitMigration('m3', migration(3))).verdict).toBe('fail');
  });
});
