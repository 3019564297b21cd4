// Load only where a namespace may send it, on a real kube-apiserver with the testbed and Redis: the
// controller's allow-list (the chart's loadTargets) lets an experiment whose application is in an
// allowed range run, and holds one whose target is not in Pending with a Degraded condition
// TargetNotAllowed naming the host and the namespace, and an Event, before any request is sent. The
// workers check too, since jobs come through Redis: a load job queued straight into Redis for a
// forbidden target ends failed, saying why, and its target never sees a request.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoadTargetAllowList } from '../../src/engine/load-targets.ts';
import type { ShardEnd } from '../../src/engine/load-worker.ts';
import { startWorkers, type WorkerHost } from '../../src/engine/workers.ts';
import { ExperimentQueues } from '../../src/queue/queues.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { at, condition, experimentManifest, startClusterHarness, type ClusterHarness } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 200_000 });

let harness: ClusterHarness;

beforeAll(async () => {
  harness = await startClusterHarness();
  // This namespace may send load to loopback's 127.0.0.1 only; 127.0.0.2 is loopback too, but not listed.
  const loadTargets = LoadTargetAllowList.parse({ [harness.namespace]: ['127.0.0.1/32'], '*': ['app.example.com'] }, 'loadTargets');
  await harness.startController({ loadTargets });
});
afterAll(async () => harness?.close());

describe('Given a controller whose loadTargets allow the namespace 127.0.0.1/32 only', () => {
  it('when an experiment targets an address outside it, then it stays Pending, Degraded TargetNotAllowed naming the host and the namespace, with a Warning Event, and no migration is asked', async () => {
    const manifest = experimentManifest(harness, 'elsewhere', { migrations: null });
    const spec = manifest.spec as { target: { applicationUrl: string; probeUrl?: string } };
    spec.target.applicationUrl = 'http://127.0.0.2:8080/';
    delete spec.target.probeUrl;
    await harness.create('MigrationExperiment', manifest);
    const degraded = await harness.eventually('the experiment refused', async () => {
      const read = await harness.get('MigrationExperiment', 'elsewhere');
      const found = condition(read, 'Degraded');
      return found?.reason === 'TargetNotAllowed' ? { read, found } : undefined;
    }, 60_000);
    expect(at(degraded.read, 'status', 'phase')).toBe('Pending');
    expect(degraded.found.status).toBe('True');
    expect(degraded.found.message).toContain('spec.target.applicationUrl: load target "127.0.0.2" is not allowed');
    expect(degraded.found.message).toContain(`namespace "${harness.namespace}" may send load only to 127.0.0.1/32, app.example.com`);
    const events = await harness.eventually('the Warning Event', async () => {
      const all = await harness.events('elsewhere');
      return all.some((event) => event.startsWith('Warning TargetNotAllowed')) ? all : undefined;
    }, 30_000);
    expect(events.join('\n')).toContain('127.0.0.2');
    expect(at(degraded.read, 'status', 'runs')).toBeUndefined();
    expect(harness.migrations).toEqual([]);
  });

  it('when an experiment targets the testbed on 127.0.0.1, then it runs to Succeeded', async () => {
    await harness.create('MigrationExperiment', experimentManifest(harness, 'allowed', { steady: '6s', migrations: null }));
    const phase = await harness.eventually('the allowed experiment to end', async () => {
      const value = at(await harness.get('MigrationExperiment', 'allowed'), 'status', 'phase') as string | undefined;
      return value === 'Succeeded' || value === 'Failed' || value === 'Aborted' ? value : undefined;
    }, 150_000);
    expect(phase).toBe('Succeeded');
  });
});

describe('Given a worker with the same allow-list and a load job queued straight into Redis for a forbidden target', () => {
  let target: Server;
  let requests = 0;
  let workers: WorkerHost;
  let queues: ExperimentQueues;
  const connections: Redis[] = [];
  let keys: RunKeys;

  beforeAll(async () => {
    target = createServer((_request, response) => {
      requests += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const prefix = `targets-${randomBytes(4).toString('hex')}`;
    connections.push(new Redis(harness.redis.url, { maxRetriesPerRequest: null }), new Redis(harness.redis.url, { maxRetriesPerRequest: null }));
    const [connection, redis] = connections as [Redis, Redis];
    // Only 10.0.0.0/8 for this namespace: the target listening on 127.0.0.1 is outside.
    const loadTargets = LoadTargetAllowList.parse({ [harness.namespace]: ['10.0.0.0/8'] }, 'loadTargets');
    workers = startWorkers({ connection, redis, prefix, resolvePool: () => Promise.reject(new Error('no pool in this test')), log: harness.log, loadTargets });
    queues = new ExperimentQueues({ connection, prefix });
    const experiment = { uid: randomUUID(), namespace: harness.namespace, name: 'smuggled' };
    const port = (target.address() as AddressInfo).port;
    await queues.addLoad({
      experiment,
      run: 1,
      shard: 0,
      shards: 1,
      url: `http://127.0.0.1:${port}/`,
      profile: 'olio',
      users: 2,
      startAtMs: Date.now(),
      rampUpMs: 0,
      steadyMs: 2000,
      rampDownMs: 0,
      seed: 1,
    });
    keys = new RunKeys(prefix, experiment, 1);
    // A migration whose downtime probe would poll the same forbidden target.
    await queues.addMigration({
      experiment,
      run: 1,
      index: 1,
      pool: { namespace: harness.namespace, name: 'pool' },
      vm: 'web',
      destination: { kind: 'roundRobin' },
      dueAtMs: Date.now(),
      offsetMs: 0,
      timeoutMs: 60_000,
      probeUrl: `http://127.0.0.1:${port}/healthz`,
    });
  });

  afterAll(async () => {
    await workers?.close(true);
    await queues?.load.close();
    await queues?.migration.close();
    for (const connection of connections) connection.disconnect();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('then the shard ends failed naming the target and the namespace, and the target saw no request', async () => {
    const redis = connections[1] as Redis;
    const end = await harness.eventually('the shard to end', async () => {
      const recorded = await redis.hget(keys.shards, '0');
      return recorded === null ? undefined : (JSON.parse(recorded) as ShardEnd);
    }, 30_000);
    expect(end.state).toBe('failed');
    expect(end.message).toContain('load target "127.0.0.1" is not allowed');
    expect(end.message).toContain(`namespace "${harness.namespace}" may send load only to 10.0.0.0/8`);
    expect(end.completed).toBe(0);
    expect(requests).toBe(0);
  });

  it('then a migration whose probe would poll it is not started: Failed, naming the target, nothing asked of XAPI', async () => {
    const redis = connections[1] as Redis;
    const outcome = await harness.eventually('the migration to be recorded', async () => {
      const recorded = await redis.hget(keys.migrations, '1');
      return recorded === null ? undefined : (JSON.parse(recorded) as { state: string; message?: string });
    }, 30_000);
    expect(outcome.state).toBe('Failed');
    expect(outcome.message).toContain('not started: load target "127.0.0.1" is not allowed');
    expect(harness.migrations).toEqual([]);
    expect(requests).toBe(0);
  });
});
