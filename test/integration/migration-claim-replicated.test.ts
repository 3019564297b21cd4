// A migration's claim kept by the replicas before XAPI is asked, on a real Sentinel set (a primary
// and its replica, Debian's redis-server): with the replica stopped (SIGSTOP, as a replica that
// lags), the migration waits for it, and starts once the replica has the claim. Without the wait,
// a primary failing over just after the claim would forget it and a retry would migrate again.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performMigration } from '../../src/engine/migration-worker.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { migrationJob, startEngineHarnessOn, type ExternalRedisEngineHarness } from '../support/engine.ts';
import { startSentinelSet, type SentinelSetUnderTest } from '../support/redis-topologies.ts';

const LAG_MS = 2500;

describe('given a migration claimed on a Sentinel set whose replica lags', () => {
  let sentinels: SentinelSetUnderTest;
  let harness: ExternalRedisEngineHarness;

  beforeAll(async () => {
    sentinels = await startSentinelSet();
    harness = await startEngineHarnessOn(sentinels.url, { workers: false });
  }, 60_000);
  afterAll(async () => {
    for (const server of sentinels?.servers ?? []) if (server.pid) process.kill(server.pid, 'SIGCONT');
    await harness?.close();
    await sentinels?.stop();
  });

  it('when the replica is stopped, then XAPI is asked only once the replica has the claim', async () => {
    const web = harness.testbed.vms.find((vm) => vm.name === 'web')!;
    const experiment = { uid: 'exp-claim', namespace: 'test', name: 'claim' };
    const job = migrationJob(experiment, 1, { probeUrl: `${web.url}/healthz` });
    const replica = sentinels.servers[1]!;
    process.kill(replica.pid!, 'SIGSTOP');
    const stoppedAt = Date.now();
    const migrating = performMigration(job, 'claim-test#0', { redis: harness.client, prefix: harness.prefix, resolvePool: harness.deps.resolvePool, log: harness.deps.log });
    await sleep(LAG_MS);
    const askedWhileStopped = harness.migrations.length;
    process.kill(replica.pid!, 'SIGCONT');
    const outcome = await migrating;

    expect(askedWhileStopped).toBe(0);
    expect(outcome.state).toBe('Succeeded');
    expect(harness.migrations).toHaveLength(1);
    expect(harness.migrations[0]!.timeline.startedAt).toBeGreaterThanOrEqual(stoppedAt + LAG_MS);
    // The claim is on the replica: a failover now would not lose it.
    const keys = new RunKeys(harness.prefix, experiment, 1);
    const { Redis } = await import('ioredis');
    const onReplica = new Redis({ host: '127.0.0.1', port: replica.port, lazyConnect: true });
    try {
      await onReplica.connect();
      expect(JSON.parse((await onReplica.get(keys.migrationClaim(1)))!)).toMatchObject({ attempt: 'claim-test#0', source: outcome.source, destination: outcome.destination });
    } finally {
      onReplica.disconnect();
    }
  }, 60_000);
});
