// A Redis primary failing over in the middle of a run, on the two highly available set-ups users
// run: a Redis Cluster of three primaries (the primaries serving the run's keys and the queues'
// keys each hand over to their replica, CLUSTER FAILOVER) and a Sentinel set behind TLS (SENTINEL
// FAILOVER: the replica promoted, the former primary demoted). The engine and the workers follow the new
// primaries by themselves; the run completes with every second recorded once and the one
// migration done once. Every server asks for a password (given in the URL), as such sets do.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedServingCertificate } from '../../src/certificates/index.ts';
import { removeExperimentData } from '../../src/controller/experiment-cleanup.ts';
import { bullPrefix, experimentKeyBase } from '../../src/queue/run-keys.ts';
import { shortExperiment, startEngineHarnessOn, type ExternalRedisEngineHarness } from '../support/engine.ts';
import { temporaryDirectory } from '../support/processes.ts';
import { startRedisCluster, startSentinelSet, type RedisClusterUnderTest, type SentinelSetUnderTest } from '../support/redis-topologies.ts';
import { recordFault } from './reliability.ts';
import { runThroughFault } from './run-through-fault.ts';

const STEADY = '25s';
const AUTH = { password: 'ha-secret' };

/** The set's URL with the password, as a person writes it. */
function withPassword(url: string): string {
  return url.replace('://', `://:${AUTH.password}@`);
}

describe('given a run on a three-primary Redis Cluster', () => {
  let cluster: RedisClusterUnderTest;
  let harness: ExternalRedisEngineHarness;

  beforeAll(async () => {
    cluster = await startRedisCluster(AUTH);
    harness = await startEngineHarnessOn(withPassword(cluster.url));
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    await cluster?.stop();
  });

  it('when the primaries of its keys and of its queues fail over mid-run, then the run completes with every second recorded once and one migration', async () => {
    const failovers: { from: number; to: number }[] = [];
    const { seconds, migrations } = await runThroughFault(harness, 'cluster', STEADY, async () => {
      failovers.push(await cluster.failover(`${experimentKeyBase(harness.prefix, 'exp-cluster')}:state`));
      // Both queues share one slot (the prefix's hash tag); its primary may be another node.
      const queueKey = `${bullPrefix(harness.prefix)}:load:meta`;
      failovers.push(await cluster.failover(queueKey));
    });
    expect(failovers.every(({ from, to }) => from !== to)).toBe(true);
    recordFault({ case: 'Redis Cluster primaries failed over mid-run', outcome: 'completed; no action counted twice', seconds, migrations });
  }, 90_000);

  it("when the experiment is deleted, then its finalizer's scan of every primary and one DEL (one slot) leave none of its keys", async () => {
    const ref = { uid: 'exp-cluster', namespace: 'test', name: 'cluster' };
    const removed = await removeExperimentData(harness.client, harness.deps.queues, harness.prefix, ref, shortExperiment(harness, { name: 'cluster', steady: STEADY }).spec);
    expect(removed.leftBehind).toEqual([]);
    expect(removed.removedKeys).toBeGreaterThan(3);
    expect(removed.removedJobs).toBe(3);
    const cluster = harness.client as Cluster;
    const left = await Promise.all(cluster.nodes('master').map((node) => node.keys(`${experimentKeyBase(harness.prefix, ref.uid)}:*`)));
    expect(left.flat()).toEqual([]);
  });
});

// TLS only, as docs/deploy.md's example Sentinel set: the client finds the primary through the
// Sentinels over TLS and follows the failover to the new one over TLS, the CA from the environment.
describe('given a run on a Redis Sentinel set behind TLS', () => {
  let sentinels: SentinelSetUnderTest;
  let harness: ExternalRedisEngineHarness;

  beforeAll(async () => {
    const dir = await temporaryDirectory('sentinel-tls');
    const { key, cert } = selfSignedServingCertificate('redis', ['127.0.0.1']);
    const tls = { certFile: join(dir, 'redis.crt'), keyFile: join(dir, 'redis.key'), caFile: join(dir, 'redis.crt') };
    await writeFile(tls.certFile, cert);
    await writeFile(tls.keyFile, key);
    sentinels = await startSentinelSet({ ...AUTH, tls });
    expect(sentinels.url).toMatch(/^rediss\+sentinel:\/\//);
    harness = await startEngineHarnessOn(withPassword(sentinels.url), { env: { MIGRASCOPE_REDIS_CA_FILE: tls.caFile } });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    await sentinels?.stop();
  });

  it('when Sentinel fails the primary over mid-run, then the run completes on the new primary with every second recorded once and one migration', async () => {
    let failover: { from: number; to: number } | undefined;
    const { seconds, migrations } = await runThroughFault(harness, 'sentinel', STEADY, async () => {
      failover = await sentinels.failover();
    });
    expect(await sentinels.primaryPort()).toBe(failover!.to);
    recordFault({ case: 'Redis Sentinel failover mid-run (TLS)', outcome: 'completed on the new primary; no action counted twice', seconds, migrations });
  }, 90_000);
});
